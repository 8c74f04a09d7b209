// Importers: tensors generated from shapes (ConstantOfShape, Range, EyeLike, Trilu, OneHot), Where, CumSum, the
// scatters, and NonZero / Compress of build-time constants.
#include <cmath>
#include <cstring>

#include "graph/graph.h"
#include "graph/network_access.h"
#include "onnx/import_context.h"
#include "ops/copy.h"

namespace kiln::onnx {

namespace {

Tensor* int64Scalar(ImportContext& ctx, int64_t value, int32_t rank) {
  Dims dims;
  dims.nbDims = rank;
  for (int32_t i = 0; i < rank; ++i) dims.d[i] = 1;
  return ctx.constantInt64({value}, dims);
}

// A fill whose dimensions are the values of `dims` (a 1-D shape tensor, possibly symbolic); alpha and beta are
// optional data inputs.
Tensor* fill(ImportContext& ctx, Tensor& dims, FillOperation op, DataType type, Tensor* alpha, Tensor* beta) {
  FillLayer* layer = ctx.network().addFill(Dims{}, op, type);
  layer->setInput(0, dims);
  if (alpha) layer->setInput(1, *alpha);
  if (beta) layer->setInput(2, *beta);
  return layer->getOutput(0);
}

Tensor* elementWise(ImportContext& ctx, Tensor& a, Tensor& b, ElementWiseOperation op) {
  return ctx.network().addElementWise(a, b, op)->getOutput(0);
}

Tensor* select(ImportContext& ctx, Tensor& condition, Tensor& a, Tensor& b) {
  return ctx.network().addSelect(condition, a, b)->getOutput(0);
}

// j - i over the last two axes of `x` (int64, [N, M]): which diagonal each element lies on.
Tensor* diagonalOffsets(ImportContext& ctx, Tensor& x) {
  int32_t rank = x.getDimensions().nbDims;
  Tensor* shape = ctx.network().addShape(x)->getOutput(0);
  Tensor* matrix = ctx.network().addSlice(*shape, Dims{rank - 2}, Dims{2}, Dims{1})->getOutput(0);
  return fill(ctx, *matrix, FillOperation::kLINSPACE, DataType::kINT64, nullptr, ctx.constantInt64({-1, 1}));
}

// ---- Where, ConstantOfShape, Range ------------------------------------------------------------------------------

void importWhere(ImportContext& ctx, const Node& node) {
  ctx.setOutput(node, 0,
                select(ctx, ctx.requiredInput(node, 0), ctx.requiredInput(node, 1), ctx.requiredInput(node, 2)));
}

[[noreturn]] void needBuildTimeValues(ImportContext& ctx, const Node& node, const Tensor& t, const std::string& why) {
  ctx.unsupported(node, "input '" + std::string(t.getName()) + "' " + why + ", so its values must be known at build " +
                            "time (a constant, or computed from tensor shapes); here they are only known at run time");
}

void importConstantOfShape(ImportContext& ctx, const Node& node) {
  Tensor& shape = ctx.requiredInput(node, 0);
  if (!ctx.asShapeTensor(shape)) needBuildTimeValues(ctx, node, shape, "gives the output shape");
  // "If not specified, it defaults to a tensor of value 0 and datatype float32".
  HostData value{DataType::kFLOAT, Dims{1}, std::vector<uint8_t>(4, 0)};
  if (const auto* t = ctx.getTensorAttr(node, "value")) value = readTensor(*t, ctx.baseDir());
  if (value.count() != 1) ctx.invalid(node, "the value attribute must hold one element");
  ctx.setOutput(node, 0, fill(ctx, shape, FillOperation::kCONSTANT, value.type, ctx.constantData(value), nullptr));
}

// The value of a constant scalar; fp64 is read exactly (constantFloats narrows to float).
std::optional<double> constantValue(ImportContext& ctx, Tensor& t) {
  if (t.getType() == DataType::kDOUBLE) {
    const graph::Graph& g = graph::NetworkAccess::graph(ctx.network());
    int32_t producer = g.tensors[graph::NetworkAccess::id(t)].producer;
    if (producer < 0 || g.layers[producer].type != LayerType::kCONSTANT) return std::nullopt;
    const auto& blob = g.blobs.at(g.layers[producer].opAttrs().get(ops::Constant::kBlob));
    if (blob.size() != sizeof(double)) return std::nullopt;
    double v;
    std::memcpy(&v, blob.data(), sizeof v);
    return v;
  }
  auto values = ctx.constantFloats(&t);
  if (!values || values->size() != 1) return std::nullopt;
  return (*values)[0];
}

// "number_of_elements = max( ceil( (limit - start) / delta ) , 0 )" for integer start and limit known as (possibly
// symbolic) values and a constant delta, built from element-wise layers that fold into one expression.
// max(ceil((limit - start) / delta), 0), with ceil(a / d) = -floor(-a / d) for either sign of d.
Tensor* integerRangeLength(ImportContext& ctx, Tensor& start, Tensor& limit, Tensor& delta) {
  using E = ElementWiseOperation;
  Tensor* s = ctx.cast(start, DataType::kINT64);
  Tensor* l = ctx.cast(limit, DataType::kINT64);
  Tensor* d = ctx.cast(delta, DataType::kINT64);
  Tensor* n = elementWise(ctx, *elementWise(ctx, *s, *l, E::kSUB), *d, E::kFLOOR_DIV);
  n = elementWise(ctx, *int64Scalar(ctx, 0, 0), *n, E::kSUB);
  n = elementWise(ctx, *n, *int64Scalar(ctx, 0, 0), E::kMAX);
  return ctx.reshape(*n, Dims{1});
}

// An integer tensor with the same value as `t` when that value is integral and known as a (possibly symbolic) shape
// value: an integral constant, or a shape value cast to floating point (as ONNX's window functions expand to).
Tensor* integralShapeValue(ImportContext& ctx, Tensor& t) {
  if (t.getType() == DataType::kINT32 || t.getType() == DataType::kINT64) return ctx.asShapeTensor(t) ? &t : nullptr;
  if (auto v = constantValue(ctx, t); v && std::nearbyint(*v) == *v && std::fabs(*v) < 9e15)
    return int64Scalar(ctx, static_cast<int64_t>(*v), t.getDimensions().nbDims);
  const graph::Graph& g = graph::NetworkAccess::graph(ctx.network());
  int32_t producer = g.tensors[graph::NetworkAccess::id(t)].producer;
  if (producer < 0 || g.layers[producer].type != LayerType::kCAST) return nullptr;
  Tensor* source = graph::NetworkAccess::tensor(ctx.network(), g.layers[producer].inputs[0]);
  bool integer = source->getType() == DataType::kINT32 || source->getType() == DataType::kINT64;
  return integer && ctx.asShapeTensor(*source) ? source : nullptr;
}

// Range is a 1-D kLINSPACE fill: output[i] = start + i * delta. Its length must be known at build time.
void importRange(ImportContext& ctx, const Node& node) {
  Tensor& start = ctx.requiredInput(node, 0);
  Tensor& limit = ctx.requiredInput(node, 1);
  Tensor& delta = ctx.requiredInput(node, 2);
  DataType type = start.getType();
  if (limit.getType() != type || delta.getType() != type) ctx.invalid(node, "start, limit and delta differ in type");
  bool integer = type == DataType::kINT32 || type == DataType::kINT64;
  Tensor* length = nullptr;
  Tensor* s = integralShapeValue(ctx, start);
  Tensor* l = s ? integralShapeValue(ctx, limit) : nullptr;
  Tensor* d = l ? integralShapeValue(ctx, delta) : nullptr;
  bool constant = constantValue(ctx, start) && constantValue(ctx, limit) && constantValue(ctx, delta);
  if (d && (integer || !constant)) {
    // A delta of 0 known only at run time fails there, as a shape expression dividing by zero.
    if (auto step = ctx.constantInts(d); step && step->size() == 1 && (*step)[0] == 0) ctx.invalid(node, "delta is 0");
    length = integerRangeLength(ctx, *s, *l, *d);
  } else {
    auto s = constantValue(ctx, start), l = constantValue(ctx, limit), d = constantValue(ctx, delta);
    if (!s || !l || !d) {
      Tensor* runtime = !s ? &start : !l ? &limit : &delta;
      needBuildTimeValues(ctx, node, *runtime, "sets the output length");
    }
    if (*d == 0) ctx.invalid(node, "delta is 0");
    double n = std::max(std::ceil((*l - *s) / *d), 0.0);
    if (!(n < 9e15)) ctx.invalid(node, "the output length is not finite");
    length = ctx.constantInt64({static_cast<int64_t>(n)});
  }
  ctx.setOutput(node, 0, fill(ctx, *length, FillOperation::kLINSPACE, type, &start, ctx.reshape(delta, Dims{1})));
}

// ---- EyeLike, Trilu, OneHot ---------------------------------------------------------------------------------------

// "this op sets T2[i, i+k] = 1": ones where j - i == k.
void importEyeLike(ImportContext& ctx, const Node& node) {
  Tensor& x = ctx.requiredInput(node, 0);
  if (x.getDimensions().nbDims != 2) ctx.invalid(node, "the input must be 2-D");
  DataType type = x.getType();
  if (ctx.has(node, "dtype")) type = fromOnnxType(static_cast<int32_t>(ctx.getInt(node, "dtype", 0)), nodeLabel(node));
  Tensor* diagonal = elementWise(ctx, *diagonalOffsets(ctx, x), *int64Scalar(ctx, ctx.getInt(node, "k", 0), 2),
                                 ElementWiseOperation::kEQUAL);
  ctx.setOutput(node, 0, select(ctx, *diagonal, *ctx.constantScalar(1, type, 2), *ctx.constantScalar(0, type, 2)));
}

// "The upper triangular part consists of the elements on and above the given diagonal (k). The lower triangular part
// consists of elements on and below the diagonal": upper keeps j - i >= k, lower keeps j - i <= k. k may be a run-time
// tensor: it only changes the values.
void importTrilu(ImportContext& ctx, const Node& node) {
  Tensor& x = ctx.requiredInput(node, 0);
  if (x.getDimensions().nbDims < 2) ctx.invalid(node, "the input must have rank >= 2");
  Tensor* k = ctx.input(node, 1);
  Tensor* diagonal = k ? ctx.reshape(*ctx.cast(*k, DataType::kINT64), Dims{1, 1}) : int64Scalar(ctx, 0, 2);
  bool upper = ctx.getInt(node, "upper", 1) != 0;
  Tensor* zeroed = elementWise(ctx, *diagonalOffsets(ctx, x), *diagonal,
                               upper ? ElementWiseOperation::kLESS : ElementWiseOperation::kGREATER);
  ctx.setOutput(node, 0, select(ctx, *zeroed, *ctx.constantScalar(0, x.getType(), 2), x));
}

// OneHot's depth sizes the output, so it must be known at build time; "In case 'depth' is of non-integer type, it
// will be casted to int64 before use."
OpImporter importOneHot(bool negativeIndicesCountFromEnd) {
  return [negativeIndicesCountFromEnd](ImportContext& ctx, const Node& node) {
    Tensor& indices = ctx.requiredInput(node, 0);
    Tensor& depthInput = ctx.requiredInput(node, 1);
    Tensor& values = ctx.requiredInput(node, 2);
    Tensor* depth = &depthInput;
    if (!ctx.asShapeTensor(depthInput)) {
      auto v = ctx.constantFloats(&depthInput);
      if (!v || v->size() != 1) needBuildTimeValues(ctx, node, depthInput, "sizes the output's new axis");
      depth = int64Scalar(ctx, static_cast<int64_t>((*v)[0]), 0);
    }
    Tensor* index = &indices;
    if (!negativeIndicesCountFromEnd) {
      // OneHot-9: "values outside the range [0, depth) will result in one-hot representation with all 'off_value'",
      // so negative indices become depth, which the layer treats as out of range.
      DataType t = indices.getType();
      int32_t rank = indices.getDimensions().nbDims;
      Tensor* negative = elementWise(ctx, indices, *ctx.constantScalar(0, t, rank), ElementWiseOperation::kLESS);
      index = select(ctx, *negative, *ctx.cast(*depth, t), indices);
    }
    auto axis = static_cast<int32_t>(ctx.getInt(node, "axis", -1));
    ctx.setOutput(node, 0, ctx.network().addOneHot(*index, values, *depth, axis)->getOutput(0));
  };
}

// ---- CumSum, scatters -------------------------------------------------------------------------------------------

// The axis is a tensor: a constant becomes the layer's axis, anything else is read by the kernel at run time.
void importCumSum(ImportContext& ctx, const Node& node) {
  Tensor& x = ctx.requiredInput(node, 0);
  Tensor& axis = ctx.requiredInput(node, 1);
  bool exclusive = ctx.getInt(node, "exclusive", 0) != 0, reverse = ctx.getInt(node, "reverse", 0) != 0;
  auto constant = ctx.constantInts(&axis);
  bool known = constant && constant->size() == 1;
  CumulativeLayer* layer = ctx.network().addCumulative(x, known ? static_cast<int32_t>((*constant)[0]) : 0,
                                                       CumulativeOperation::kSUM, exclusive, reverse);
  if (!known) layer->setInput(1, axis);
  ctx.setOutput(node, 0, layer->getOutput(0));
}

// The reduction attribute: ScatterElements/ScatterND-16 add "add" and "mul", -18 "max" and "min".
ScatterReduction scatterReduction(ImportContext& ctx, const Node& node, int64_t version) {
  std::string name = ctx.getString(node, "reduction", "none");
  if (name == "none") return ScatterReduction::kNONE;
  if (version >= 16 && name == "add") return ScatterReduction::kADD;
  if (version >= 16 && name == "mul") return ScatterReduction::kMUL;
  if (version >= 18 && name == "max") return ScatterReduction::kMAX;
  if (version >= 18 && name == "min") return ScatterReduction::kMIN;
  ctx.unsupported(node, "reduction '" + name + "' is not defined for " + node.op_type() + "-" +
                            std::to_string(version) + " (opset 16 adds add and mul, opset 18 max and min)");
}

OpImporter importScatter(ScatterMode mode, int64_t version) {
  return [mode, version](ImportContext& ctx, const Node& node) {
    ScatterReduction reduction = scatterReduction(ctx, node, version);
    auto axis = static_cast<int32_t>(mode == ScatterMode::kELEMENT ? ctx.getInt(node, "axis", 0) : 0);
    ScatterLayer* layer = ctx.network().addScatter(ctx.requiredInput(node, 0), ctx.requiredInput(node, 1),
                                                   ctx.requiredInput(node, 2), mode, axis);
    layer->setReduction(reduction);
    ctx.setOutput(node, 0, layer->getOutput(0));
  };
}

// ---- NonZero, Compress --------------------------------------------------------------------------------------------

// Their output shapes depend on the input values, which kiln only knows at build time for constants: those are
// folded here, anything else is unsupported.
std::vector<float> constantOrUnsupported(ImportContext& ctx, const Node& node, Tensor& t) {
  auto values = ctx.constantFloats(&t);
  if (!values)
    ctx.unsupported(node, "the output shape depends on the values of '" + std::string(t.getName()) +
                              "', which are only known at run time (only constants are supported)");
  return *values;
}

// NonZero: the coordinates of the non-zero elements, one row per axis, "but for scalar input, NonZero produces
// output shape (0, N)".
void importNonZero(ImportContext& ctx, const Node& node) {
  Tensor& x = ctx.requiredInput(node, 0);
  auto values = constantOrUnsupported(ctx, node, x);
  Dims dims = x.getDimensions();
  std::vector<std::vector<int64_t>> rows(dims.nbDims);
  int64_t count = 0;
  for (int64_t flat = 0; flat < static_cast<int64_t>(values.size()); ++flat) {
    if (values[flat] == 0) continue;  // NaN is non-zero
    ++count;
    for (int64_t a = dims.nbDims - 1, rem = flat; a >= 0; --a) {
      rows[a].push_back(rem % dims.d[a]);
      rem /= dims.d[a];
    }
  }
  std::vector<int64_t> result;
  for (const auto& row : rows) result.insert(result.end(), row.begin(), row.end());
  ctx.setOutput(node, 0, ctx.constantInt64(result, Dims{dims.nbDims, count}));
}

// Compress with a constant condition is a gather of the selected positions ("input is flattened" without an axis).
// numpy.compress ignores a condition shorter than the axis beyond its end; a longer one may only add false entries.
void importCompress(ImportContext& ctx, const Node& node) {
  Tensor& input = ctx.requiredInput(node, 0);
  auto condition = constantOrUnsupported(ctx, node, ctx.requiredInput(node, 1));
  Tensor* data = &input;
  int32_t axis = 0;
  if (ctx.has(node, "axis"))
    axis = ctx.axis(node, ctx.getInt(node, "axis", 0), input.getDimensions().nbDims);
  else
    data = ctx.reshape(input, Dims{-1});
  std::vector<int64_t> positions;
  for (size_t i = 0; i < condition.size(); ++i)
    if (condition[i] != 0) positions.push_back(static_cast<int64_t>(i));
  // Positions past a dynamic axis' end are caught by the gather's run-time range check.
  int64_t n = data->getDimensions().d[axis];
  if (n >= 0 && !positions.empty() && positions.back() >= n)
    ctx.invalid(node, "the condition selects position " + std::to_string(positions.back()) + " of an axis of " +
                          std::to_string(n));
  ctx.setOutput(node, 0, ctx.network().addGather(*data, *ctx.constantInt64(positions), axis)->getOutput(0));
}

[[noreturn]] void importDeprecatedScatter(ImportContext& ctx, const Node& node) {
  ctx.unsupported(node, "Scatter is deprecated from opset 11; use ScatterElements");
}

}  // namespace

void registerGenerationImporters(OpRegistry& r) {
  r.add("Where", 9, importWhere);
  r.add("ConstantOfShape", 9, importConstantOfShape);
  r.add("Range", 11, importRange);
  r.add("EyeLike", 9, importEyeLike);
  r.add("Trilu", 14, importTrilu);
  r.add("OneHot", 9, importOneHot(false));
  r.add("OneHot", 11, importOneHot(true));
  r.add("CumSum", 11, importCumSum);
  r.add("Scatter", 9, importScatter(ScatterMode::kELEMENT, 9));
  r.add("Scatter", 11, importDeprecatedScatter);
  for (int64_t version : {11, 16, 18}) {
    r.add("ScatterElements", version, importScatter(ScatterMode::kELEMENT, version));
    r.add("ScatterND", version, importScatter(ScatterMode::kND, version));
  }
  r.add("NonZero", 9, importNonZero);
  r.add("Compress", 9, importCompress);
}

}  // namespace kiln::onnx
