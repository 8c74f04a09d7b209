#include "onnx/linear_common.h"

#include <algorithm>
#include <numeric>

namespace kiln::onnx {

namespace {

// A per-spatial-axis attribute: `fallback` on every axis when absent, else exactly `count` values >= minValue.
std::vector<int64_t> spatialInts(ImportContext& ctx, const Node& node, const char* name, size_t count, int64_t fallback,
                                 int64_t minValue) {
  if (!ctx.has(node, name)) return std::vector<int64_t>(count, fallback);
  auto values = ctx.getInts(node, name);
  if (values.size() != count)
    ctx.invalid(node, std::string(name) + " has " + std::to_string(values.size()) + " values, expected " +
                          std::to_string(count));
  for (int64_t v : values)
    if (v < minValue) ctx.invalid(node, std::string(name) + " values must be >= " + std::to_string(minValue));
  return values;
}

}  // namespace

WindowAttrs readWindowAttrs(ImportContext& ctx, const Node& node, size_t nbSpatial,
                            const std::vector<int64_t>& kernelFallback) {
  WindowAttrs w;
  if (ctx.has(node, "kernel_shape"))
    w.kernel = spatialInts(ctx, node, "kernel_shape", nbSpatial, 1, 1);
  else if (!kernelFallback.empty())
    w.kernel = kernelFallback;
  else
    ctx.invalid(node, "kernel_shape is required");
  w.strides = spatialInts(ctx, node, "strides", nbSpatial, 1, 1);
  w.dilations = spatialInts(ctx, node, "dilations", nbSpatial, 1, 1);
  auto pads = spatialInts(ctx, node, "pads", 2 * nbSpatial, 0, 0);
  w.pre.assign(pads.begin(), pads.begin() + static_cast<std::ptrdiff_t>(nbSpatial));
  w.post.assign(pads.begin() + static_cast<std::ptrdiff_t>(nbSpatial), pads.end());
  std::string autoPad = ctx.getString(node, "auto_pad", "NOTSET");
  if (autoPad == "NOTSET" || autoPad.empty()) return w;
  // "auto_pad ... deprecated ... pads: This attribute cannot be used simultaneously with auto_pad attribute."
  if (std::any_of(pads.begin(), pads.end(), [](int64_t p) { return p != 0; }))
    ctx.invalid(node, "pads cannot be used together with auto_pad " + autoPad);
  if (autoPad == "SAME_UPPER")
    w.mode = PaddingMode::kSAME_UPPER;
  else if (autoPad == "SAME_LOWER")
    w.mode = PaddingMode::kSAME_LOWER;
  else if (autoPad != "VALID")
    ctx.unsupported(node, "auto_pad '" + autoPad + "' is not supported");
  return w;
}

Dims toDims(const std::vector<int64_t>& values) {
  Dims d;
  d.nbDims = static_cast<int32_t>(values.size());
  std::copy(values.begin(), values.end(), d.d);
  return d;
}

int32_t rankOf(Tensor& x) { return x.getDimensions().nbDims; }

Tensor* shapeOf(ImportContext& ctx, Tensor& x) { return ctx.network().addShape(x)->getOutput(0); }

Tensor* pickDims(ImportContext& ctx, Tensor& shape, const std::vector<int64_t>& indices) {
  if (indices.empty()) return ctx.constantInt64({});
  return ctx.network().addGather(shape, *ctx.constantInt64(indices), 0)->getOutput(0);
}

Tensor* reshapeTo(ImportContext& ctx, Tensor& x, Tensor& shape) {
  auto* s = ctx.network().addShuffle(x);
  s->setZeroIsPlaceholder(false);
  s->setInput(1, shape);
  return s->getOutput(0);
}

Tensor* dropAxes(ImportContext& ctx, Tensor& x, const std::vector<int32_t>& axes) {
  if (axes.empty()) return &x;
  std::vector<int64_t> kept;
  for (int32_t a = 0; a < rankOf(x); ++a)
    if (std::find(axes.begin(), axes.end(), a) == axes.end()) kept.push_back(a);
  return reshapeTo(ctx, x, *pickDims(ctx, *shapeOf(ctx, x), kept));
}

Tensor* flattenTo2D(ImportContext& ctx, Tensor& x, int32_t axis) {
  int32_t rank = rankOf(x);
  Tensor* shape = shapeOf(ctx, x);
  // The product of the dims in [begin, end) as a 1-element tensor (1 for none).
  auto product = [&](int32_t begin, int32_t end) {
    if (begin == end) return ctx.constantInt64({1});
    std::vector<int64_t> indices(static_cast<size_t>(end - begin));
    std::iota(indices.begin(), indices.end(), begin);
    return ctx.network().addReduce(*pickDims(ctx, *shape, indices), ReduceOperation::kPROD, 1, true)->getOutput(0);
  };
  Tensor* target = ctx.network().addConcatenation({product(0, axis), product(axis, rank)}, 0)->getOutput(0);
  return reshapeTo(ctx, x, *target);
}

uint32_t axesMask(ImportContext& ctx, const Node& node, const std::vector<int64_t>& axes, int32_t rank) {
  uint32_t mask = 0;
  for (int64_t a : axes) {
    uint32_t bit = 1u << ctx.axis(node, a, rank);
    if (mask & bit) ctx.invalid(node, "axis " + std::to_string(a) + " is given twice");
    mask |= bit;
  }
  return mask;
}

Tensor* binary(ImportContext& ctx, Tensor& a, Tensor& b, ElementWiseOperation op) {
  return ctx.network().addElementWise(a, b, op)->getOutput(0);
}

Tensor* unary(ImportContext& ctx, Tensor& x, UnaryOperation op) { return ctx.network().addUnary(x, op)->getOutput(0); }

Tensor* scalarLike(ImportContext& ctx, Tensor& x, float value, int32_t rank) {
  return ctx.constantScalar(value, x.getType(), rank);
}

}  // namespace kiln::onnx
