// Shape rules: select, fill, scatter, cumulative and one-hot.
#include <cmath>

#include "core/checked_math.h"
#include "graph/broadcast.h"
#include "graph/infer.h"
#include "ops/generation.h"

namespace kiln::graph {

namespace {

bool isIndexType(DataType t) { return t == DataType::kINT32 || t == DataType::kINT64; }

void requireIndices(InferContext& ctx, int32_t input, const char* what) {
  DataType t = ctx.input(input).type;
  if (!isIndexType(t)) ctx.fail(std::string(what) + " must be int32 or int64, not " + dataTypeName(t));
}

void requireOneElement(InferContext& ctx, int32_t input, const char* what) {
  ctx.requireEqual(ctx.volume(ctx.input(input).dims), ctx.constant(1), std::string(what) + " must hold one element");
}

// Output = condition ? then : else, all three broadcast (numpy rules).
void inferSelect(InferContext& ctx) {
  if (ctx.input(0).type != DataType::kBOOL)
    ctx.fail(std::string("the condition must be a bool tensor, not ") + dataTypeName(ctx.input(0).type));
  ctx.requireSameType(1, 2);
  const TensorNode& condition = ctx.input(0);
  const TensorNode& a = ctx.input(1);
  const TensorNode& b = ctx.input(2);
  auto out = broadcastShapes(ctx, {condition.dims, a.dims, b.dims});
  // Shape values picked by a condition known at build time keep their values (PyTorch's expand() pattern
  // Where(Equal(shape, -1), 1, shape), whose Equal folds).
  std::optional<std::vector<ExprId>> values;
  if (condition.values && a.values && b.values) {
    auto vc = broadcastValues(ctx, *condition.values, condition.dims, out);
    auto va = broadcastValues(ctx, *a.values, a.dims, out);
    auto vb = broadcastValues(ctx, *b.values, b.dims, out);
    if (vc && va && vb) {
      std::vector<ExprId> picked;
      for (size_t i = 0; i < vc->size(); ++i) {
        auto c = ctx.constantValue((*vc)[i]);
        if (!c) break;
        picked.push_back(*c ? (*va)[i] : (*vb)[i]);
      }
      if (picked.size() == vc->size()) values = std::move(picked);
    }
  }
  ctx.setOutput(0, a.type, out, values);
}

// The integer value of a fill parameter known at build time: input `i`'s values, or the attribute when it is an
// integer; nullopt otherwise.
std::optional<std::vector<ExprId>> fillParameter(InferContext& ctx, int32_t input, const ops::FloatAttr& key,
                                                 size_t count) {
  if (ctx.hasInput(input)) return ctx.input(input).values;
  double v = ctx.attrs().get(key);
  if (v != std::trunc(v) || std::fabs(v) > 9e15) return std::nullopt;
  return std::vector<ExprId>(count, ctx.constant(static_cast<int64_t>(v)));
}

// Integer fills of a few elements carry their values (ONNX ConstantOfShape feeding a Concat of shape values).
std::optional<std::vector<ExprId>> fillValues(InferContext& ctx, FillOperation op, const std::vector<ExprId>& dims) {
  std::vector<int64_t> extent;
  if (!ctx.constantValues(dims, extent)) return std::nullopt;
  int64_t count = core::tryProduct(extent).value_or(kMaxTrackedValues + 1);
  if (count > kMaxTrackedValues) return std::nullopt;
  auto alpha = fillParameter(ctx, 1, ops::Fill::kAlpha, 1);
  auto beta = op == FillOperation::kLINSPACE ? fillParameter(ctx, 2, ops::Fill::kBeta, dims.size())
                                             : std::optional(std::vector<ExprId>(dims.size(), ctx.constant(0)));
  if (!alpha || !beta || alpha->size() != 1 || beta->size() != dims.size()) return std::nullopt;
  auto& e = ctx.exprs();
  std::vector<ExprId> values;
  for (int64_t flat = 0; flat < count; ++flat) {
    ExprId v = (*alpha)[0];
    for (int64_t a = static_cast<int64_t>(extent.size()) - 1, rem = flat; a >= 0; --a) {
      v = e.add(v, e.mul(ctx.constant(rem % extent[a]), (*beta)[a]));
      rem /= extent[a];
    }
    values.push_back(v);
  }
  return values;
}

// Dimensions from input 0 (a 1-D shape tensor, whose values may be symbolic) or the dims attribute. kCONSTANT
// writes alpha everywhere; kLINSPACE writes alpha + sum over axes of index * beta[axis]. Alpha (input 1, one element)
// and beta (input 2, one value per axis) are read as data at run time, so they may be computed by the network.
void inferFill(InferContext& ctx) {
  FillOperation op = ctx.attrs().get(ops::Fill::kOp);
  if (op != FillOperation::kCONSTANT && op != FillOperation::kLINSPACE) ctx.fail("unknown fill operation");
  auto typeValue = static_cast<int64_t>(ctx.attrs().get(ops::Fill::kType));
  if (!isValidDataType(static_cast<int32_t>(typeValue))) ctx.fail("invalid output type");
  auto type = static_cast<DataType>(typeValue);
  if (op == FillOperation::kLINSPACE && type == DataType::kBOOL) ctx.fail("kLINSPACE cannot produce bool values");
  std::vector<ExprId> dims;
  if (ctx.hasInput(0)) {
    const TensorNode& shape = ctx.input(0);
    requireIndices(ctx, 0, "the dimensions tensor (input 0)");
    if (shape.dims.size() != 1) ctx.fail("the dimensions tensor (input 0) must be 1-D");
    dims = *shape.values;
    for (size_t i = 0; i < dims.size(); ++i)
      ctx.requireGreaterEqual(dims[i], ctx.constant(0), "dimension " + std::to_string(i) + " must not be negative");
  } else {
    for (int64_t d : ctx.attrs().get(ops::Fill::kDims)) dims.push_back(ctx.constant(d));
  }
  for (int32_t i : {1, 2}) {
    if (ctx.hasInput(i) && ctx.input(i).type == DataType::kBOOL && type != DataType::kBOOL)
      ctx.fail("input " + std::to_string(i) + " is bool but the output is not");
  }
  if (ctx.hasInput(1)) requireOneElement(ctx, 1, "alpha (input 1)");
  if (ctx.hasInput(2)) {
    if (op != FillOperation::kLINSPACE) ctx.fail("beta (input 2) needs the kLINSPACE operation");
    ctx.requireEqual(ctx.volume(ctx.input(2).dims), ctx.constant(static_cast<int64_t>(dims.size())),
                     "beta (input 2) must hold one value per output axis");
  }
  std::optional<std::vector<ExprId>> values;
  if (isIndexType(type)) values = fillValues(ctx, op, dims);
  ctx.setOutput(0, type, dims, values);
}

// ONNX ScatterElements: data, indices and updates of one rank; indices and updates of one shape, no larger than data
// on the axes other than the scatter axis.
void checkScatterElements(InferContext& ctx, const TensorNode& data, const TensorNode& indices,
                          const TensorNode& updates) {
  int32_t rank = static_cast<int32_t>(data.dims.size());
  if (rank == 0) ctx.fail("cannot scatter into a scalar");
  if (indices.dims.size() != data.dims.size() || updates.dims.size() != data.dims.size())
    ctx.fail("data, indices and updates must have the same rank (" + std::to_string(rank) + ", " +
             std::to_string(indices.dims.size()) + ", " + std::to_string(updates.dims.size()) + ")");
  int32_t axis = ctx.normalizeAxis(ctx.attrs().get(ops::Scatter::kAxis), rank);
  for (int32_t d = 0; d < rank; ++d) {
    ctx.requireEqual(indices.dims[d], updates.dims[d], "indices and updates differ on axis " + std::to_string(d));
    if (d != axis)
      ctx.requireGreaterEqual(data.dims[d], indices.dims[d],
                              "indices are larger than data on axis " + std::to_string(d));
  }
}

// ONNX ScatterND: "updates tensor of rank q + r - indices.shape[-1] - 1", of shape
// indices.shape[0:q-1] ++ data.shape[k:r-1], k = indices.shape[-1].
void checkScatterND(InferContext& ctx, const TensorNode& data, const TensorNode& indices, const TensorNode& updates) {
  auto r = static_cast<int32_t>(data.dims.size());
  auto q = static_cast<int32_t>(indices.dims.size());
  if (r < 1 || q < 1) ctx.fail("data and indices must have rank >= 1");
  auto k = ctx.constantValue(indices.dims[q - 1]);
  if (!k) ctx.fail("the last dimension of indices (the index tuple length) must be known at build time");
  if (*k < 1 || *k > r)
    ctx.fail("index tuples of length " + std::to_string(*k) + " do not fit data of rank " + std::to_string(r));
  std::vector<ExprId> expected(indices.dims.begin(), indices.dims.end() - 1);
  expected.insert(expected.end(), data.dims.begin() + *k, data.dims.end());
  if (updates.dims.size() != expected.size())
    ctx.fail("updates have rank " + std::to_string(updates.dims.size()) + " but must have shape " +
             ctx.dimsToString(expected));
  for (size_t d = 0; d < expected.size(); ++d)
    ctx.requireEqual(updates.dims[d], expected[d],
                     "updates differ from " + ctx.dimsToString(expected) + " on axis " + std::to_string(d));
}

// The output is data with updates written (or reduced) at the positions indices name.
void inferScatter(InferContext& ctx) {
  ScatterMode mode = ctx.attrs().get(ops::Scatter::kMode);
  ScatterReduction reduction = ctx.attrs().get(ops::Scatter::kReduction);
  if (reduction < ScatterReduction::kNONE || reduction > ScatterReduction::kMIN) ctx.fail("unknown scatter reduction");
  const TensorNode& data = ctx.input(0);
  requireIndices(ctx, 1, "indices");
  if (ctx.input(2).type != data.type)
    ctx.fail(std::string("updates have type ") + dataTypeName(ctx.input(2).type) + " but data has " +
             dataTypeName(data.type));
  if (reduction != ScatterReduction::kNONE && data.type == DataType::kBOOL)
    ctx.fail("reductions are not defined on bool data");
  if (mode == ScatterMode::kELEMENT)
    checkScatterElements(ctx, data, ctx.input(1), ctx.input(2));
  else if (mode == ScatterMode::kND)
    checkScatterND(ctx, data, ctx.input(1), ctx.input(2));
  else
    ctx.fail("unknown scatter mode");
  ctx.setOutput(0, data.type, data.dims);
}

// A running sum along one axis. The axis is the attribute, or input 1 (a one-element int32/int64 tensor) when set,
// read at run time because ONNX CumSum takes it as a tensor; it does not change the output shape.
void inferCumulative(InferContext& ctx) {
  if (ctx.attrs().get(ops::Cumulative::kOp) != CumulativeOperation::kSUM) ctx.fail("unknown cumulative operation");
  const TensorNode& in = ctx.input(0);
  if (in.type == DataType::kBOOL) ctx.fail("cannot sum bool values");
  int32_t rank = static_cast<int32_t>(in.dims.size());
  if (rank == 0) ctx.fail("the input must have rank >= 1");
  if (ctx.hasInput(1)) {
    requireIndices(ctx, 1, "the axis tensor (input 1)");
    requireOneElement(ctx, 1, "the axis tensor (input 1)");
    const auto& values = ctx.input(1).values;
    if (values && values->size() == 1)
      if (auto axis = ctx.constantValue((*values)[0])) ctx.normalizeAxis(*axis, rank);
  } else {
    ctx.normalizeAxis(ctx.attrs().get(ops::Cumulative::kAxis), rank);
  }
  ctx.setOutput(0, in.type, in.dims);
}

// ONNX OneHot: the output is indices' shape with a new axis of size depth at `axis` (in [-r-1, r]); its type is the
// values' type. Depth (input 2) is a value input: it sizes the output.
void inferOneHot(InferContext& ctx) {
  const TensorNode& indices = ctx.input(0);
  const TensorNode& values = ctx.input(1);
  const TensorNode& depth = ctx.input(2);
  if (indices.type == DataType::kBOOL || indices.type == DataType::kHALF || indices.type == DataType::kBF16)
    ctx.fail(std::string("indices of type ") + dataTypeName(indices.type) + " are not supported");
  if (values.dims.size() != 1) ctx.fail("values must be a 1-D tensor [off, on]");
  ctx.requireEqual(values.dims[0], ctx.constant(2), "values must hold two elements [off, on]");
  requireIndices(ctx, 2, "depth");
  if (depth.values->size() != 1) ctx.fail("depth must hold one element");
  ExprId size = (*depth.values)[0];
  ctx.requireGreaterEqual(size, ctx.constant(0), "depth must not be negative");
  int32_t rank = static_cast<int32_t>(indices.dims.size());
  int32_t axis = ctx.normalizeAxis(ctx.attrs().get(ops::OneHot::kAxis), rank + 1);
  std::vector<ExprId> out = indices.dims;
  out.insert(out.begin() + axis, size);
  ctx.setOutput(0, values.type, out);
}

}  // namespace

void registerGenerationOps(OpTable& table) {
  table.add({LayerType::kSELECT, inferSelect});
  table.add({LayerType::kFILL, inferFill});
  table.add({LayerType::kSCATTER, inferScatter});
  table.add({LayerType::kCUMULATIVE, inferCumulative});
  table.add({LayerType::kONE_HOT, inferOneHot});
}

}  // namespace kiln::graph
