// Resize: nearest (every rounding mode), linear and cubic (with and without antialiasing and exclude_outside), under
// every coordinate transformation, scales vs output sizes, 3-D/4-D/5-D, upsampling and downsampling, the region of
// interest of tf_crop_and_resize, dynamic shapes and errors naming the layer.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

#include "test_util.h"

namespace kiln::test {
namespace {

using CT = ResizeCoordinateTransformation;
using RM = ResizeRoundMode;

// ---- Independent reference -----------------------------------------------------------------------------------------
// Structured as ONNX's reference implementation (onnx/reference/ops/op_resize.py): every axis interpolated from the
// interpolations of the slices along it, the n nearest neighbours of an edge-padded copy of the data, coefficients
// from the fractional position. Where the spec's text and ONNX's reference differ, kiln follows the spec for
// conditions on the output length (pytorch_half_pixel gives 0 for a single output) and the reference's
// scale * input length in denominators.

struct ResizeSpec {
  ResizeMode mode = ResizeMode::kNEAREST;
  CT coord = CT::kHALF_PIXEL;
  RM round = RM::kHALF_DOWN;
  double cubicA = -0.75;
  bool excludeOutside = false;
  bool antialias = false;
  std::vector<float> roi = {};  // starts then ends; empty: the whole input
  float extrapolation = 0;
};

// The `n` positions nearest to `x` (ties to the lower one) in `data` padded with its edge values: their indices,
// which may lie outside the data, and values.
void neighbours(double x, size_t n, const std::vector<double>& data, std::vector<int64_t>& idx,
                std::vector<double>& vals) {
  int64_t pad = static_cast<int64_t>((n + 1) / 2), len = static_cast<int64_t>(data.size()) + 2 * pad;
  std::vector<int64_t> order(len);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](int64_t a, int64_t b) { return std::abs(x + pad - a) < std::abs(x + pad - b); });
  order.resize(n);
  std::sort(order.begin(), order.end());
  idx.clear();
  vals.clear();
  for (int64_t i : order) {
    idx.push_back(i - pad);
    vals.push_back(data[std::clamp<int64_t>(i - pad, 0, static_cast<int64_t>(data.size()) - 1)]);
  }
}

double cubic(double x, double a) {
  x = std::abs(x);
  if (x <= 1) return (a + 2) * x * x * x - (a + 3) * x * x + 1;
  if (x < 2) return a * x * x * x - 5 * a * x * x + 8 * a * x - 4 * a;
  return 0;
}

// Coefficients of the neighbours for `ratio` in (0, 1], the position past the lower neighbour.
std::vector<double> coefficients(const ResizeSpec& spec, double ratio, double scale) {
  if (spec.mode == ResizeMode::kNEAREST) {
    if (ratio == 1) return {0, 1};
    switch (spec.round) {
      case RM::kHALF_DOWN: return {double(ratio <= 0.5), double(ratio > 0.5)};  // round_prefer_floor
      case RM::kHALF_UP: return {double(ratio < 0.5), double(ratio >= 0.5)};    // round_prefer_ceil
      case RM::kFLOOR: return {1, 0};
      case RM::kCEIL: return {0, 1};
    }
  }
  bool linear = spec.mode == ResizeMode::kLINEAR;
  if (!spec.antialias) {
    if (linear) return {1 - ratio, ratio};
    return {cubic(ratio + 1, spec.cubicA), cubic(ratio, spec.cubicA), cubic(1 - ratio, spec.cubicA),
            cubic(2 - ratio, spec.cubicA)};
  }
  // Antialiased: the kernel stretched by 1 / scale when downsampling, normalized.
  double s = std::min(scale, 1.0);
  int64_t start = static_cast<int64_t>(std::floor((linear ? -1 : -2) / s)) + 1;
  std::vector<double> c;
  for (int64_t i = start; i < 2 - start; ++i) {
    double arg = s * (i - ratio);
    c.push_back(linear ? std::clamp(1 - std::abs(arg), 0.0, 1.0) : cubic(arg, spec.cubicA));
  }
  double sum = std::accumulate(c.begin(), c.end(), 0.0);
  for (double& v : c) v /= sum;
  return c;
}

double interpolate1d(const std::vector<double>& data, double scale, int64_t outLen, int64_t x, const ResizeSpec& spec,
                     double roiStart, double roiEnd) {
  double len = static_cast<double>(data.size()), width = scale * len, xo = 0;
  switch (spec.coord) {
    case CT::kHALF_PIXEL: xo = (x + 0.5) / scale - 0.5; break;
    case CT::kPYTORCH_HALF_PIXEL: xo = outLen == 1 ? 0.0 : (x + 0.5) / scale - 0.5; break;
    case CT::kALIGN_CORNERS: xo = outLen == 1 ? 0.0 : x * (len - 1) / (width - 1); break;
    case CT::kASYMMETRIC: xo = x / scale; break;
    case CT::kTF_HALF_PIXEL_FOR_NN: xo = (x + 0.5) / scale; break;
    case CT::kTF_CROP_AND_RESIZE:
      xo = outLen == 1 ? 0.5 * (roiStart + roiEnd) * (len - 1)
                       : roiStart * (len - 1) + x * (roiEnd - roiStart) * (len - 1) / (width - 1);
      if (xo < 0 || xo > len - 1) return spec.extrapolation;
      break;
    case CT::kHALF_PIXEL_SYMMETRIC: {
      double offset = len / 2 * (1 - outLen / width);
      xo = offset + (x + 0.5) / scale - 0.5;
      break;
    }
  }
  double ratio = xo == std::floor(xo) ? 1.0 : xo - std::floor(xo);
  auto c = coefficients(spec, ratio, scale);
  std::vector<int64_t> idx;
  std::vector<double> vals;
  neighbours(xo, c.size(), data, idx, vals);
  if (spec.excludeOutside) {
    double sum = 0;
    for (size_t i = 0; i < c.size(); ++i) sum += (c[i] *= idx[i] >= 0 && idx[i] < static_cast<int64_t>(data.size()));
    for (double& v : c) v /= sum;
  }
  double value = 0;
  for (size_t i = 0; i < c.size(); ++i) value += c[i] * vals[i];
  return value;
}

// Output element `x` from the axes from `axis` on of `data` (row-major over `dims`).
double interpolateNd(const float* data, const Dims& dims, int32_t axis, const std::vector<double>& scales,
                     const Dims& outDims, const std::vector<int64_t>& x, const ResizeSpec& spec) {
  if (axis == dims.nbDims) return *data;
  int64_t stride = 1;
  for (int32_t d = axis + 1; d < dims.nbDims; ++d) stride *= dims.d[d];
  std::vector<double> line(dims.d[axis]);
  for (int64_t i = 0; i < dims.d[axis]; ++i)
    line[i] = interpolateNd(data + i * stride, dims, axis + 1, scales, outDims, x, spec);
  bool roi = !spec.roi.empty();
  return interpolate1d(line, scales[axis], outDims.d[axis], x[axis], spec, roi ? spec.roi[axis] : 0.0,
                       roi ? spec.roi[dims.nbDims + axis] : 1.0);
}

// `scales` empty: the scale of each axis is out/in (explicit output size).
std::vector<float> referenceResize(const std::vector<float>& in, const Dims& inDims, const Dims& outDims,
                                   const std::vector<double>& scales, const ResizeSpec& spec) {
  std::vector<double> s = scales;
  if (s.empty())
    for (int32_t d = 0; d < inDims.nbDims; ++d) s.push_back(double(outDims.d[d]) / double(inDims.d[d]));
  std::vector<float> out;
  std::vector<int64_t> x(outDims.nbDims, 0), extent(outDims.d, outDims.d + outDims.nbDims);
  if (outDims.volume() == 0) return out;
  do {
    out.push_back(static_cast<float>(interpolateNd(in.data(), inDims, 0, s, outDims, x, spec)));
  } while (nextIndex(x, extent));
  return out;
}

// ---- Network helpers -------------------------------------------------------------------------------------------

void configure(ResizeLayer& layer, const ResizeSpec& spec) {
  layer.setResizeMode(spec.mode);
  layer.setCoordinateTransformation(spec.coord);
  layer.setNearestRounding(spec.round);
  layer.setCubicCoeff(static_cast<float>(spec.cubicA));
  layer.setExcludeOutside(spec.excludeOutside);
  if (spec.antialias) layer.setAntialias(true);
  if (!spec.roi.empty()) layer.setRegionOfInterest(spec.roi.data(), static_cast<int32_t>(spec.roi.size()));
  layer.setExtrapolationValue(spec.extrapolation);
}

struct ResizeNet {
  NetworkDefinition net;
  ResizeLayer* layer = nullptr;

  // Output size from `outDims` when given, else from `scales`.
  ResizeNet(const Dims& inDims, const Dims* outDims, const std::vector<float>& scales, const ResizeSpec& spec) {
    Tensor* x = net.addInput("x", DataType::kFLOAT, inDims);
    layer = net.addResize(*x);
    configure(*layer, spec);
    if (outDims) layer->setOutputDimensions(*outDims);
    if (!scales.empty()) layer->setScales(scales.data(), static_cast<int32_t>(scales.size()));
    layer->getOutput(0)->setName("y");
    net.markOutput(*layer->getOutput(0));
  }
};

void expectResizeBySize(const Dims& in, const Dims& out, const ResizeSpec& spec) {
  SCOPED_TRACE(toString(in) + " -> " + toString(out));
  ResizeNet n(in, &out, {}, spec);
  EXPECT_EQ(toString(n.layer->getOutputDimensions()), toString(out));
  auto values = randomFloats(in.volume(), 121);
  auto result = buildAndRun(n.net, {HostTensor::f32(in, values)});
  EXPECT_EQ(toString(result[0].dims), toString(out));
  expectNear(result[0].f32(), referenceResize(values, in, out, {}, spec), 1e-5f, 1e-5f);
}

void expectResizeByScales(const Dims& in, const std::vector<float>& scales, const char* expectedDims,
                          const ResizeSpec& spec) {
  SCOPED_TRACE(toString(in) + " by scales");
  ResizeNet n(in, nullptr, scales, spec);
  EXPECT_EQ(n.layer->getScales(), scales);
  EXPECT_EQ(toString(n.layer->getOutput(0)->getDimensions()), expectedDims);
  auto values = randomFloats(in.volume(), 122);
  auto result = buildAndRun(n.net, {HostTensor::f32(in, values)});
  ASSERT_EQ(toString(result[0].dims), expectedDims);
  std::vector<double> s(scales.begin(), scales.end());
  expectNear(result[0].f32(), referenceResize(values, in, result[0].dims, s, spec), 1e-5f, 1e-5f);
}

// ---- Every coordinate transformation, nearest (all rounding modes), linear and cubic
// ----------------------------------

struct CoordCase {
  const char* name;
  CT coord;
};

const auto kCoordCases = ::testing::Values(
    CoordCase{"HalfPixel", CT::kHALF_PIXEL}, CoordCase{"Asymmetric", CT::kASYMMETRIC},
    CoordCase{"AlignCorners", CT::kALIGN_CORNERS}, CoordCase{"PytorchHalfPixel", CT::kPYTORCH_HALF_PIXEL},
    CoordCase{"TfHalfPixelForNN", CT::kTF_HALF_PIXEL_FOR_NN},
    CoordCase{"TfCropAndResizeWholeInput", CT::kTF_CROP_AND_RESIZE},
    CoordCase{"HalfPixelSymmetric", CT::kHALF_PIXEL_SYMMETRIC});

class ResizeNearest : public ::testing::TestWithParam<CoordCase> {};

TEST_P(ResizeNearest, EveryRoundingModeUpAndDown) {
  for (RM round : {RM::kHALF_DOWN, RM::kHALF_UP, RM::kFLOOR, RM::kCEIL}) {
    SCOPED_TRACE("round mode " + std::to_string(static_cast<int>(round)));
    ResizeSpec spec{ResizeMode::kNEAREST, GetParam().coord, round};
    expectResizeBySize({1, 2, 3, 5}, {1, 2, 7, 8}, spec);  // upsample by non-integer factors
    expectResizeBySize({1, 2, 7, 8}, {1, 2, 3, 5}, spec);  // downsample
    expectResizeBySize({2, 4, 3}, {2, 1, 6}, spec);        // 3-D, one axis down to a single element
    expectResizeByScales({1, 1, 6, 8}, {1, 1, 0.5f, 0.75f}, "1x1x3x6", spec);
    expectResizeByScales({1, 1, 2, 3}, {1, 1, 2.5f, 3}, "1x1x5x9", spec);
  }
}

INSTANTIATE_TEST_SUITE_P(Coordinates, ResizeNearest, kCoordCases,
                         [](const auto& info) { return std::string(info.param.name); });

class ResizeLinear : public ::testing::TestWithParam<CoordCase> {};

TEST_P(ResizeLinear, UpAndDownOnThreeFourAndFiveDims) {
  ResizeSpec spec{ResizeMode::kLINEAR, GetParam().coord, RM::kHALF_DOWN};
  expectResizeBySize({1, 2, 3, 5}, {1, 2, 7, 8}, spec);
  expectResizeBySize({1, 2, 7, 8}, {1, 2, 3, 5}, spec);
  expectResizeBySize({2, 3, 4}, {3, 5, 7}, spec);              // 3-D: every axis interpolated
  expectResizeBySize({1, 2, 3, 4, 5}, {1, 2, 5, 3, 8}, spec);  // 5-D: trilinear
  expectResizeBySize({1, 1, 4, 4}, {1, 1, 1, 1}, spec);        // a single output pixel
  expectResizeByScales({1, 1, 6, 8}, {1, 1, 0.5f, 0.75f}, "1x1x3x6", spec);
  expectResizeByScales({1, 3, 2, 3}, {1, 1, 2.5f, 2}, "1x3x5x6", spec);
}

INSTANTIATE_TEST_SUITE_P(Coordinates, ResizeLinear, kCoordCases,
                         [](const auto& info) { return std::string(info.param.name); });

class ResizeCubic : public ::testing::TestWithParam<CoordCase> {};

TEST_P(ResizeCubic, CoefficientsAndExcludeOutsideUpAndDown) {
  for (double a : {-0.75, -0.5}) {
    for (bool exclude : {false, true}) {
      SCOPED_TRACE("a " + std::to_string(a) + (exclude ? ", exclude outside" : ""));
      ResizeSpec spec{ResizeMode::kCUBIC, GetParam().coord, RM::kHALF_DOWN, a, exclude};
      expectResizeBySize({1, 2, 4, 5}, {1, 2, 9, 7}, spec);
      expectResizeBySize({1, 1, 7, 9}, {1, 1, 3, 5}, spec);
      expectResizeBySize({2, 5, 4}, {2, 3, 8}, spec);
      expectResizeByScales({1, 1, 4, 4}, {1, 1, 0.8f, 0.8f}, "1x1x3x3", spec);  // fractional resized length 3.2
      expectResizeByScales({1, 1, 3, 4}, {1, 1, 2.5f, 1.5f}, "1x1x7x6", spec);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Coordinates, ResizeCubic, kCoordCases,
                         [](const auto& info) { return std::string(info.param.name); });

// Antialiasing stretches the filter when downsampling (more taps, normalized) and changes nothing when upsampling.
class ResizeAntialias : public ::testing::TestWithParam<CoordCase> {};

TEST_P(ResizeAntialias, LinearAndCubicDownsampling) {
  for (ResizeMode mode : {ResizeMode::kLINEAR, ResizeMode::kCUBIC}) {
    for (bool exclude : {false, true}) {
      SCOPED_TRACE(std::string(mode == ResizeMode::kLINEAR ? "linear" : "cubic") +
                   (exclude ? ", exclude outside" : ""));
      ResizeSpec spec{mode, GetParam().coord, RM::kHALF_DOWN, -0.75, exclude, true};
      expectResizeBySize({1, 2, 12, 10}, {1, 2, 3, 4}, spec);  // by 4 and by 2.5
      expectResizeBySize({1, 1, 5, 9}, {1, 1, 5, 2}, spec);    // one axis untouched
      expectResizeBySize({1, 1, 3, 4}, {1, 1, 7, 2}, spec);    // up on one axis, down on the other
      expectResizeByScales({1, 1, 9, 8}, {1, 1, 1.0f / 3, 0.6f}, "1x1x3x4", spec);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Coordinates, ResizeAntialias, kCoordCases,
                         [](const auto& info) { return std::string(info.param.name); });

// tf_crop_and_resize samples the region of interest; outside the input it writes the extrapolation value.
TEST(ResizeCropAndResize, RegionOfInterestAndExtrapolation) {
  for (ResizeMode mode : {ResizeMode::kNEAREST, ResizeMode::kLINEAR, ResizeMode::kCUBIC}) {
    SCOPED_TRACE(static_cast<int>(mode));
    ResizeSpec spec{mode, CT::kTF_CROP_AND_RESIZE};
    spec.roi = {0, 0.5f, -0.2f, 0.1f, 1, 1, 0.9f, 1.3f};
    spec.extrapolation = -3;
    expectResizeBySize({2, 2, 5, 6}, {2, 1, 4, 7}, spec);  // axis 1 has one output: the middle of its region
    expectResizeByScales({1, 1, 4, 5}, {1, 1, 1.5f, 0.8f}, "1x1x6x4", spec);
  }
}

// ---- Hand-computed values (the ONNX Resize test vectors)
// -------------------------------------------------------------

std::vector<float> resize2x2(const ResizeSpec& spec, const std::vector<float>& scales) {
  ResizeNet n({1, 1, 2, 2}, nullptr, scales, spec);
  return buildAndRun(n.net, {HostTensor::f32({1, 1, 2, 2}, {1, 2, 3, 4})})[0].f32();
}

TEST(ResizeValues, OnnxUpsampleVectors) {
  // resize_upsample_scales_nearest: half-pixel, round_prefer_floor.
  EXPECT_EQ(resize2x2({ResizeMode::kNEAREST, CT::kHALF_PIXEL, RM::kHALF_DOWN}, {1, 1, 2, 3}),
            (std::vector<float>{1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 3, 3, 3, 4, 4, 4}));
  // resize_upsample_scales_linear: half-pixel.
  expectNear(resize2x2({ResizeMode::kLINEAR, CT::kHALF_PIXEL, RM::kHALF_DOWN}, {1, 1, 2, 2}),
             {1, 1.25f, 1.75f, 2, 1.5f, 1.75f, 2.25f, 2.5f, 2.5f, 2.75f, 3.25f, 3.5f, 3, 3.25f, 3.75f, 4}, 1e-6f, 0);
  // resize_upsample_scales_linear_align_corners.
  const float t = 1.0f / 3, u = 2.0f / 3;
  expectNear(resize2x2({ResizeMode::kLINEAR, CT::kALIGN_CORNERS, RM::kHALF_DOWN}, {1, 1, 2, 2}),
             {1, 1 + t, 1 + u, 2, 1 + u, 2, 2 + t, 2 + u, 2 + t, 2 + u, 3, 3 + t, 3, 3 + t, 3 + u, 4}, 1e-6f, 0);
  // Asymmetric nearest with floor: plain index = floor(x / 2).
  EXPECT_EQ(resize2x2({ResizeMode::kNEAREST, CT::kASYMMETRIC, RM::kFLOOR}, {1, 1, 2, 2}),
            (std::vector<float>{1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4}));
}

// With scales the coordinates use the given scale (ONNX), not out/in: 0.6 and an explicit 1x2 size differ.
TEST(ResizeValues, ScalesVersusExplicitSizeWhenDownsampling) {
  HostTensor x = HostTensor::f32({1, 1, 2, 4}, {1, 2, 3, 4, 5, 6, 7, 8});
  ResizeSpec linear{ResizeMode::kLINEAR, CT::kHALF_PIXEL, RM::kHALF_DOWN};
  ResizeNet byScales({1, 1, 2, 4}, nullptr, {1, 1, 0.6f, 0.6f}, linear);
  EXPECT_EQ(toString(byScales.layer->getOutput(0)->getDimensions()), "1x1x1x2");  // floor(2*0.6) x floor(4*0.6)
  expectNear(buildAndRun(byScales.net, {x})[0].f32(), {2.6666665f, 4.3333331f}, 1e-5f,
             0);  // resize_downsample_scales_linear
  Dims size{1, 1, 1, 2};
  ResizeNet bySize({1, 1, 2, 4}, &size, {}, linear);
  expectNear(buildAndRun(bySize.net, {x})[0].f32(), {3.5f, 5.5f}, 1e-6f, 0);  // centres of the 2x2 blocks
}

// An explicit output size overrides scales set earlier, for the shape and for the coordinate mapping alike.
TEST(ResizeValues, OutputDimensionsOverrideEarlierScales) {
  Dims size{1, 1, 3, 3};
  ResizeSpec linear{ResizeMode::kLINEAR, CT::kHALF_PIXEL, RM::kHALF_DOWN};
  ResizeNet n({1, 1, 2, 2}, nullptr, {1, 1, 2, 2}, linear);
  n.layer->setOutputDimensions(size);
  EXPECT_EQ(toString(n.layer->getOutput(0)->getDimensions()), "1x1x3x3");
  std::vector<float> values = {1, 2, 3, 4};
  auto out = buildAndRun(n.net, {HostTensor::f32({1, 1, 2, 2}, values)});
  // Scale 1.5: source coordinates -1/6 (clamped to 0), 1/2 and 7/6 (clamped to 1) per axis.
  expectNear(out[0].f32(), {1, 1.5f, 2, 2, 2.5f, 3, 3, 3.5f, 4}, 1e-6f, 0);
  expectNear(out[0].f32(), referenceResize(values, {1, 1, 2, 2}, size, {}, linear), 1e-6f, 0);
}

std::vector<float> resize4x4(const ResizeSpec& spec, const Dims& out, const std::vector<float>& scales) {
  ResizeNet n({1, 1, 4, 4}, scales.empty() ? &out : nullptr, scales, spec);
  return buildAndRun(n.net, {HostTensor::f32({1, 1, 4, 4}, iota(16, 1))})[0].f32();
}

// Outputs of the ONNX backend tests of the same names, on the input 1..16 (4x4).
TEST(ResizeValues, OnnxCubicCropAndTfVectors) {
  ResizeSpec cubic{ResizeMode::kCUBIC};
  expectNear(resize4x4(cubic, {}, {1, 1, 0.8f, 0.8f}),  // resize_downsample_scales_cubic
             {1.4711914f, 2.78125f, 4.0825195f, 6.711426f, 8.021484f, 9.322754f, 11.916504f, 13.2265625f, 14.527832f},
             1e-5f, 1e-6f);
  ResizeSpec tfCubic{ResizeMode::kCUBIC, CT::kHALF_PIXEL, RM::kHALF_DOWN, -0.5, true};
  expectNear(resize4x4(tfCubic, {}, {1, 1, 0.8f, 0.8f}),  // resize_downsample_scales_cubic_A_n0p5_exclude_outside
             {1.3681267f, 2.6695013f, 4.0133367f, 6.573625f, 7.875f, 9.218835f, 11.948966f, 13.250341f, 14.594176f},
             1e-5f, 1e-6f);
  ResizeSpec crop{ResizeMode::kLINEAR, CT::kTF_CROP_AND_RESIZE};
  crop.roi = {0, 0, 0.4f, 0.6f, 1, 1, 1.2f, 1.7f};
  crop.extrapolation = 10;
  expectNear(resize4x4(crop, {1, 1, 3, 3}, {}), {7.6f, 10, 10, 12.4f, 10, 10, 10, 10, 10}, 1e-5f, 1e-6f);
  ResizeSpec nn{ResizeMode::kNEAREST,
                CT::kTF_HALF_PIXEL_FOR_NN};  // resize_downsample_sizes_nearest_tf_half_pixel_for_nn
  EXPECT_EQ(resize4x4(nn, {1, 1, 3, 2}, {}), (std::vector<float>{6, 8, 10, 12, 14, 16}));
  // resize_downsample_scales_linear_align_corners: the resized length is 4 * 0.6 = 2.4, so x = 1 reads 3 / 1.4.
  ResizeNet n({1, 1, 2, 4}, nullptr, {1, 1, 0.6f, 0.6f}, {ResizeMode::kLINEAR, CT::kALIGN_CORNERS});
  expectNear(buildAndRun(n.net, {HostTensor::f32({1, 1, 2, 4}, iota(8, 1))})[0].f32(), {1, 3.142857f}, 1e-5f, 1e-6f);
}

std::vector<float> resizeRow(const ResizeSpec& spec, const std::vector<float>& row, const Dims& out,
                             const std::vector<float>& scales) {
  Dims in{1, 1, 1, static_cast<int64_t>(row.size())};
  ResizeNet n(in, scales.empty() ? &out : nullptr, scales, spec);
  return buildAndRun(n.net, {HostTensor::f32(in, row)})[0].f32();
}

TEST(ResizeValues, AntialiasedLinearByHand) {
  // 8 -> 4, half-pixel: output 0 sits at 0.5; the triangle stretched to half-width 2 weighs input -1 (the edge
  // value 0), 0, 1 and 2 by 1/8, 3/8, 3/8, 1/8.
  ResizeSpec spec{ResizeMode::kLINEAR, CT::kHALF_PIXEL, RM::kHALF_DOWN, -0.75, false, true};
  expectNear(resizeRow(spec, iota(8), {1, 1, 1, 4}, {}), {0.625f, 2.5f, 4.5f, 6.375f}, 1e-6f, 0);
  // Excluding the outside taps renormalizes the edge outputs: (3/8 * 1 + 1/8 * 2) / (7/8) at the start.
  spec.excludeOutside = true;
  expectNear(resizeRow(spec, iota(8), {1, 1, 1, 4}, {}), {5.0f / 7, 2.5f, 4.5f, 5.5f / 0.875f}, 1e-6f, 0);
  // Upsampling: antialiasing changes nothing.
  ResizeSpec plain{ResizeMode::kLINEAR};
  spec.excludeOutside = false;
  expectNear(resizeRow(spec, {1, 4, 2}, {1, 1, 1, 7}, {}), resizeRow(plain, {1, 4, 2}, {1, 1, 1, 7}, {}), 1e-6f, 0);
}

TEST(ResizeValues, HalfPixelSymmetricByHand) {
  // 4 * 0.6 = 2.4 -> 2 outputs; adjustment 2 / 2.4, offset 2 * (1 - 5/6) = 1/3: coordinates 2/3 and 7/3.
  ResizeSpec spec{ResizeMode::kLINEAR, CT::kHALF_PIXEL_SYMMETRIC};
  expectNear(resizeRow(spec, {1, 2, 3, 4}, {}, {1, 1, 1, 0.6f}), {5.0f / 3, 10.0f / 3}, 1e-6f, 0);
  // With an explicit size the adjustment is 1: plain half-pixel.
  ResizeSpec halfPixel{ResizeMode::kLINEAR};
  expectNear(resizeRow(spec, {1, 2, 3, 4}, {1, 1, 1, 3}, {}), resizeRow(halfPixel, {1, 2, 3, 4}, {1, 1, 1, 3}, {}),
             1e-6f, 0);
}

// Coordinate scales map coordinates when the output size is explicit (ONNX keep_aspect_ratio_policy).
TEST(ResizeValues, CoordinateScalesWithAnExplicitSize) {
  Dims in{1, 1, 2, 4}, out{1, 1, 3, 7};
  ResizeSpec spec{ResizeMode::kLINEAR};
  ResizeNet n(in, &out, {}, spec);
  const float scales[] = {1, 1, 1.5f, 1.5f};
  n.layer->setCoordinateScales(scales, 4);
  EXPECT_EQ(n.layer->getCoordinateScales(), (std::vector<float>{1, 1, 1.5f, 1.5f}));
  EXPECT_EQ(toString(n.layer->getOutput(0)->getDimensions()), "1x1x3x7");
  auto values = randomFloats(8, 141);
  auto result = buildAndRun(n.net, {HostTensor::f32(in, values)})[0].f32();
  expectNear(result, referenceResize(values, in, out, {1, 1, 1.5, 1.5}, spec), 1e-6f, 0);
  // Output 1 of the last axis reads (1.5 / 1.5 - 0.5) = 0.5 rather than (1.5 / 1.75 - 0.5) under 7 / 4.
  EXPECT_NEAR(result[1], 0.5f * (values[0] + values[1]), 1e-6f);
}

// ---- Dynamic shapes -----------------------------------------------------------------------------------------------

TEST(ResizeDynamic, AntialiasedCubicOnDynamicAxes) {
  NetworkDefinition net;
  Tensor* x = net.addInput("x", DataType::kFLOAT, Dims{1, 2, -1, -1});
  ResizeLayer* resize = net.addResize(*x);
  ResizeSpec spec{ResizeMode::kCUBIC, CT::kHALF_PIXEL, RM::kHALF_DOWN, -0.5, true, true};
  configure(*resize, spec);
  const float scales[] = {1, 1, 0.25f, 3};
  resize->setScales(scales, 4);
  net.markOutput(*resize->getOutput(0));
  EXPECT_EQ(toString(resize->getOutput(0)->getDimensions()), "1x2x-1x-1");
  auto engine = buildWithProfile(net, profileFor("x", {1, 2, 4, 1}, {1, 2, 8, 4}, {1, 2, 16, 8}));
  auto ctx = engine->createExecutionContext();
  for (Dims d : {Dims{1, 2, 4, 1}, Dims{1, 2, 13, 5}, Dims{1, 2, 16, 8}}) {
    SCOPED_TRACE(toString(d));
    auto values = randomFloats(d.volume(), 142);
    auto out = runContext(*ctx, {HostTensor::f32(d, values)});
    Dims expected{1, 2, d.d[2] / 4, d.d[3] * 3};
    ASSERT_EQ(toString(out[0].dims), toString(expected));
    expectNear(out[0].f32(), referenceResize(values, d, expected, {1, 1, 0.25, 3}, spec), 1e-5f, 1e-5f);
  }
}

TEST(ResizeDynamic, IntegerAndReciprocalScalesOnDynamicAxes) {
  NetworkDefinition net;
  Tensor* x = net.addInput("x", DataType::kFLOAT, Dims{1, 2, -1, -1});
  ResizeLayer* resize = net.addResize(*x);
  const float scales[] = {1, 1, 2, 0.5f};
  resize->setScales(scales, 4);
  resize->setResizeMode(ResizeMode::kLINEAR);
  net.markOutput(*resize->getOutput(0));
  EXPECT_EQ(toString(resize->getOutput(0)->getDimensions()), "1x2x-1x-1");
  auto engine = buildWithProfile(net, profileFor("x", {1, 2, 1, 2}, {1, 2, 4, 8}, {1, 2, 8, 16}));
  auto ctx = engine->createExecutionContext();
  ResizeSpec spec{ResizeMode::kLINEAR, CT::kHALF_PIXEL, RM::kHALF_DOWN};
  for (Dims d : {Dims{1, 2, 3, 9}, Dims{1, 2, 8, 16}}) {
    auto values = randomFloats(d.volume(), 131);
    auto out = runContext(*ctx, {HostTensor::f32(d, values)});
    Dims expected{1, 2, d.d[2] * 2, d.d[3] / 2};  // floor(9 * 0.5) = 4
    ASSERT_EQ(toString(out[0].dims), toString(expected));
    expectNear(out[0].f32(), referenceResize(values, d, expected, {1, 1, 2, 0.5}, spec), 1e-5f, 1e-5f);
  }
}

// Resize to the size of another input, through a shape tensor on input 1.
TEST(ResizeDynamic, OutputSizeFromAShapeTensor) {
  NetworkDefinition net;
  Tensor* x = net.addInput("x", DataType::kFLOAT, Dims{1, 1, 4, 4});
  Tensor* like = net.addInput("like", DataType::kFLOAT, Dims{1, 1, -1, -1});
  Tensor* size = net.addShape(*like)->getOutput(0);
  ResizeLayer* resize = net.addResize(*x);
  resize->setInput(1, *size);
  resize->setResizeMode(ResizeMode::kNEAREST);
  resize->setCoordinateTransformation(CT::kASYMMETRIC);
  resize->setNearestRounding(RM::kFLOOR);
  resize->getOutput(0)->setName("y");
  net.markOutput(*resize->getOutput(0));
  EXPECT_EQ(toString(resize->getOutput(0)->getDimensions()), "1x1x-1x-1");
  auto engine = buildWithProfile(net, profileFor("like", {1, 1, 1, 1}, {1, 1, 8, 8}, {1, 1, 9, 9}));
  auto ctx = engine->createExecutionContext();
  auto values = randomFloats(16, 132);
  for (Dims d : {Dims{1, 1, 8, 2}, Dims{1, 1, 3, 9}}) {
    auto out =
        runContext(*ctx, {HostTensor::f32({1, 1, 4, 4}, values), HostTensor::f32(d, randomFloats(d.volume(), 1))});
    ASSERT_EQ(toString(out[0].dims), toString(d));
    expectNear(out[0].f32(),
               referenceResize(values, {1, 1, 4, 4}, d, {}, {ResizeMode::kNEAREST, CT::kASYMMETRIC, RM::kFLOOR}), 0, 0);
  }
}

// ---- Errors name the layer --------------------------------------------------------------------------------------

TEST(ResizeErrors, InvalidSettingsNameTheLayerAndAreRolledBack) {
  NetworkDefinition net;
  Tensor* x = net.addInput("x", DataType::kFLOAT, Dims{1, 3, 4, 4});
  Tensor* dyn = net.addInput("dyn", DataType::kFLOAT, Dims{1, 3, -1, -1});
  Tensor* ints = net.addInput("ints", DataType::kINT32, Dims{1, 3, 4, 4});
  ResizeLayer* resize = net.addResize(*x);
  resize->setName("upsample");
  const float good[] = {1, 1, 2, 2};
  resize->setScales(good, 4);
  EXPECT_EQ(toString(resize->getOutput(0)->getDimensions()), "1x3x8x8");
  const float three[] = {1, 2, 2}, negative[] = {1, 1, -2, 2}, fractional[] = {1, 1, 1.5f, 1.5f};
  expectRejected(
      resize, [&] { resize->setScales(three, 3); }, "3 scales for rank 4");
  expectRejected(
      resize, [&] { resize->setScales(negative, 4); }, "negative scale");
  expectRejected(
      resize,
      [&] {
        resize->setOutputDimensions(Dims{1, 3, 8});
      },
      "rank 3 output for rank 4");
  expectRejected(
      resize,
      [&] {
        resize->setOutputDimensions(Dims{1, 3, 0, 8});
      },
      "zero output size");
  expectRejected(
      resize, [&] { resize->setInput(0, *ints); }, "int32 input");
  expectRejected(
      resize, [&] { resize->setResizeMode(static_cast<ResizeMode>(7)); }, "unknown mode", "unknown resize mode");
  expectRejected(
      resize, [&] { resize->setAntialias(true); }, "antialiased nearest", "not nearest");
  const float roi[] = {0, 0, 1};
  expectRejected(
      resize, [&] { resize->setRegionOfInterest(roi, 3); }, "3 roi values for rank 4", "2 x rank");
  expectRejected(
      resize, [&] { resize->setCoordinateScales(good, 2); }, "2 coordinate scales for rank 4");
  EXPECT_EQ(resize->getScales(), (std::vector<float>{1, 1, 2, 2}));
  EXPECT_EQ(toString(resize->getOutput(0)->getDimensions()), "1x3x8x8");
  resize->setScales(fractional, 4);
  EXPECT_EQ(toString(resize->getOutput(0)->getDimensions()), "1x3x6x6");
  expectRejected(
      resize, [&] { resize->setInput(0, *dyn); }, "fractional scale on a dynamic axis");
  EXPECT_EQ(resize->getInput(0), x);
}

}  // namespace
}  // namespace kiln::test
