// Shape rules: resize and grid sample. The resize output size comes from fixed dimensions, a shape tensor on input 1,
// or scales; the kernel gets the scales that map coordinates (kMappingScales) when they are known, else uses
// output/input.
#include <cmath>

#include "graph/infer.h"
#include "ops/resize.h"

namespace kiln::graph {

namespace {

// Output length of an axis from a scale. Dynamic axes need an integer or reciprocal-integer scale.
ExprId scaledDim(InferContext& ctx, ExprId dim, double scale) {
  // A size or factor beyond this is no real image; converting it to an integer would be undefined.
  constexpr double kLargest = 0x1p62;
  auto integer = [&](double value) {
    if (!(value < kLargest))
      ctx.fail("scale " + std::to_string(scale) + " makes an axis larger than any tensor (" + std::to_string(value) +
               ")");
    return static_cast<int64_t>(value);
  };
  double rounded = std::round(scale);
  if (auto c = ctx.constantValue(dim)) {
    // In float, as ONNX Runtime and PyTorch compute it (10 * 0.7f is 7, not 6.99...).
    float size = static_cast<float>(*c) * static_cast<float>(scale);
    return ctx.constant(integer(std::floor(size)));
  }
  if (scale == rounded) return ctx.exprs().mul(dim, ctx.constant(integer(rounded)));
  if (scale < 1 && std::abs(1.0 / scale - std::round(1.0 / scale)) < 1e-9)
    return ctx.exprs().floorDiv(dim, ctx.constant(integer(std::round(1.0 / scale))));
  ctx.fail("a non-integer scale on a dynamic axis is not supported; give the output size instead");
}

std::vector<double> positiveScales(InferContext& ctx, const ops::FloatsAttr& key, size_t rank) {
  auto scales = ctx.attrs().get(key);
  if (scales.size() != rank)
    ctx.fail(std::string(key.name) + " has " + std::to_string(scales.size()) + " entries for rank " +
             std::to_string(rank));
  for (double s : scales)
    if (!(s > 0) || !std::isfinite(s)) ctx.fail(std::string(key.name) + " must be positive and finite");
  return scales;
}

template <typename E>
void checkEnum(InferContext& ctx, const ops::EnumAttr<E>& key, E last, const char* what) {
  auto v = static_cast<int64_t>(ctx.attrs().get(key));
  if (v < 0 || v > static_cast<int64_t>(last)) ctx.fail(std::string("unknown ") + what + " " + std::to_string(v));
}

void inferResize(InferContext& ctx) {
  using ops::Resize;
  ops::OpAttrs attrs = ctx.attrs();
  const TensorNode& in = ctx.input(0);
  ctx.requireFloat(0);
  checkEnum(ctx, Resize::kMode, ResizeMode::kCUBIC, "resize mode");
  checkEnum(ctx, Resize::kCoordinateTransformation, ResizeCoordinateTransformation::kHALF_PIXEL_SYMMETRIC,
            "coordinate transformation");
  checkEnum(ctx, Resize::kNearestRounding, ResizeRoundMode::kCEIL, "nearest rounding");
  ResizeMode mode = attrs.get(Resize::kMode);
  if (attrs.get(Resize::kAntialias) && mode == ResizeMode::kNEAREST)
    ctx.fail("antialiasing applies to linear and cubic resizing, not nearest");
  size_t rank = in.dims.size();
  if (auto roi = attrs.find(Resize::kRegionOfInterest); roi && roi->size() != 2 * rank)
    ctx.fail("the region of interest has " + std::to_string(roi->size()) + " values for rank " + std::to_string(rank) +
             " (starts then ends: 2 x rank)");

  std::vector<ExprId> out;
  std::vector<double> mapping;
  if (attrs.has(Resize::kOutputDims)) {
    for (int64_t v : attrs.get(Resize::kOutputDims)) {
      if (v <= 0) ctx.fail("output dimensions must be positive");
      out.push_back(ctx.constant(v));
    }
  } else if (ctx.hasInput(1)) {
    out = *ctx.input(1).values;
  } else if (attrs.has(Resize::kScales)) {
    auto scales = positiveScales(ctx, Resize::kScales, rank);
    for (size_t i = 0; i < rank; ++i) out.push_back(scaledDim(ctx, in.dims[i], scales[i]));
    // Only when the scales chose the output size do they also map coordinates (ONNX Resize).
    mapping = scales;
  } else {
    out = in.dims;
  }
  if (out.size() != rank)
    ctx.fail("output has rank " + std::to_string(out.size()) + " but the input has rank " + std::to_string(rank));
  if (attrs.has(Resize::kCoordinateScales)) mapping = positiveScales(ctx, Resize::kCoordinateScales, rank);
  for (size_t i = 0; i < rank; ++i)
    ctx.requireGreaterEqual(out[i], ctx.constant(1), "output dimension must be positive");
  if (!mapping.empty()) ctx.setDerived(Resize::kMappingScales, mapping);
  ctx.setOutput(0, in.type, out);
}

// Input N x C x H x W and grid N x H_out x W_out x 2 give N x C x H_out x W_out.
void inferGridSample(InferContext& ctx) {
  ctx.requireFloat(0);
  ctx.requireSameType(0, 1);
  checkEnum(ctx, ops::GridSample::kMode, ResizeMode::kCUBIC, "interpolation mode");
  checkEnum(ctx, ops::GridSample::kPadding, GridSamplePadding::kREFLECTION, "padding mode");
  if (ctx.rank(0) != 4) ctx.fail("the input must be N x C x H x W, not rank " + std::to_string(ctx.rank(0)));
  if (ctx.rank(1) != 4) ctx.fail("the grid must be N x H_out x W_out x 2, not rank " + std::to_string(ctx.rank(1)));
  const auto& x = ctx.input(0).dims;
  const auto& grid = ctx.input(1).dims;
  ctx.requireEqual(grid[0], x[0], "the grid's batch differs from the input's");
  ctx.requireEqual(grid[3], ctx.constant(2), "the grid's last axis must hold 2 coordinates");
  ctx.setOutput(0, ctx.input(0).type, {x[0], x[1], grid[1], grid[2]});
}

}  // namespace

void registerResizeOps(OpTable& table) {
  table.add({LayerType::kRESIZE, inferResize});
  table.add({LayerType::kGRID_SAMPLE, inferGridSample});
}

}  // namespace kiln::graph
