// Resize: nearest (every rounding mode) and linear, under every coordinate transformation, scales vs output sizes,
// 3-D/4-D/5-D, upsampling and downsampling, dynamic shapes and errors naming the layer.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "test_util.h"

namespace kiln::test {
namespace {

using CT = ResizeCoordinateTransformation;
using RM = ResizeRoundMode;

// ---- Independent reference (ONNX Resize, exclude_outside = 0, edge values outside the input) ------------------------

double sourceCoordinate(CT mode, int64_t x, int64_t inLen, int64_t outLen, double scale) {
  switch (mode) {
    case CT::kHALF_PIXEL: return (x + 0.5) / scale - 0.5;
    case CT::kPYTORCH_HALF_PIXEL: return outLen == 1 ? 0.0 : (x + 0.5) / scale - 0.5;
    case CT::kALIGN_CORNERS: return outLen == 1 ? 0.0 : x * double(inLen - 1) / double(outLen - 1);
    case CT::kASYMMETRIC: return x / scale;
  }
  return 0;
}

int64_t nearest(RM mode, double c, int64_t inLen) {
  double f = std::floor(c), r = 0;
  bool tie = c - f == 0.5;
  switch (mode) {
    case RM::kHALF_DOWN: r = tie ? f : std::round(c); break;  // ONNX round_prefer_floor
    case RM::kHALF_UP: r = tie ? f + 1 : std::round(c); break;  // ONNX round_prefer_ceil
    case RM::kFLOOR: r = f; break;
    case RM::kCEIL: r = std::ceil(c); break;
  }
  return std::min<int64_t>(std::max<int64_t>(static_cast<int64_t>(r), 0), inLen - 1);
}

struct ResizeSpec {
  ResizeMode mode = ResizeMode::kNEAREST;
  CT coord = CT::kHALF_PIXEL;
  RM round = RM::kHALF_DOWN;
};

// `scales` empty: the scale of each axis is out/in (explicit output size).
std::vector<float> referenceResize(const std::vector<float>& in, const Dims& inDims, const Dims& outDims,
                                   const std::vector<double>& scales, const ResizeSpec& spec) {
  int32_t rank = inDims.nbDims;
  // Per axis and output coordinate: the taps (index, weight) that contribute.
  std::vector<std::vector<std::vector<std::pair<int64_t, double>>>> taps(rank);
  for (int32_t d = 0; d < rank; ++d) {
    double scale = scales.empty() ? double(outDims.d[d]) / double(inDims.d[d]) : scales[d];
    for (int64_t x = 0; x < outDims.d[d]; ++x) {
      double c = sourceCoordinate(spec.coord, x, inDims.d[d], outDims.d[d], scale);
      if (spec.mode == ResizeMode::kNEAREST) {
        taps[d].push_back({{nearest(spec.round, c, inDims.d[d]), 1.0}});
      } else {
        c = std::min(std::max(c, 0.0), double(inDims.d[d] - 1));
        int64_t lo = static_cast<int64_t>(std::floor(c)), hi = std::min(lo + 1, inDims.d[d] - 1);
        taps[d].push_back({{lo, 1.0 - (c - lo)}, {hi, c - lo}});
      }
    }
  }
  std::vector<float> out;
  std::vector<int64_t> coord(rank);
  for (int64_t flat = 0; flat < outDims.volume(); ++flat) {
    for (int64_t i = rank - 1, rem = flat; i >= 0; --i) {
      coord[i] = rem % outDims.d[i];
      rem /= outDims.d[i];
    }
    // Sum over every combination of taps (2^rank corners for linear, one for nearest).
    double value = 0;
    std::vector<size_t> pick(rank, 0);
    while (true) {
      double w = 1;
      int64_t src = 0;
      for (int32_t d = 0; d < rank; ++d) {
        const auto& t = taps[d][coord[d]][pick[d]];
        w *= t.second;
        src = src * inDims.d[d] + t.first;
      }
      value += w * in[src];
      int32_t d = rank - 1;
      while (d >= 0 && ++pick[d] == taps[d][coord[d]].size()) pick[d--] = 0;
      if (d < 0) break;
    }
    out.push_back(static_cast<float>(value));
  }
  return out;
}

// ---- Network helpers -------------------------------------------------------------------------------------------

struct ResizeNet {
  NetworkDefinition net;
  ResizeLayer* layer = nullptr;

  // Output size from `outDims` when given, else from `scales`.
  ResizeNet(const Dims& inDims, const Dims* outDims, const std::vector<float>& scales, const ResizeSpec& spec) {
    Tensor* x = net.addInput("x", DataType::kFLOAT, inDims);
    layer = net.addResize(*x);
    layer->setResizeMode(spec.mode);
    layer->setCoordinateTransformation(spec.coord);
    layer->setNearestRounding(spec.round);
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

// ---- Every coordinate transformation, nearest (all rounding modes) and linear ------------------------------------------

struct CoordCase {
  const char* name;
  CT coord;
};

const auto kCoordCases = ::testing::Values(CoordCase{"HalfPixel", CT::kHALF_PIXEL},
                                           CoordCase{"Asymmetric", CT::kASYMMETRIC},
                                           CoordCase{"AlignCorners", CT::kALIGN_CORNERS},
                                           CoordCase{"PytorchHalfPixel", CT::kPYTORCH_HALF_PIXEL});

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

INSTANTIATE_TEST_SUITE_P(Coordinates, ResizeNearest, kCoordCases, [](const auto& info) { return std::string(info.param.name); });

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

INSTANTIATE_TEST_SUITE_P(Coordinates, ResizeLinear, kCoordCases, [](const auto& info) { return std::string(info.param.name); });

// ---- Hand-computed values (the ONNX Resize test vectors) -------------------------------------------------------------

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
  expectNear(buildAndRun(byScales.net, {x})[0].f32(), {2.6666665f, 4.3333331f}, 1e-5f, 0);  // resize_downsample_scales_linear
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

// ---- Dynamic shapes -----------------------------------------------------------------------------------------------

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
    auto out = runContext(*ctx, {HostTensor::f32({1, 1, 4, 4}, values), HostTensor::f32(d, randomFloats(d.volume(), 1))});
    ASSERT_EQ(toString(out[0].dims), toString(d));
    expectNear(out[0].f32(), referenceResize(values, {1, 1, 4, 4}, d, {}, {ResizeMode::kNEAREST, CT::kASYMMETRIC, RM::kFLOOR}),
               0, 0);
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
  expectRejected(resize, [&] { resize->setScales(three, 3); }, "3 scales for rank 4");
  expectRejected(resize, [&] { resize->setScales(negative, 4); }, "negative scale");
  expectRejected(resize, [&] { resize->setOutputDimensions(Dims{1, 3, 8}); }, "rank 3 output for rank 4");
  expectRejected(resize, [&] { resize->setOutputDimensions(Dims{1, 3, 0, 8}); }, "zero output size");
  expectRejected(resize, [&] { resize->setInput(0, *ints); }, "int32 input");
  EXPECT_EQ(resize->getScales(), (std::vector<float>{1, 1, 2, 2}));
  EXPECT_EQ(toString(resize->getOutput(0)->getDimensions()), "1x3x8x8");
  resize->setScales(fractional, 4);
  EXPECT_EQ(toString(resize->getOutput(0)->getDimensions()), "1x3x6x6");
  expectRejected(resize, [&] { resize->setInput(0, *dyn); }, "fractional scale on a dynamic axis");
  EXPECT_EQ(resize->getInput(0), x);
}

}  // namespace
}  // namespace kiln::test
