// Importers of the element-wise family (elementwise, activation and unary layers): arithmetic, comparison and logic,
// activations, unary math, and linear (de)quantization.
#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <optional>
#include <tuple>

#include "onnx/elementwise_common.h"
#include "onnx/quantization.h"

namespace kiln::onnx {

namespace {

using E = ElementWiseOperation;
using A = ActivationType;
using U = UnaryOperation;

}  // namespace

// ---- Shared helpers -----------------------------------------------------------------------------------------------

// Each importer names every attribute it understands; any other attribute is reported instead of being ignored.
// Opsets 1-5 also carry consumed_inputs, a hint for in-place memory reuse that never changes a result.
void checkAttributes(const ImportContext& ctx, const Node& node, std::initializer_list<const char*> known) {
  for (const auto& a : node.attribute()) {
    if (ctx.opset() < 6 && a.name() == "consumed_inputs") continue;
    if (std::none_of(known.begin(), known.end(), [&](const char* k) { return a.name() == k; }))
      ctx.unsupported(node, "attribute '" + a.name() + "' is not supported");
  }
}

namespace {

int32_t rankOf(const Tensor& t) { return t.getDimensions().nbDims; }

Tensor* elementWise(ImportContext& ctx, Tensor& a, Tensor& b, E op) {
  return ctx.network().addElementWise(a, b, op)->getOutput(0);
}

Tensor* unary(ImportContext& ctx, Tensor& x, U op) { return ctx.network().addUnary(x, op)->getOutput(0); }

Tensor* activation(ImportContext& ctx, Tensor& x, A type, std::optional<double> alpha = {},
                   std::optional<double> beta = {}) {
  ActivationLayer* layer = ctx.network().addActivation(x, type);
  if (alpha) layer->setAlpha(*alpha);
  if (beta) layer->setBeta(*beta);
  return layer->getOutput(0);
}

// A 1x...x1 constant of x's type and rank, so it broadcasts against x without growing its rank.
Tensor* scalarLike(ImportContext& ctx, Tensor& x, double value) {
  return ctx.constantScalar(static_cast<float>(value), x.getType(), rankOf(x));
}

}  // namespace

// kiln's type for an ONNX type attribute; unsupported (naming the node) for types kiln lacks.
DataType kilnType(const ImportContext& ctx, const Node& node, int64_t onnxType, const char* what) {
  try {
    return fromOnnxType(static_cast<int32_t>(onnxType), nodeLabel(node));
  } catch (const Error& e) {
    ctx.unsupported(node, std::string(what) + ": " + e.message());
  }
}

namespace {

// Reshapes a 1-D per-axis parameter (QuantizeLinear's scale, PRelu's legacy slope) to broadcast along `axis` of a
// tensor of rank `rank`: 1 on every axis but `axis`.
Tensor* alongAxis(ImportContext& ctx, Tensor& param, int32_t axis, int32_t rank) {
  Dims dims;
  dims.nbDims = rank;
  for (int32_t i = 0; i < rank; ++i) dims.d[i] = i == axis ? -1 : 1;
  return ctx.reshape(param, dims);
}

// ---- Binary arithmetic, comparison, logic -------------------------------------------------------------------------

using BinaryFn = Tensor* (*)(ImportContext&, Tensor&, Tensor&);

template <E op>
Tensor* plain(ImportContext& ctx, Tensor& a, Tensor& b) {
  return elementWise(ctx, a, b, op);
}

// Neither NOT(a < b) nor NOT(a > b): both are true for NaN, where a >= b is false.
template <E strict>
Tensor* orEqual(ImportContext& ctx, Tensor& a, Tensor& b) {
  return elementWise(ctx, *elementWise(ctx, a, b, strict), *elementWise(ctx, a, b, E::kEQUAL), E::kOR);
}

// Pow-12 allows an exponent type T1 other than the base type T; the result has the base type. An integer exponent
// converts exactly to an integer, fp32 or fp64 base; other mixes (an integer base with a fractional exponent, fp16)
// compute in fp64 and convert the result, truncating to integers as numpy's astype does.
Tensor* power(ImportContext& ctx, Tensor& base, Tensor& exponent) {
  DataType t = base.getType(), te = exponent.getType();
  bool exactExponent = !isFloatingPoint(te) && (!isFloatingPoint(t) || t == DataType::kFLOAT || t == DataType::kDOUBLE);
  if (t == te || exactExponent) return elementWise(ctx, base, *ctx.cast(exponent, t), E::kPOW);
  Tensor* r = elementWise(ctx, *ctx.cast(base, DataType::kDOUBLE), *ctx.cast(exponent, DataType::kDOUBLE), E::kPOW);
  return ctx.cast(*r, t);
}

// Opsets 1-6 numpy-broadcast nothing: with broadcast=1, B's dimensions match a contiguous run of A's, starting at
// `axis` ("axis: If set, defines the broadcast dimensions"), or A's trailing ones when axis is absent.
Tensor* legacyBroadcastOperand(ImportContext& ctx, const Node& node, Tensor& a, Tensor& b) {
  int32_t rankA = rankOf(a), rankB = rankOf(b);
  if (ctx.getInt(node, "broadcast", 0) == 0) {
    if (rankA != rankB) ctx.invalid(node, "inputs of different ranks need broadcast=1");
    return &b;
  }
  if (!ctx.has(node, "axis")) return &b;  // trailing alignment is numpy's
  int32_t axis = ctx.axis(node, ctx.getInt(node, "axis", 0), rankA);
  int32_t trailing = rankA - axis - rankB;
  if (trailing < 0) ctx.invalid(node, "input B does not fit input A from axis " + std::to_string(axis));
  if (trailing == 0) return &b;
  // Keep B's dimensions (0 copies them) and append 1s, so numpy alignment matches B from `axis`.
  Dims dims;
  dims.nbDims = rankA - axis;
  for (int32_t i = 0; i < dims.nbDims; ++i) dims.d[i] = i < rankB ? 0 : 1;
  return ctx.reshape(b, dims);
}

OpImporter binary(BinaryFn fn) {
  return [fn](ImportContext& ctx, const Node& node) {
    checkAttributes(ctx, node, {});
    ctx.setOutput(node, 0, fn(ctx, ctx.requiredInput(node, 0), ctx.requiredInput(node, 1)));
  };
}

OpImporter legacyBinary(BinaryFn fn) {
  return [fn](ImportContext& ctx, const Node& node) {
    checkAttributes(ctx, node, {"broadcast", "axis"});
    Tensor& a = ctx.requiredInput(node, 0);
    Tensor* b = legacyBroadcastOperand(ctx, node, a, ctx.requiredInput(node, 1));
    ctx.setOutput(node, 0, fn(ctx, a, *b));
  };
}

// Registers the opset-1 form (explicit broadcast attributes) and the numpy-broadcasting form from opset 7.
void addBinary(OpRegistry& r, const char* name, BinaryFn fn) {
  r.add(name, 1, legacyBinary(fn));
  r.add(name, 7, binary(fn));
}

// Max, Min, Sum, Mean: one or more inputs, folded pairwise (numpy broadcasting from opset 8; earlier opsets require
// equal shapes, which broadcasting accepts unchanged).
OpImporter variadic(E op, bool mean) {
  return [op, mean](ImportContext& ctx, const Node& node) {
    checkAttributes(ctx, node, {});
    if (ctx.nbInputs(node) < 1) ctx.invalid(node, "needs at least one input");
    Tensor* acc = &ctx.requiredInput(node, 0);
    for (int32_t i = 1; i < ctx.nbInputs(node); ++i) acc = elementWise(ctx, *acc, ctx.requiredInput(node, i), op);
    if (mean && ctx.nbInputs(node) > 1)
      acc = elementWise(ctx, *acc, *scalarLike(ctx, *acc, ctx.nbInputs(node)), E::kDIV);
    // A single input is copied, so the output is a tensor of its own.
    if (ctx.nbInputs(node) == 1) acc = ctx.network().addIdentity(*acc)->getOutput(0);
    ctx.setOutput(node, 0, acc);
  };
}

void importMod(ImportContext& ctx, const Node& node) {
  checkAttributes(ctx, node, {"fmod"});
  Tensor& a = ctx.requiredInput(node, 0);
  bool fmod = ctx.getInt(node, "fmod", 0) != 0;
  if (isFloatingPoint(a.getType()) && !fmod)
    ctx.invalid(node, "\"If the input type is floating point, then fmod attribute must be set to 1\"");
  ctx.setOutput(node, 0, elementWise(ctx, a, ctx.requiredInput(node, 1), fmod ? E::kFMOD : E::kMOD));
}

// BitShift-11: unsigned integers only ("T: uint8, uint16, uint32, uint64").
void importBitShift(ImportContext& ctx, const Node& node) {
  checkAttributes(ctx, node, {"direction"});
  Tensor& x = ctx.requiredInput(node, 0);
  if (!isUnsignedInteger(x.getType()))
    ctx.invalid(node, std::string("shifts need unsigned integers, not ") + dataTypeName(x.getType()));
  std::string direction = ctx.getString(node, "direction", "");
  if (direction != "LEFT" && direction != "RIGHT")
    ctx.invalid(node, "direction must be \"LEFT\" or \"RIGHT\", not \"" + direction + "\"");
  E op = direction == "LEFT" ? E::kSHIFT_LEFT : E::kSHIFT_RIGHT;
  ctx.setOutput(node, 0, elementWise(ctx, x, ctx.requiredInput(node, 1), op));
}

// ---- Activations --------------------------------------------------------------------------------------------------

// An activation parameter read from an attribute with its ONNX default.
struct Param {
  const char* name;
  double fallback;
};

OpImporter simpleActivation(A type, std::optional<Param> alpha = {}, std::optional<Param> beta = {}) {
  return [type, alpha, beta](ImportContext& ctx, const Node& node) {
    checkAttributes(ctx, node, {alpha ? alpha->name : "", beta ? beta->name : ""});
    auto read = [&](const std::optional<Param>& p) -> std::optional<double> {
      if (!p) return std::nullopt;
      return ctx.getFloat(node, p->name, static_cast<float>(p->fallback));
    };
    ctx.setOutput(node, 0, activation(ctx, ctx.requiredInput(node, 0), type, read(alpha), read(beta)));
  };
}

// Relu-14 adds integer types, which kiln's activations do not take: max(x, 0) there.
void importRelu(ImportContext& ctx, const Node& node) {
  checkAttributes(ctx, node, {});
  Tensor& x = ctx.requiredInput(node, 0);
  ctx.setOutput(node, 0,
                isFloatingPoint(x.getType()) ? activation(ctx, x, A::kRELU)
                                             : elementWise(ctx, x, *scalarLike(ctx, x, 0), E::kMAX));
}

// "max(0,x) + min(0,alpha*(exp(x/alpha)-1))" = alpha * elu(x / alpha) with elu's alpha 1.
void importCelu(ImportContext& ctx, const Node& node) {
  checkAttributes(ctx, node, {"alpha"});
  Tensor& x = ctx.requiredInput(node, 0);
  double alpha = ctx.getFloat(node, "alpha", 1.0f);
  if (alpha == 0) ctx.invalid(node, "alpha must not be 0");
  Tensor* scaled = elementWise(ctx, x, *scalarLike(ctx, x, alpha), E::kDIV);
  Tensor* elu = activation(ctx, *scaled, A::kELU, 1.0);
  ctx.setOutput(node, 0, elementWise(ctx, *elu, *scalarLike(ctx, x, alpha), E::kPROD));
}

// "y = x * max(0, min(1, alpha * x + beta)) = x * HardSigmoid<alpha, beta>(x), where alpha = 1/6 and beta = 0.5".
void importHardSwish(ImportContext& ctx, const Node& node) {
  checkAttributes(ctx, node, {});
  Tensor& x = ctx.requiredInput(node, 0);
  ctx.setOutput(node, 0, elementWise(ctx, x, *activation(ctx, x, A::kHARD_SIGMOID, 1.0 / 6.0, 0.5), E::kPROD));
}

// "mish(x) = x * tanh(softplus(x))".
void importMish(ImportContext& ctx, const Node& node) {
  checkAttributes(ctx, node, {});
  Tensor& x = ctx.requiredInput(node, 0);
  Tensor* t = activation(ctx, *activation(ctx, x, A::kSOFTPLUS, 1.0, 1.0), A::kTANH);
  ctx.setOutput(node, 0, elementWise(ctx, x, *t, E::kPROD));
}

void importGelu(ImportContext& ctx, const Node& node) {
  checkAttributes(ctx, node, {"approximate"});
  std::string approximate = ctx.getString(node, "approximate", "none");
  if (approximate != "none" && approximate != "tanh")
    ctx.unsupported(node, "approximate=\"" + approximate + "\" (\"none\" or \"tanh\" are defined)");
  A type = approximate == "tanh" ? A::kGELU_TANH : A::kGELU_ERF;
  ctx.setOutput(node, 0, activation(ctx, ctx.requiredInput(node, 0), type));
}

// PRelu: x < 0 ? slope * x : x, with the slope broadcast to x. Opsets before 7 apply a 1-D slope per channel
// (axis 1) rather than numpy-style to the last axis.
void importPRelu(ImportContext& ctx, const Node& node) {
  checkAttributes(ctx, node, {});
  Tensor& x = ctx.requiredInput(node, 0);
  Tensor* slope = &ctx.requiredInput(node, 1);
  int32_t rank = rankOf(x);
  if (ctx.opset() < 7 && rankOf(*slope) == 1 && rank > 2 && slope->getDimensions().d[0] != 1)
    slope = alongAxis(ctx, *slope, 1, rank);
  Tensor* zero = scalarLike(ctx, x, 0);
  Tensor* negative = elementWise(ctx, x, *zero, E::kLESS);
  ctx.setOutput(node, 0, ctx.network().addSelect(*negative, *elementWise(ctx, x, *slope, E::kPROD), x)->getOutput(0));
}

// "Shrink ... If x < -lambd, y = x + bias; If x > lambd, y = x - bias; Otherwise, y = 0."
void importShrink(ImportContext& ctx, const Node& node) {
  checkAttributes(ctx, node, {"bias", "lambd"});
  Tensor& x = ctx.requiredInput(node, 0);
  double bias = ctx.getFloat(node, "bias", 0.0f), lambd = ctx.getFloat(node, "lambd", 0.5f);
  auto& net = ctx.network();
  Tensor* below = elementWise(ctx, x, *scalarLike(ctx, x, -lambd), E::kLESS);
  Tensor* above = elementWise(ctx, x, *scalarLike(ctx, x, lambd), E::kGREATER);
  Tensor* plusBias = elementWise(ctx, x, *scalarLike(ctx, x, bias), E::kSUM);
  Tensor* minusBias = elementWise(ctx, x, *scalarLike(ctx, x, bias), E::kSUB);
  Tensor* inner = net.addSelect(*above, *minusBias, *scalarLike(ctx, x, 0))->getOutput(0);
  ctx.setOutput(node, 0, net.addSelect(*below, *plusBias, *inner)->getOutput(0));
}

// ---- Clip ---------------------------------------------------------------------------------------------------------

// Clip-1 and Clip-6: bounds as attributes, none meaning unbounded.
void importClipAttributes(ImportContext& ctx, const Node& node) {
  checkAttributes(ctx, node, {"min", "max"});
  std::optional<double> lo = -INFINITY, hi = INFINITY;
  if (ctx.has(node, "min")) lo = ctx.getFloat(node, "min", 0.0f);
  if (ctx.has(node, "max")) hi = ctx.getFloat(node, "max", 0.0f);
  ctx.setOutput(node, 0, activation(ctx, ctx.requiredInput(node, 0), A::kCLIP, lo, hi));
}

// Clip-11 on: optional scalar inputs min and max. Build-time bounds on fp32/fp16/bf16 make one clip activation;
// other bounds (computed, fp64 or integer) clamp with element-wise max and min, which also gives max when
// min > max, as the reference does.
void importClip(ImportContext& ctx, const Node& node) {
  checkAttributes(ctx, node, {});
  Tensor& x = ctx.requiredInput(node, 0);
  Tensor* lo = ctx.input(node, 1);
  Tensor* hi = ctx.input(node, 2);
  auto bound = [&](Tensor* t, float fallback) -> std::optional<float> {
    if (!t) return fallback;
    auto v = ctx.constantFloats(t);
    if (!v || v->size() != 1) return std::nullopt;
    return (*v)[0];
  };
  DataType type = x.getType();
  auto loValue = bound(lo, -INFINITY), hiValue = bound(hi, INFINITY);
  if (isFloatingPoint(type) && type != DataType::kDOUBLE && loValue && hiValue) {
    ctx.setOutput(node, 0, activation(ctx, x, A::kCLIP, *loValue, *hiValue));
    return;
  }
  Tensor* y = &x;
  if (lo) y = elementWise(ctx, *y, *lo, E::kMAX);
  if (hi) y = elementWise(ctx, *y, *hi, E::kMIN);
  if (y == &x) y = ctx.network().addIdentity(x)->getOutput(0);
  ctx.setOutput(node, 0, y);
}

// ---- Unary --------------------------------------------------------------------------------------------------------

OpImporter simpleUnary(U op) {
  return [op](ImportContext& ctx, const Node& node) {
    checkAttributes(ctx, node, {});
    ctx.setOutput(node, 0, unary(ctx, ctx.requiredInput(node, 0), op));
  };
}

// IsInf: "detect_positive: (Optional) Whether map positive infinity to true. Default to 1", detect_negative alike.
void importIsInf(ImportContext& ctx, const Node& node) {
  checkAttributes(ctx, node, {"detect_positive", "detect_negative"});
  Tensor& x = ctx.requiredInput(node, 0);
  bool positive = ctx.getInt(node, "detect_positive", 1) != 0;
  bool negative = ctx.getInt(node, "detect_negative", 1) != 0;
  Tensor* inf = unary(ctx, x, U::kISINF);
  if (positive != negative) {
    Tensor* side = elementWise(ctx, x, *scalarLike(ctx, x, 0), positive ? E::kGREATER : E::kLESS);
    inf = elementWise(ctx, *inf, *side, E::kAND);
  } else if (!positive) {
    inf = elementWise(ctx, *inf, *unary(ctx, *inf, U::kNOT), E::kAND);  // detects nothing: all false
  }
  ctx.setOutput(node, 0, inf);
}

// ---- Quantization -------------------------------------------------------------------------------------------------

// A per-tensor parameter broadcasts as is; from opset 13 a 1-D one of more than one element applies along `axis`.
Tensor* quantizationParameter(ImportContext& ctx, const Node& node, Tensor& param, int32_t rank, bool perAxis) {
  Dims dims = param.getDimensions();
  if (dims.nbDims == 0 || (dims.nbDims == 1 && dims.d[0] == 1)) return &param;
  if (!perAxis || dims.nbDims != 1) ctx.invalid(node, "the scale and zero point must be scalars or 1-D (per axis)");
  return alongAxis(ctx, param, ctx.axis(node, ctx.getInt(node, "axis", 1), rank), rank);
}

void checkQuantizationAttributes(const ImportContext& ctx, const Node& node, int64_t version, bool quantize) {
  // saturate (19) "only applies for float 8", which kiln does not have.
  if (version >= 21) {
    if (quantize)
      checkAttributes(ctx, node, {"axis", "saturate", "block_size", "output_dtype"});
    else
      checkAttributes(ctx, node, {"axis", "block_size"});
    if (ctx.getInt(node, "block_size", 0) != 0) ctx.unsupported(node, "blocked quantization (block_size != 0)");
  } else if (version >= 13) {
    checkAttributes(ctx, node, {"axis", "saturate"});
  } else {
    checkAttributes(ctx, node, {});
  }
}

// "y = saturate(round(x / y_scale) + y_zero_point)" to uint8 or int8, rounding half to even; x, the scale and the
// zero point (optional) share one floating-point type.
Tensor* quantize(ImportContext& ctx, Tensor& x, Tensor& scale, Tensor* zeroPoint, DataType out) {
  return roundToQuantized(ctx, *elementWise(ctx, x, scale, E::kDIV), zeroPoint, out);
}

// Computed in fp32 (fp64 for fp64 x).
OpImporter quantizeLinear(int64_t version) {
  return [version](ImportContext& ctx, const Node& node) {
    checkQuantizationAttributes(ctx, node, version, true);
    Tensor& x = ctx.requiredInput(node, 0);
    Tensor* zeroPoint = ctx.input(node, 2);
    DataType out = DataType::kUINT8;  // "default is uint8 with zero point of 0" when no zero point is given
    if (zeroPoint)
      out = zeroPoint->getType();
    else if (ctx.has(node, "output_dtype"))
      out = kilnType(ctx, node, ctx.getInt(node, "output_dtype", 0), "output_dtype");
    if (out != DataType::kUINT8 && out != DataType::kINT8)
      ctx.unsupported(node, std::string("quantization to ") + dataTypeName(out) + " (uint8 and int8 are supported)");
    DataType compute = x.getType() == DataType::kDOUBLE ? DataType::kDOUBLE : DataType::kFLOAT;
    int32_t rank = rankOf(x);
    bool perAxis = version >= 13;
    Tensor* scale = quantizationParameter(ctx, node, *ctx.cast(ctx.requiredInput(node, 1), compute), rank, perAxis);
    Tensor* zp = zeroPoint ? quantizationParameter(ctx, node, *ctx.cast(*zeroPoint, compute), rank, perAxis) : nullptr;
    ctx.setOutput(node, 0, quantize(ctx, *ctx.cast(x, compute), *scale, zp, out));
  };
}

// DynamicQuantizeLinear to uint8: "y_scale = (maximum(0, max(x)) - minimum(0, min(x))) / (qmax - qmin)",
// "intermediate_zero_point = qmin - min(x)/y_scale", "y_zero_point = cast(round(saturate(intermediate_zero_point)))",
// with min(x) adjusted to include 0 as in the operator's function body.
void importDynamicQuantizeLinear(ImportContext& ctx, const Node& node) {
  checkAttributes(ctx, node, {});
  Tensor& x = ctx.requiredInput(node, 0);
  if (x.getType() != DataType::kFLOAT) ctx.invalid(node, "x must be a float tensor");
  int32_t rank = rankOf(x);
  uint32_t allAxes = (1u << rank) - 1;
  auto& net = ctx.network();
  Tensor* zero = ctx.constantScalar(0.0f, DataType::kFLOAT, 0);
  Tensor* lo = net.addReduce(x, ReduceOperation::kMIN, allAxes, false)->getOutput(0);
  Tensor* hi = net.addReduce(x, ReduceOperation::kMAX, allAxes, false)->getOutput(0);
  lo = elementWise(ctx, *lo, *zero, E::kMIN);
  hi = elementWise(ctx, *hi, *zero, E::kMAX);
  Tensor* scale = elementWise(ctx, *elementWise(ctx, *hi, *lo, E::kSUB), *scalarLike(ctx, *hi, 255), E::kDIV);
  Tensor* zeroPoint = elementWise(ctx, *zero, *elementWise(ctx, *lo, *scale, E::kDIV), E::kSUB);
  zeroPoint = unary(ctx, *activation(ctx, *zeroPoint, A::kCLIP, 0.0, 255.0), U::kROUND);
  ctx.setOutput(node, 0, quantize(ctx, x, *scale, zeroPoint, DataType::kUINT8));
  ctx.setOutput(node, 1, scale);
  ctx.setOutput(node, 2, ctx.cast(*zeroPoint, DataType::kUINT8));
}

// "y = (x - x_zero_point) * x_scale" with the scale's type; computed in fp32, or fp64 for int32 x (biases), whose
// values fp32 would round.
OpImporter dequantizeLinear(int64_t version) {
  return [version](ImportContext& ctx, const Node& node) {
    checkQuantizationAttributes(ctx, node, version, false);
    Tensor& x = ctx.requiredInput(node, 0);
    Tensor& scaleIn = ctx.requiredInput(node, 1);
    DataType t = x.getType();
    if (t != DataType::kUINT8 && t != DataType::kINT8 && t != DataType::kINT32)
      ctx.unsupported(node, std::string("dequantizing ") + dataTypeName(t) + " (uint8, int8 and int32 are supported)");
    int32_t rank = rankOf(x);
    bool perAxis = version >= 13;
    DataType compute = t == DataType::kINT32 ? DataType::kDOUBLE : DataType::kFLOAT;
    Tensor* y = ctx.cast(x, compute);
    if (Tensor* zeroPoint = ctx.input(node, 2)) {
      Tensor* zp = quantizationParameter(ctx, node, *ctx.cast(*zeroPoint, compute), rank, perAxis);
      y = elementWise(ctx, *y, *zp, E::kSUB);
    }
    Tensor* scale = quantizationParameter(ctx, node, *ctx.cast(scaleIn, compute), rank, perAxis);
    y = elementWise(ctx, *y, *scale, E::kPROD);
    ctx.setOutput(node, 0, ctx.cast(*y, scaleIn.getType()));
  };
}

}  // namespace

void registerElementwiseImporters(OpRegistry& r) {
  // Arithmetic, comparison and logic. Later versions of these only add types.
  addBinary(r, "Add", plain<E::kSUM>);
  addBinary(r, "Sub", plain<E::kSUB>);
  addBinary(r, "Mul", plain<E::kPROD>);
  addBinary(r, "Div", plain<E::kDIV>);
  addBinary(r, "Pow", power);
  addBinary(r, "Equal", plain<E::kEQUAL>);
  addBinary(r, "Greater", plain<E::kGREATER>);
  addBinary(r, "Less", plain<E::kLESS>);
  addBinary(r, "And", plain<E::kAND>);
  addBinary(r, "Or", plain<E::kOR>);
  addBinary(r, "Xor", plain<E::kXOR>);
  r.add("GreaterOrEqual", 12, binary(orEqual<E::kGREATER>));
  r.add("LessOrEqual", 12, binary(orEqual<E::kLESS>));
  r.add("Mod", 10, importMod);
  r.add("BitShift", 11, importBitShift);
  r.add("Max", 1, variadic(E::kMAX, false));
  r.add("Min", 1, variadic(E::kMIN, false));
  r.add("Sum", 1, variadic(E::kSUM, false));
  r.add("Mean", 1, variadic(E::kSUM, true));

  // Activations. Their later versions only add types.
  r.add("Relu", 1, importRelu);
  r.add("Sigmoid", 1, simpleActivation(A::kSIGMOID));
  r.add("Tanh", 1, simpleActivation(A::kTANH));
  r.add("LeakyRelu", 1, simpleActivation(A::kLEAKY_RELU, Param{"alpha", 0.01}));
  r.add("Elu", 1, simpleActivation(A::kELU, Param{"alpha", 1.0}));
  r.add(
      "Selu", 1,
      simpleActivation(A::kSELU, Param{"alpha", 1.67326319217681884765625}, Param{"gamma", 1.05070102214813232421875}));
  r.add("HardSigmoid", 1, simpleActivation(A::kHARD_SIGMOID, Param{"alpha", 0.2}, Param{"beta", 0.5}));
  r.add("Softplus", 1, simpleActivation(A::kSOFTPLUS));
  r.add("Softsign", 1, simpleActivation(A::kSOFTSIGN));
  r.add("ThresholdedRelu", 10, simpleActivation(A::kTHRESHOLDED_RELU, Param{"alpha", 1.0}));
  r.add("Celu", 12, importCelu);
  r.add("HardSwish", 14, importHardSwish);
  r.add("Mish", 18, importMish);
  r.add("Gelu", 20, importGelu);
  r.add("PRelu", 1, importPRelu);
  r.add("Shrink", 9, importShrink);
  r.add("Clip", 1, importClipAttributes);
  r.add("Clip", 11, importClip);

  // Unary math, each from its first opset; later versions only add types.
  const std::tuple<const char*, int64_t, U> unaryOps[] = {
      {"Abs", 1, U::kABS},   {"Neg", 1, U::kNEG},     {"Exp", 1, U::kEXP},     {"Log", 1, U::kLOG},
      {"Sqrt", 1, U::kSQRT}, {"Floor", 1, U::kFLOOR}, {"Ceil", 1, U::kCEIL},   {"Reciprocal", 1, U::kRECIP},
      {"Not", 1, U::kNOT},   {"Sin", 7, U::kSIN},     {"Cos", 7, U::kCOS},     {"Tan", 7, U::kTAN},
      {"Asin", 7, U::kASIN}, {"Acos", 7, U::kACOS},   {"Atan", 7, U::kATAN},   {"Sinh", 9, U::kSINH},
      {"Cosh", 9, U::kCOSH}, {"Asinh", 9, U::kASINH}, {"Acosh", 9, U::kACOSH}, {"Atanh", 9, U::kATANH},
      {"Sign", 9, U::kSIGN}, {"Erf", 9, U::kERF},     {"IsNaN", 9, U::kISNAN}, {"Round", 11, U::kROUND},
  };
  for (const auto& [name, since, op] : unaryOps) r.add(name, since, simpleUnary(op));
  r.add("IsInf", 10, importIsInf);

  for (int64_t v : {10, 13, 19, 21}) r.add("QuantizeLinear", v, quantizeLinear(v));
  for (int64_t v : {10, 13, 19, 21}) r.add("DequantizeLinear", v, dequantizeLinear(v));
  r.add("DynamicQuantizeLinear", 11, importDynamicQuantizeLinear);
}

}  // namespace kiln::onnx
