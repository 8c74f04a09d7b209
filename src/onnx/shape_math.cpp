// Arithmetic on 1-D int64 shape tensors (shape_math.h).
#include "onnx/shape_math.h"

#include <algorithm>
#include <numeric>
#include <set>

namespace kiln::onnx::shape_math {

int32_t rankOf(Tensor& x) { return x.getDimensions().nbDims; }

std::vector<int64_t> range(int64_t begin, int64_t end) {
  std::vector<int64_t> v(static_cast<size_t>(std::max<int64_t>(end - begin, 0)));
  std::iota(v.begin(), v.end(), begin);
  return v;
}

// x reshaped to the values of the 1-D shape tensor `shape` (0 is a size, not a placeholder), then permuted.
Tensor* reshapeTo(ImportContext& ctx, Tensor& x, Tensor& shape, const std::vector<int32_t>& secondPermutation) {
  auto* s = ctx.network().addShuffle(x);
  s->setZeroIsPlaceholder(false);
  s->setInput(1, shape);
  if (!secondPermutation.empty()) s->setSecondTranspose(secondPermutation);
  return s->getOutput(0);
}

// A shape tensor input (values known at build time) cast to int64, or unsupported naming `what`.
Tensor& shapeInput(ImportContext& ctx, const Node& node, int32_t i, const char* what) {
  Tensor& t = ctx.requiredInput(node, i);
  if (!ctx.asShapeTensor(t))
    ctx.unsupported(
        node, std::string(what) + " must be known at build time (a constant, computed from shapes, or a graph input)");
  return *ctx.cast(t, DataType::kINT64);
}

// Integers from an input that must be a build-time constant; nullopt when the input is absent.
std::optional<std::vector<int64_t>> constantInput(ImportContext& ctx, const Node& node, int32_t i, const char* what) {
  Tensor* t = ctx.input(node, i);
  if (!t) return std::nullopt;
  auto values = ctx.constantInts(t);
  if (!values) ctx.unsupported(node, std::string(what) + " must be a constant");
  return values;
}

// Axes normalized against `rank`; repeated axes are invalid.
std::vector<int32_t> normalizeAxes(ImportContext& ctx, const Node& node, const std::vector<int64_t>& axes,
                                   int32_t rank) {
  std::vector<int32_t> out;
  std::set<int32_t> seen;
  for (int64_t a : axes) {
    int32_t n = ctx.axis(node, a, rank);
    if (!seen.insert(n).second) ctx.invalid(node, "axis " + std::to_string(a) + " is given twice");
    out.push_back(n);
  }
  return out;
}

// A slice of x whose start, size and stride are 1-D shape tensors.
Tensor* slice(ImportContext& ctx, Tensor& x, Tensor& start, Tensor& size, Tensor& stride, SampleMode mode,
              Tensor* fill) {
  Dims zeros;
  zeros.nbDims = rankOf(x);
  // Created reading nothing (size 0 is valid for any start and stride), then given its real parameters.
  auto* layer = ctx.network().addSlice(x, zeros, zeros, zeros);
  if (mode != SampleMode::kSTRICT_BOUNDS) layer->setMode(mode);
  if (fill) layer->setInput(4, *fill);
  layer->setInput(1, start);
  layer->setInput(3, stride);
  layer->setInput(2, size);
  return layer->getOutput(0);
}

// x[..., start : start + size, ...] on one axis; start and size are 1-element shape tensors.
Tensor* sliceAxis(ImportContext& ctx, ShapeMath& m, Tensor& x, Tensor& shape, int32_t axis, Tensor& start,
                  Tensor& size) {
  int32_t rank = rankOf(x);
  Tensor* starts = m.concat(
      {m.constant(std::vector<int64_t>(axis, 0)), &start, m.constant(std::vector<int64_t>(rank - axis - 1, 0))});
  Tensor* sizes = m.concat({m.pick(shape, range(0, axis)), &size, m.pick(shape, range(axis + 1, rank))});
  return slice(ctx, x, *starts, *sizes, *m.constant(std::vector<int64_t>(rank, 1)));
}

}  // namespace kiln::onnx::shape_math
