// Importers of the importer-only quantized family (no kiln layer of its own: each op composes layers of other
// families): integer and quantized linear algebra (ConvInteger, MatMulInteger, QLinearConv, QLinearMatMul).
//
// The 8-bit operands minus their zero points are exact in fp32, and so is their product sum while every partial sum
// stays within 2^24, which the importers prove from the reduction length and the operand ranges (the actual values
// of constant weights) before using the fp32 convolution and matrix multiply. Requantization then runs in fp64,
// where the int32 accumulator (plus an int32 bias) is exact.
#include <algorithm>
#include <cmath>
#include <functional>
#include <optional>

#include "onnx/linear_common.h"
#include "onnx/quantization.h"

namespace kiln::onnx {

Tensor* roundToQuantized(ImportContext& ctx, Tensor& q, Tensor* zeroPoint, DataType out) {
  Tensor* y = unary(ctx, q, UnaryOperation::kROUND);
  if (zeroPoint) y = binary(ctx, *y, *zeroPoint, ElementWiseOperation::kSUM);
  bool isSigned = out == DataType::kINT8;
  auto* clip = ctx.network().addActivation(*y, ActivationType::kCLIP);
  clip->setAlpha(isSigned ? -128.0 : 0.0);
  clip->setBeta(isSigned ? 127.0 : 255.0);
  return ctx.cast(*clip->getOutput(0), out);
}

namespace {

using EW = ElementWiseOperation;

// Integers of at most this magnitude are exact in fp32.
constexpr double kExactInFloat = 16777216.0;  // 2^24

struct Range {
  double lo = 0, hi = 0;
};

bool isEightBit(DataType t) { return t == DataType::kINT8 || t == DataType::kUINT8; }

Range typeRange(DataType t) { return t == DataType::kINT8 ? Range{-128, 127} : Range{0, 255}; }

// The values' range: the actual values of a constant, else the type's.
Range valueRange(ImportContext& ctx, Tensor& t) {
  auto values = ctx.constantFloats(&t);
  if (!values || values->empty()) return typeRange(t.getType());
  auto [lo, hi] = std::minmax_element(values->begin(), values->end());
  return {*lo, *hi};
}

// An 8-bit operand and its optional zero point, checked against the spec's types.
struct Quantized {
  Tensor* q = nullptr;
  Tensor* zeroPoint = nullptr;
};

Quantized quantizedInput(ImportContext& ctx, const Node& node, int32_t index, int32_t zeroPointIndex) {
  Quantized in{&ctx.requiredInput(node, index), ctx.input(node, zeroPointIndex)};
  DataType t = in.q->getType();
  if (!isEightBit(t))
    ctx.unsupported(node,
                    "input " + std::to_string(index) + " is " + dataTypeName(t) + " (int8 and uint8 are supported)");
  if (in.zeroPoint && in.zeroPoint->getType() != t)
    ctx.invalid(node, "the zero point of input " + std::to_string(index) + " must have the input's type");
  return in;
}

// The largest |q - zero point|.
double largestMagnitude(ImportContext& ctx, const Quantized& in) {
  Range q = valueRange(ctx, *in.q);
  Range z = in.zeroPoint ? valueRange(ctx, *in.zeroPoint) : Range{};
  return std::max(q.hi - z.lo, z.hi - q.lo);
}

// The largest sum of |w - zero point| over the weights one output reads, for constant weights and zero point:
// element i feeds output outputOf(i) and uses zero point zeroPointOf(i) (when there is more than one).
std::optional<double> largestWeightSum(ImportContext& ctx, const Quantized& w,
                                       const std::function<int64_t(int64_t)>& outputOf,
                                       const std::function<int64_t(int64_t)>& zeroPointOf, int64_t outputs) {
  auto values = ctx.constantFloats(w.q);
  std::optional<std::vector<float>> zeros = std::vector<float>{0.0f};
  if (w.zeroPoint) zeros = ctx.constantFloats(w.zeroPoint);
  if (!values || !zeros || zeros->empty() || outputs <= 0) return std::nullopt;
  std::vector<double> sums(static_cast<size_t>(outputs), 0.0);
  for (int64_t i = 0; i < static_cast<int64_t>(values->size()); ++i) {
    size_t z = zeros->size() == 1 ? 0 : static_cast<size_t>(zeroPointOf(i));
    if (z >= zeros->size()) return std::nullopt;
    sums[static_cast<size_t>(outputOf(i))] += std::abs(static_cast<double>((*values)[i]) - (*zeros)[z]);
  }
  return *std::max_element(sums.begin(), sums.end());
}

// Fails the node unless fp32 sums of `length` products stay exact: |x - zx| * sum |w - zw| (or its bound from the
// ranges) within 2^24.
void requireExactSums(ImportContext& ctx, const Node& node, const Quantized& x, const Quantized& w, int64_t length,
                      std::optional<double> weightSum) {
  if (length < 0 && !weightSum) ctx.unsupported(node, "the reduction length must be known at build time");
  double perInput = largestMagnitude(ctx, x);
  double bound = perInput * (weightSum ? *weightSum : largestMagnitude(ctx, w) * static_cast<double>(length));
  if (bound > kExactInFloat)
    ctx.unsupported(node, "sums of up to " + std::to_string(static_cast<int64_t>(bound)) +
                              " may exceed 2^24, the limit of exact integer accumulation in fp32");
}

// q - zero point in fp32; the zero point (scalar, or per element along an axis) is first shaped by `align`.
Tensor* centered(ImportContext& ctx, const Quantized& in, const std::function<Tensor*(Tensor&)>& align) {
  Tensor* x = ctx.cast(*in.q, DataType::kFLOAT);
  if (!in.zeroPoint) return x;
  return binary(ctx, *x, *align(*ctx.cast(*in.zeroPoint, DataType::kFLOAT)), EW::kSUB);
}

// A scalar or one-element parameter broadcasts as it is.
bool isPerTensor(Tensor& p) {
  Dims d = p.getDimensions();
  return d.nbDims == 0 || (d.nbDims == 1 && d.d[0] == 1);
}

// A 1-D per-channel parameter along `axis` of a rank-`rank` tensor: -1 there, 1 elsewhere.
Tensor* alongAxis(ImportContext& ctx, Tensor& p, int32_t axis, int32_t rank) {
  if (isPerTensor(p) || rankOf(p) != 1) return &p;
  Dims dims;
  dims.nbDims = rank;
  for (int32_t i = 0; i < rank; ++i) dims.d[i] = i == axis ? -1 : 1;
  return ctx.reshape(p, dims);
}

// A's per-row parameters: "If the input is 2D of shape [M, K] then zero point tensor may be an M element vector";
// the N-D form [D1, D2, M, 1] already broadcasts.
Tensor* perRow(ImportContext& ctx, Tensor& p) {
  if (isPerTensor(p) || rankOf(p) != 1) return &p;
  return ctx.reshape(p, Dims{-1, 1});
}

Tensor* asIs(Tensor& p) { return &p; }

// "y = saturate(round(acc * (x_scale * w_scale / y_scale)) + y_zero_point)": the multiplier in fp32 as the reference
// computes it, the product with the int32 accumulator in fp64. The scales are already aligned for broadcasting.
Tensor* requantize(ImportContext& ctx, const Node& node, Tensor& acc, Tensor& xScale, Tensor& wScale, Tensor& yScale,
                   Tensor* yZeroPoint) {
  DataType out = yZeroPoint ? yZeroPoint->getType() : DataType::kUINT8;
  if (!isEightBit(out)) ctx.unsupported(node, std::string("output type ") + dataTypeName(out));
  auto f32 = [&](Tensor& t) { return ctx.cast(t, DataType::kFLOAT); };
  Tensor* multiplier = binary(ctx, *binary(ctx, *f32(xScale), *f32(wScale), EW::kPROD), *f32(yScale), EW::kDIV);
  Tensor* q = binary(ctx, *ctx.cast(acc, DataType::kDOUBLE), *ctx.cast(*multiplier, DataType::kDOUBLE), EW::kPROD);
  Tensor* zero = yZeroPoint ? ctx.cast(*yZeroPoint, DataType::kDOUBLE) : nullptr;
  return roundToQuantized(ctx, *q, zero, out);
}

// ---- Convolution --------------------------------------------------------------------------------------------------

// The exact fp32 convolution of (x - x_zero_point) by (w - w_zero_point), w's zero point per output channel.
Tensor* integerConvolution(ImportContext& ctx, const Node& node, const Quantized& x, const Quantized& w) {
  if (x.zeroPoint && !isPerTensor(*x.zeroPoint)) ctx.unsupported(node, "a per-channel zero point for x");
  int32_t rank = rankOf(*w.q);
  Dims wd = w.q->getDimensions();
  if (rank < 3) ctx.invalid(node, "the weights must be M x C/group x kernel");
  int64_t length = 1;
  for (int32_t i = 1; i < rank; ++i) length = wd.d[i] < 0 || length < 0 ? -1 : length * wd.d[i];
  std::optional<double> weightSum;
  if (length > 0 && wd.d[0] >= 0)
    weightSum = largestWeightSum(
        ctx, w, [length](int64_t i) { return i / length; }, [length](int64_t i) { return i / length; }, wd.d[0]);
  requireExactSums(ctx, node, x, w, length, weightSum);
  Tensor* xc = centered(ctx, x, asIs);
  Tensor* wc = centered(ctx, w, [&](Tensor& z) { return alongAxis(ctx, z, 0, rank); });
  return convolution(ctx, node, *xc, *wc, nullptr);
}

// Inputs x, x_scale, x_zero_point, w, w_scale, w_zero_point, y_scale, y_zero_point, and the optional int32 bias B
// "quantized with scale = x_scale * w_scale and zero point 0", added to the accumulator.
void importQLinearConv(ImportContext& ctx, const Node& node) {
  Quantized x = quantizedInput(ctx, node, 0, 2), w = quantizedInput(ctx, node, 3, 5);
  Tensor* acc = integerConvolution(ctx, node, x, w);
  int32_t rank = rankOf(*acc);
  if (Tensor* bias = ctx.input(node, 8)) {
    if (bias->getType() != DataType::kINT32) ctx.invalid(node, "the bias must be int32");
    if (rankOf(*bias) != 1) ctx.invalid(node, "the bias must be 1-D (one value per output channel)");
    Tensor* perChannel = alongAxis(ctx, *ctx.cast(*bias, DataType::kDOUBLE), 1, rank);
    acc = binary(ctx, *ctx.cast(*acc, DataType::kDOUBLE), *perChannel, EW::kSUM);
  }
  Tensor& xScale = ctx.requiredInput(node, 1);
  if (!isPerTensor(xScale)) ctx.unsupported(node, "a per-channel x_scale");
  Tensor* wScale = alongAxis(ctx, ctx.requiredInput(node, 4), 1, rank);
  ctx.setOutput(node, 0, requantize(ctx, node, *acc, xScale, *wScale, ctx.requiredInput(node, 6), ctx.input(node, 7)));
}

// ---- Matrix multiply ----------------------------------------------------------------------------------------------

// The exact fp32 product of (a - a_zero_point) and (b - b_zero_point): a's zero point per row, b's per column.
Tensor* integerMatMul(ImportContext& ctx, const Node& node, const Quantized& a, const Quantized& b) {
  Dims ad = a.q->getDimensions(), bd = b.q->getDimensions();
  if (ad.nbDims < 1 || bd.nbDims < 1) ctx.invalid(node, "the operands must have rank >= 1");
  int64_t length = ad.d[ad.nbDims - 1];
  std::optional<double> weightSum;
  bool columns = bd.nbDims >= 2 && !bd.hasDynamic() && bd.d[bd.nbDims - 1] > 0 && bd.d[bd.nbDims - 2] > 0;
  if (columns) {
    int64_t k = bd.d[bd.nbDims - 2], n = bd.d[bd.nbDims - 1];
    weightSum = largestWeightSum(
        ctx, b, [k, n](int64_t i) { return i / (k * n) * n + i % n; }, [n](int64_t i) { return i % n; },
        bd.volume() / k);
  }
  requireExactSums(ctx, node, a, b, length, weightSum);
  Tensor* ac = centered(ctx, a, [&](Tensor& z) { return perRow(ctx, z); });
  Tensor* bc = centered(ctx, b, asIs);
  return ctx.network().addMatrixMultiply(*ac, MatrixOperation::kNONE, *bc, MatrixOperation::kNONE)->getOutput(0);
}

// Inputs a, a_scale, a_zero_point, b, b_scale, b_zero_point, y_scale, y_zero_point; a's scale per row, b's per
// column (opset 21 only widens the scale types, which are read as fp32).
void importQLinearMatMul(ImportContext& ctx, const Node& node) {
  Quantized a = quantizedInput(ctx, node, 0, 2), b = quantizedInput(ctx, node, 3, 5);
  Tensor* acc = integerMatMul(ctx, node, a, b);
  Tensor* aScale = perRow(ctx, ctx.requiredInput(node, 1));
  ctx.setOutput(
      node, 0,
      requantize(ctx, node, *acc, *aScale, ctx.requiredInput(node, 4), ctx.requiredInput(node, 6), ctx.input(node, 7)));
}

// ConvInteger and MatMulInteger: inputs A, B, a_zero_point, b_zero_point; "(A - a_zero_point) * (B - b_zero_point)"
// as int32.
using IntegerProduct = Tensor* (*)(ImportContext&, const Node&, const Quantized&, const Quantized&);

OpImporter integerProduct(IntegerProduct product) {
  return [product](ImportContext& ctx, const Node& node) {
    Quantized a = quantizedInput(ctx, node, 0, 2), b = quantizedInput(ctx, node, 1, 3);
    ctx.setOutput(node, 0, ctx.cast(*product(ctx, node, a, b), DataType::kINT32));
  };
}

}  // namespace

void registerQuantizedImporters(OpRegistry& r) {
  r.add("ConvInteger", 10, integerProduct(integerConvolution));
  r.add("MatMulInteger", 10, integerProduct(integerMatMul));
  r.add("QLinearConv", 10, importQLinearConv);
  r.add("QLinearMatMul", 10, importQLinearMatMul);
  r.add("QLinearMatMul", 21, importQLinearMatMul);
}

}  // namespace kiln::onnx
