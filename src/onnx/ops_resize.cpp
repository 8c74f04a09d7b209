// Importers of the resize family (resize and grid sample layers): Resize, Upsample and GridSample.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>

#include "onnx/import_context.h"

namespace kiln::onnx {

namespace {

// ---- Resize and Upsample ----------------------------------------------------------------------------------------

template <typename E>
E lookup(ImportContext& ctx, const Node& node, const char* attr, const std::string& fallback,
         const std::map<std::string, E>& values) {
  std::string v = ctx.getString(node, attr, fallback);
  auto it = values.find(v);
  if (it == values.end()) ctx.unsupported(node, std::string(attr) + " '" + v + "' is not supported");
  return it->second;
}

ResizeMode resizeMode(ImportContext& ctx, const Node& node, bool cubicAllowed) {
  std::map<std::string, ResizeMode> modes = {{"nearest", ResizeMode::kNEAREST}, {"linear", ResizeMode::kLINEAR}};
  if (cubicAllowed) modes["cubic"] = ResizeMode::kCUBIC;
  return lookup(ctx, node, "mode", "nearest", modes);
}

// The CPU kernel and the layer interpolate floating-point tensors; ONNX also allows integer ones.
void requireFloatInput(ImportContext& ctx, const Node& node, Tensor& x) {
  if (!isFloatingPoint(x.getType()))
    ctx.unsupported(node, std::string("resizing ") + dataTypeName(x.getType()) + " tensors is not supported");
}

// An optional input that is absent, or present but empty (Resize-11 passes "" or an empty tensor for the unused
// one of scales and sizes).
Tensor* nonEmptyInput(ImportContext& ctx, const Node& node, int32_t i) {
  Tensor* t = ctx.input(node, i);
  if (!t) return nullptr;
  Dims d = t->getDimensions();
  return d.nbDims == 1 && d.d[0] == 0 ? nullptr : t;
}

std::vector<float> constantScales(ImportContext& ctx, const Node& node, Tensor* scales, size_t expected) {
  auto values = ctx.constantFloats(scales);
  if (!values)
    ctx.unsupported(node,
                    "scales must be known at build time (an initializer or Constant), since they size the output");
  if (values->size() != expected)
    ctx.invalid(node, "scales has " + std::to_string(values->size()) + " values, expected " + std::to_string(expected));
  for (float s : *values)
    if (!(s > 0)) ctx.invalid(node, "scales must be positive");
  return *values;
}

// Applies scales that choose the output size; a dynamic axis with a fractional scale is a kiln limitation.
void setScales(ImportContext& ctx, const Node& node, ResizeLayer& layer, const std::vector<float>& scales) {
  try {
    layer.setScales(scales.data(), static_cast<int32_t>(scales.size()));
  } catch (const Error& e) {
    ctx.unsupported(node, e.message());
  }
}

// Opset < 11 (Upsample, Resize-10): "output_dimension = floor(input_dimension * scale)", coordinates x / scale.
// The nearest index is, as ONNX Runtime computes it, rounded down when upsampling and up when downsampling; both
// in one node need a per-axis rounding the layer does not have.
void importLegacyResize(ImportContext& ctx, const Node& node, Tensor& x, const std::vector<float>& scales) {
  requireFloatInput(ctx, node, x);
  int32_t rank = x.getDimensions().nbDims;
  if (static_cast<int32_t>(scales.size()) != rank)
    ctx.invalid(node, "scales has " + std::to_string(scales.size()) + " values for rank " + std::to_string(rank));
  ResizeMode mode = resizeMode(ctx, node, false);
  bool up = false, down = false;
  for (float s : scales) {
    up |= s > 1;
    // Downsampling by exactly 1/k reads integer coordinates, where rounding up and down agree (not so for 1/3 in
    // float: 1 / 0.33333334 is 2.9999999).
    down |= s < 1 && 1.0 / s != std::round(1.0 / s);
  }
  if (mode == ResizeMode::kNEAREST && up && down)
    ctx.unsupported(node, "nearest with some axes upsampled and others downsampled by a non-integer factor");
  ResizeLayer* layer = ctx.network().addResize(x);
  layer->setResizeMode(mode);
  layer->setCoordinateTransformation(ResizeCoordinateTransformation::kASYMMETRIC);
  layer->setNearestRounding(down ? ResizeRoundMode::kCEIL : ResizeRoundMode::kFLOOR);
  setScales(ctx, node, *layer, scales);
  ctx.setOutput(node, 0, layer->getOutput(0));
}

void importUpsample7(ImportContext& ctx, const Node& node) {
  Tensor& x = ctx.requiredInput(node, 0);
  if (!ctx.has(node, "scales")) ctx.invalid(node, "attribute scales is required");
  importLegacyResize(ctx, node, x, ctx.getFloats(node, "scales"));
}

// Upsample-9 and Resize-10: inputs X and scales.
void importScalesInput(ImportContext& ctx, const Node& node) {
  Tensor& x = ctx.requiredInput(node, 0);
  Tensor& scales = ctx.requiredInput(node, 1);
  importLegacyResize(ctx, node, x, constantScales(ctx, node, &scales, x.getDimensions().nbDims));
}

Dims dimsOf(const std::vector<int64_t>& values) {
  Dims dims;
  dims.nbDims = static_cast<int32_t>(values.size());
  std::copy(values.begin(), values.end(), dims.d);
  return dims;
}

// A 1-element int64 tensor holding element `index` of the shape tensor `values`.
Tensor* element(ImportContext& ctx, Tensor& values, int64_t index) {
  return ctx.network().addGather(values, *ctx.constantInt64({index}), 0)->getOutput(0);
}

// Output sizes of every axis: `sizes[i]` on axes[i], the input's own length elsewhere. Constant when all of them
// are; otherwise a shape tensor assembled from the pieces (for a dynamic batch beside fixed sizes, say), which must
// be built before the resize layer that reads it.
struct OutputSize {
  std::vector<int64_t> constant;  // valid when `tensor` is null
  Tensor* tensor = nullptr;
  std::vector<float> coordinateScales;  // keep_aspect_ratio_policy: the one scale on the resized axes
};

OutputSize fullSizes(ImportContext& ctx, Tensor& x, Tensor& sizes, const std::vector<int32_t>& axes) {
  Dims in = x.getDimensions();
  auto known = ctx.constantInts(&sizes);
  OutputSize result;
  bool allConstant = known.has_value();
  for (int32_t d = 0; d < in.nbDims; ++d) {
    auto it = std::find(axes.begin(), axes.end(), d);
    allConstant &= it != axes.end() || in.d[d] >= 0;
  }
  if (allConstant) {
    for (int32_t d = 0; d < in.nbDims; ++d) {
      auto it = std::find(axes.begin(), axes.end(), d);
      result.constant.push_back(it == axes.end() ? in.d[d] : (*known)[it - axes.begin()]);
    }
    return result;
  }
  if (axes.size() == static_cast<size_t>(in.nbDims) && std::is_sorted(axes.begin(), axes.end())) {
    result.tensor = &sizes;
    return result;
  }
  Tensor* shape = ctx.network().addShape(x)->getOutput(0);
  std::vector<Tensor*> pieces;
  for (int32_t d = 0; d < in.nbDims; ++d) {
    auto it = std::find(axes.begin(), axes.end(), d);
    pieces.push_back(it == axes.end() ? element(ctx, *shape, d) : element(ctx, sizes, it - axes.begin()));
  }
  result.tensor = ctx.network().addConcatenation(pieces, 0)->getOutput(0);
  return result;
}

// Resize-18 keep_aspect_ratio_policy "not_larger"/"not_smaller": "scale = Min(sizes[i] / in_size[d])" (or Max),
// "out_size[d] = round_half_up(scale * in_size[d])"; coordinates then map with that one scale.
OutputSize keepAspectRatio(ImportContext& ctx, const Node& node, Tensor& x, Tensor& sizes,
                           const std::vector<int32_t>& axes, bool notLarger) {
  Dims in = x.getDimensions();
  auto known = ctx.constantInts(&sizes);
  if (!known) ctx.unsupported(node, "keep_aspect_ratio_policy needs constant sizes");
  double scale = notLarger ? INFINITY : 0.0;
  for (size_t i = 0; i < axes.size(); ++i) {
    if (in.d[axes[i]] < 0) ctx.unsupported(node, "keep_aspect_ratio_policy needs static lengths on the resized axes");
    double ratio = static_cast<double>((*known)[i]) / static_cast<double>(in.d[axes[i]]);
    scale = notLarger ? std::min(scale, ratio) : std::max(scale, ratio);
  }
  std::vector<int64_t> adjusted(axes.size());
  for (size_t i = 0; i < axes.size(); ++i)
    adjusted[i] = static_cast<int64_t>(std::floor(scale * static_cast<double>(in.d[axes[i]]) + 0.5));
  OutputSize out = fullSizes(ctx, x, *ctx.constantInt64(adjusted), axes);
  out.coordinateScales.assign(in.nbDims, 1.0f);
  for (int32_t d : axes) out.coordinateScales[d] = static_cast<float>(scale);
  return out;
}

// Resize-11 and later: X, roi, scales, sizes.
void importResize(ImportContext& ctx, const Node& node) {
  Tensor& x = ctx.requiredInput(node, 0);
  int32_t rank = x.getDimensions().nbDims;
  requireFloatInput(ctx, node, x);
  using CT = ResizeCoordinateTransformation;
  CT coord = lookup(ctx, node, "coordinate_transformation_mode", "half_pixel",
                    std::map<std::string, CT>{{"half_pixel", CT::kHALF_PIXEL},
                                              {"pytorch_half_pixel", CT::kPYTORCH_HALF_PIXEL},
                                              {"align_corners", CT::kALIGN_CORNERS},
                                              {"asymmetric", CT::kASYMMETRIC},
                                              {"tf_half_pixel_for_nn", CT::kTF_HALF_PIXEL_FOR_NN},
                                              {"tf_crop_and_resize", CT::kTF_CROP_AND_RESIZE},
                                              {"half_pixel_symmetric", CT::kHALF_PIXEL_SYMMETRIC}});
  ResizeRoundMode round =
      lookup(ctx, node, "nearest_mode", "round_prefer_floor",
             std::map<std::string, ResizeRoundMode>{{"round_prefer_floor", ResizeRoundMode::kHALF_DOWN},
                                                    {"round_prefer_ceil", ResizeRoundMode::kHALF_UP},
                                                    {"floor", ResizeRoundMode::kFLOOR},
                                                    {"ceil", ResizeRoundMode::kCEIL}});
  ResizeMode mode = resizeMode(ctx, node, true);
  std::string policy = ctx.getString(node, "keep_aspect_ratio_policy", "stretch");
  if (policy != "stretch" && policy != "not_larger" && policy != "not_smaller")
    ctx.unsupported(node, "keep_aspect_ratio_policy '" + policy + "' is not supported");

  // Resize-18 axes: "a subset of axes that 'roi', 'scales' and 'sizes' refer to"; the others keep their length.
  std::vector<int32_t> axes;
  for (int64_t a : ctx.getInts(node, "axes")) {
    int32_t axis = ctx.axis(node, a, rank);
    if (std::count(axes.begin(), axes.end(), axis)) ctx.invalid(node, "axes repeats axis " + std::to_string(axis));
    axes.push_back(axis);
  }
  if (axes.empty())
    for (int32_t d = 0; d < rank; ++d) axes.push_back(d);

  Tensor* scales = nonEmptyInput(ctx, node, 2);
  Tensor* sizes = nonEmptyInput(ctx, node, 3);
  if (!scales == !sizes) ctx.invalid(node, "exactly one of scales and sizes must be given");
  std::vector<float> fullScales;
  OutputSize size;
  if (scales) {
    // keep_aspect_ratio_policy "is not applicable when the scales input is used".
    auto given = constantScales(ctx, node, scales, axes.size());
    fullScales.assign(rank, 1.0f);
    for (size_t i = 0; i < axes.size(); ++i) fullScales[axes[i]] = given[i];
  } else {
    if (sizes->getType() != DataType::kINT64) ctx.invalid(node, "sizes must be int64");
    if (sizes->getDimensions().nbDims != 1 || sizes->getDimensions().d[0] != static_cast<int64_t>(axes.size()))
      ctx.invalid(node, "sizes must hold one value per resized axis (" + std::to_string(axes.size()) + ")");
    if (!ctx.asShapeTensor(*sizes))
      ctx.unsupported(node,
                      "sizes must be known at build time (a constant, or computed from shapes), since they size "
                      "the output");
    size = policy == "stretch" ? fullSizes(ctx, x, *sizes, axes)
                               : keepAspectRatio(ctx, node, x, *sizes, axes, policy == "not_larger");
  }

  // roi "only takes effect when coordinate_transformation_mode is tf_crop_and_resize": starts, then ends.
  std::vector<float> roi(2 * rank, 0.0f);
  if (coord == CT::kTF_CROP_AND_RESIZE) {
    auto given = ctx.constantFloats(nonEmptyInput(ctx, node, 1));
    if (!given) ctx.unsupported(node, "tf_crop_and_resize needs a constant roi");
    if (given->size() != 2 * axes.size())
      ctx.invalid(node,
                  "roi has " + std::to_string(given->size()) + " values for " + std::to_string(axes.size()) + " axes");
    std::fill(roi.begin() + rank, roi.end(), 1.0f);
    for (size_t i = 0; i < axes.size(); ++i) {
      roi[axes[i]] = (*given)[i];
      roi[rank + axes[i]] = (*given)[axes.size() + i];
    }
  }

  ResizeLayer* layer = ctx.network().addResize(x);
  layer->setResizeMode(mode);
  layer->setCoordinateTransformation(coord);
  layer->setNearestRounding(round);
  layer->setCubicCoeff(ctx.getFloat(node, "cubic_coeff_a", -0.75f));
  layer->setExcludeOutside(ctx.getInt(node, "exclude_outside", 0) != 0);
  // "If set to 1, "linear" and "cubic" interpolation modes will use an antialiasing filter when downscaling":
  // nearest has no filter to stretch.
  if (mode != ResizeMode::kNEAREST) layer->setAntialias(ctx.getInt(node, "antialias", 0) != 0);
  if (coord == CT::kTF_CROP_AND_RESIZE) {
    layer->setRegionOfInterest(roi.data(), 2 * rank);
    layer->setExtrapolationValue(ctx.getFloat(node, "extrapolation_value", 0.0f));
  }

  if (scales) {
    setScales(ctx, node, *layer, fullScales);
  } else {
    if (size.tensor)
      layer->setInput(1, *size.tensor);
    else
      layer->setOutputDimensions(dimsOf(size.constant));
    if (!size.coordinateScales.empty()) layer->setCoordinateScales(size.coordinateScales.data(), rank);
  }
  ctx.setOutput(node, 0, layer->getOutput(0));
}

// ---- GridSample -------------------------------------------------------------------------------------------------

// Opset 16 names the modes bilinear and bicubic, opset 20 linear and cubic (and allows N-D inputs; kiln samples 2-D).
OpImporter gridSample(bool newNames) {
  return [newNames](ImportContext& ctx, const Node& node) {
    Tensor& x = ctx.requiredInput(node, 0);
    Tensor& grid = ctx.requiredInput(node, 1);
    if (x.getDimensions().nbDims != 4) ctx.unsupported(node, "only 2-D sampling (an N x C x H x W input) is supported");
    std::string mode = ctx.getString(node, "mode", newNames ? "linear" : "bilinear");
    const std::map<std::string, ResizeMode> modes = {{"nearest", ResizeMode::kNEAREST},
                                                     {newNames ? "linear" : "bilinear", ResizeMode::kLINEAR},
                                                     {newNames ? "cubic" : "bicubic", ResizeMode::kCUBIC}};
    const std::map<std::string, GridSamplePadding> paddings = {{"zeros", GridSamplePadding::kZEROS},
                                                               {"border", GridSamplePadding::kBORDER},
                                                               {"reflection", GridSamplePadding::kREFLECTION}};
    std::string padding = ctx.getString(node, "padding_mode", "zeros");
    if (!modes.count(mode)) ctx.invalid(node, "unknown mode '" + mode + "'");
    if (!paddings.count(padding)) ctx.invalid(node, "unknown padding_mode '" + padding + "'");
    auto* layer = ctx.network().addGridSample(x, grid);
    layer->setInterpolationMode(modes.at(mode));
    layer->setPaddingMode(paddings.at(padding));
    layer->setAlignCorners(ctx.getInt(node, "align_corners", 0) != 0);
    ctx.setOutput(node, 0, layer->getOutput(0));
  };
}

}  // namespace

void registerResizeImporters(OpRegistry& r) {
  r.add("Upsample", 7, importUpsample7);
  r.add("Upsample", 9, importScalesInput);
  r.add("Resize", 10, importScalesInput);
  r.add("Resize", 11, importResize);
  r.add("GridSample", 16, gridSample(false));
  r.add("GridSample", 20, gridSample(true));
}

}  // namespace kiln::onnx
