// Shape rules: slice and gather.
#include <algorithm>
#include <limits>

#include "core/checked_math.h"
#include "graph/infer.h"
#include "ops/indexing.h"

namespace kiln::graph {

namespace {

bool isIndexType(DataType t) { return t == DataType::kINT32 || t == DataType::kINT64; }

// Start, size or stride: the shape tensor at `inputIndex` when set (it overrides the attribute), else the attribute.
std::vector<ExprId> sliceParam(InferContext& ctx, int32_t inputIndex, const ops::IntsAttr& key, size_t rank) {
  std::string name = key.name;
  std::vector<ExprId> v;
  if (ctx.hasInput(inputIndex)) {
    const TensorNode& t = ctx.input(inputIndex);
    if (!isIndexType(t.type) || t.dims.size() != 1)
      ctx.fail("the " + name + " tensor must be a 1-D int32 or int64 tensor");
    v = *t.values;
  } else {
    for (int64_t x : ctx.attrs().get(key)) v.push_back(ctx.constant(x));
  }
  if (v.size() != rank)
    ctx.fail(name + " has " + std::to_string(v.size()) + " entries for an input of rank " + std::to_string(rank));
  return v;
}

// The element count of `dims`, the largest int64 where it does not fit (more than any value list tracks).
int64_t volume(const std::vector<int64_t>& dims) {
  return core::tryProduct(dims).value_or(std::numeric_limits<int64_t>::max());
}

// Picks from a row-major value list: output coordinates c (over `outDims`) read values[base + sum c[a] * steps[a]].
std::vector<ExprId> stridedValues(const std::vector<ExprId>& values, const std::vector<int64_t>& outDims, int64_t base,
                                  const std::vector<int64_t>& steps) {
  int64_t count = volume(outDims);
  std::vector<ExprId> out;
  for (int64_t flat = 0; flat < count; ++flat) {
    int64_t rem = flat, src = base;
    for (size_t a = outDims.size(); a-- > 0;) {
      src += (rem % outDims[a]) * steps[a];
      rem /= outDims[a];
    }
    out.push_back(values[src]);
  }
  return out;
}

// TensorRT ISliceLayer: output[i] = input[start + i * stride] per axis; the output dimensions are `size`. Coordinates
// outside the input are an error (kSTRICT_BOUNDS) or mapped by the sample mode: wrap, clamp, reflect, or read the fill
// value (input 4, a single element of the input's type; zero when absent). Stride 0 repeats one element (broadcast).
void inferSlice(InferContext& ctx) {
  const TensorNode& in = ctx.input(0);
  size_t rank = in.dims.size();
  SampleMode mode = ctx.attrs().get(ops::Slice::kMode);
  if (mode < SampleMode::kSTRICT_BOUNDS || mode > SampleMode::kREFLECT) ctx.fail("unknown sample mode");
  if (ctx.hasInput(4)) {
    if (mode != SampleMode::kFILL) ctx.fail("a fill value (input 4) needs sample mode kFILL");
    ctx.requireSameType(0, 4);
    ctx.requireEqual(ctx.volume(ctx.input(4).dims), ctx.constant(1), "the fill value must hold exactly one element");
  }
  auto start = sliceParam(ctx, 1, ops::Slice::kStart, rank);
  auto size = sliceParam(ctx, 2, ops::Slice::kSize, rank);
  auto stride = sliceParam(ctx, 3, ops::Slice::kStride, rank);
  auto& e = ctx.exprs();
  for (size_t i = 0; i < rank; ++i) {
    std::string axis = "axis " + std::to_string(i) + ": ";
    ctx.requireGreaterEqual(size[i], ctx.constant(0), axis + "size must not be negative");
    auto constSize = ctx.constantValue(size[i]);
    if (constSize == 0) continue;  // reads nothing
    // A size that may be 0 at run time reads nothing then: scale the conditions by min(size, 1).
    ExprId reads = constSize ? ctx.constant(1) : e.min(size[i], ctx.constant(1));
    if (mode == SampleMode::kFILL) continue;  // every coordinate is valid
    if (mode != SampleMode::kSTRICT_BOUNDS) {
      // Wrap, clamp and reflect map any coordinate into the axis, which therefore must not be empty.
      ctx.requireGreaterEqual(in.dims[i], reads, axis + "cannot sample an empty axis");
      continue;
    }
    ExprId last = e.add(start[i], e.mul(e.sub(size[i], ctx.constant(1)), stride[i]));
    // The lowest and highest index read; which end is which depends on the stride's sign.
    auto sign = ctx.constantValue(stride[i]);
    ExprId lo = sign ? (*sign >= 0 ? start[i] : last) : e.min(start[i], last);
    ExprId hi = sign ? (*sign >= 0 ? last : start[i]) : e.max(start[i], last);
    ExprId room = e.sub(e.sub(in.dims[i], ctx.constant(1)), hi);
    ctx.requireGreaterEqual(e.mul(lo, reads), ctx.constant(0), axis + "the slice reads before the start of the axis");
    ctx.requireGreaterEqual(e.mul(room, reads), ctx.constant(0), axis + "the slice reads past the end of the axis");
  }
  ctx.setDerived(ops::Slice::kDerivedStart, start);
  ctx.setDerived(ops::Slice::kDerivedStride, stride);
  // Slicing a shape tensor (ONNX Shape -> Slice) keeps its values when the parameters are constant.
  std::optional<std::vector<ExprId>> values;
  std::vector<int64_t> inDims, outDims, starts, strides;
  if (in.values && mode == SampleMode::kSTRICT_BOUNDS && ctx.constantValues(in.dims, inDims) &&
      ctx.constantValues(size, outDims) && ctx.constantValues(start, starts) && ctx.constantValues(stride, strides) &&
      volume(outDims) <= kMaxTrackedValues) {
    int64_t base = 0, inStride = 1;
    std::vector<int64_t> steps(rank);
    for (size_t a = rank; a-- > 0;) {
      base += starts[a] * inStride;
      steps[a] = strides[a] * inStride;
      inStride *= inDims[a];
    }
    values = stridedValues(*in.values, outDims, base, steps);
  }
  ctx.setOutput(0, in.type, size, values);
}

// Gather over a value list with constant dims; indices are in range (checked by the caller).
std::optional<std::vector<ExprId>> gatherValues(const std::vector<ExprId>& data, const std::vector<int64_t>& dims,
                                                int32_t axis, const std::vector<int64_t>& index) {
  int64_t outer = 1, n = dims[axis], inner = 1;
  for (int32_t a = 0; a < axis; ++a) outer *= dims[a];
  for (size_t a = axis + 1; a < dims.size(); ++a) inner *= dims[a];
  if (outer * static_cast<int64_t>(index.size()) * inner > kMaxTrackedValues) return std::nullopt;
  std::vector<ExprId> out;
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t k : index)
      for (int64_t i = 0; i < inner; ++i) out.push_back(data[(o * n + (k < 0 ? k + n : k)) * inner + i]);
  return out;
}

// ONNX Gather: output shape = data[:axis] + indices + data[axis+1:]; negative indices count from the end.
void inferGatherDefault(InferContext& ctx, int32_t axis) {
  const TensorNode& data = ctx.input(0);
  const TensorNode& indices = ctx.input(1);
  std::vector<ExprId> out(data.dims.begin(), data.dims.begin() + axis);
  out.insert(out.end(), indices.dims.begin(), indices.dims.end());
  out.insert(out.end(), data.dims.begin() + axis + 1, data.dims.end());

  // Indices known now are range-checked now (or by a run-time assertion when the axis is dynamic).
  std::vector<int64_t> index;
  std::optional<std::vector<ExprId>> values;
  if (indices.values && ctx.constantValues(*indices.values, index) && !index.empty()) {
    auto [lowest, highest] = std::minmax_element(index.begin(), index.end());
    ExprId dim = data.dims[axis];
    auto outOfRange = [&](int64_t k) {
      return "index " + std::to_string(k) + " is out of range for axis " + std::to_string(axis);
    };
    if (*highest >= 0) ctx.requireGreaterEqual(dim, ctx.constant(*highest + 1), outOfRange(*highest));
    if (*lowest < 0) ctx.requireGreaterEqual(dim, ctx.constant(-*lowest), outOfRange(*lowest));
    // Gathering from a shape tensor (ONNX Shape -> Gather) keeps its values.
    std::vector<int64_t> dims;
    if (data.values && ctx.constantValues(data.dims, dims)) values = gatherValues(*data.values, dims, axis, index);
  }
  ctx.setOutput(0, data.type, out, values);
}

// ONNX GatherElements: out[i][j][k] = data[i][indices[i][j][k]][k] (axis 1); the output has the indices' shape.
// Every other axis reads the same coordinate of data, so indices may not be larger than data there.
void inferGatherElements(InferContext& ctx, int32_t axis) {
  const TensorNode& data = ctx.input(0);
  const TensorNode& indices = ctx.input(1);
  if (indices.dims.size() != data.dims.size())
    ctx.fail("indices have rank " + std::to_string(indices.dims.size()) + " but data has rank " +
             std::to_string(data.dims.size()));
  for (size_t d = 0; d < data.dims.size(); ++d) {
    if (static_cast<int32_t>(d) == axis) continue;
    ctx.requireGreaterEqual(data.dims[d], indices.dims[d], "indices are larger than data on axis " + std::to_string(d));
  }
  ctx.setOutput(0, data.type, indices.dims);
}

// ONNX GatherND: "an output tensor of rank q + r - indices_shape[-1] - 1 - b"; output shape =
// indices.shape[:-1] + data.shape[b + k:], k = indices.shape[-1], whose first b dimensions equal data's.
void inferGatherND(InferContext& ctx, int32_t batchDims) {
  const TensorNode& data = ctx.input(0);
  const TensorNode& indices = ctx.input(1);
  auto r = static_cast<int32_t>(data.dims.size());
  auto q = static_cast<int32_t>(indices.dims.size());
  if (q < 1) ctx.fail("indices must have rank >= 1");
  if (batchDims < 0 || batchDims >= std::min(q, r))
    ctx.fail("batch dimensions " + std::to_string(batchDims) + " must be below the ranks of data and indices");
  auto k = ctx.constantValue(indices.dims[q - 1]);
  if (!k) ctx.fail("the last dimension of indices (the index tuple length) must be known at build time");
  if (*k < 1 || *k > r - batchDims)
    ctx.fail("index tuples of length " + std::to_string(*k) + " do not fit data of rank " + std::to_string(r) +
             " with " + std::to_string(batchDims) + " batch dimensions");
  for (int32_t d = 0; d < batchDims; ++d)
    ctx.requireEqual(data.dims[d], indices.dims[d], "batch dimension " + std::to_string(d) + " differs");
  std::vector<ExprId> out(indices.dims.begin(), indices.dims.end() - 1);
  out.insert(out.end(), data.dims.begin() + batchDims + *k, data.dims.end());
  ctx.setOutput(0, data.type, out);
}

void inferGather(InferContext& ctx) {
  const TensorNode& indices = ctx.input(1);
  if (!isIndexType(indices.type))
    ctx.fail(std::string("indices must be int32 or int64, not ") + dataTypeName(indices.type));
  int32_t rank = ctx.rank(0);
  if (rank == 0) ctx.fail("cannot gather from a scalar");
  GatherMode mode = ctx.attrs().get(ops::Gather::kMode);
  int64_t batchDims = ctx.attrs().get(ops::Gather::kBatchDims);
  auto axis = [&] { return ctx.normalizeAxis(ctx.attrs().get(ops::Gather::kAxis), rank); };
  if (mode != GatherMode::kND && batchDims != 0) ctx.fail("element-wise (batch) dimensions need gather mode kND");
  switch (mode) {
    case GatherMode::kDEFAULT: return inferGatherDefault(ctx, axis());
    case GatherMode::kELEMENT: return inferGatherElements(ctx, axis());
    case GatherMode::kND: return inferGatherND(ctx, static_cast<int32_t>(batchDims));
  }
  ctx.fail("unknown gather mode");
}

}  // namespace

void registerIndexingOps(OpTable& table) {
  table.add({LayerType::kSLICE, inferSlice});
  table.add({LayerType::kGATHER, inferGather});
}

}  // namespace kiln::graph
