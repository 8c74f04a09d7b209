// ONNX importers for Resize (opsets 10, 11, 13, 18, 19), Upsample (7, 9) and GridSample, on models built in memory:
// every attribute form, axes and keep_aspect_ratio_policy, dynamic input shapes, and what must be reported as
// unsupported or invalid.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>

#include "onnx_model_builder.h"

namespace kiln::test {
namespace {

// ---- Resize 11 and later: scales, sizes, roi, every attribute ----------------------------------------------------

const std::vector<float> k2x2 = {1, 2, 3, 4};

// X (from an input of `dims`), roi "", then scales or sizes as initializers.
OnnxModel resizeModel(int64_t opset, const std::vector<int64_t>& dims, const std::vector<float>& scales,
                      const std::vector<int64_t>& sizes, NodeProto** node) {
  OnnxModel m(opset);
  m.input("X", dims);
  std::vector<std::string> inputs = {"X", ""};
  if (!scales.empty()) {
    m.floats("scales", {static_cast<int64_t>(scales.size())}, scales);
    inputs.push_back("scales");
  } else {
    m.ints("sizes", sizes);
    inputs.push_back("");
    inputs.push_back("sizes");
  }
  *node = &m.node("Resize", inputs, {"Y"});
  m.output("Y");
  return m;
}

// One node's output for the single input X.
std::vector<float> resizeOutput(const OnnxModel& m, const Dims& dims, const std::vector<float>& x,
                                const char* expectDims) {
  auto out = m.run({HostTensor::f32(dims, x)});
  EXPECT_EQ(toString(out[0].dims), expectDims);
  return out[0].f32();
}

TEST(OnnxResize, ScalesAndSizesThroughOpset13) {
  NodeProto* n = nullptr;
  for (int64_t opset : {11, 13}) {
    SCOPED_TRACE(opset);
    // resize_upsample_scales_nearest: half-pixel, round_prefer_floor by default.
    OnnxModel nearest = resizeModel(opset, {1, 1, 2, 2}, {1, 1, 2, 3}, {}, &n);
    EXPECT_EQ(resizeOutput(nearest, {1, 1, 2, 2}, k2x2, "1x1x4x6"),
              (std::vector<float>{1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 3, 3, 3, 4, 4, 4}));
    // resize_upsample_scales_linear_align_corners.
    OnnxModel aligned = resizeModel(opset, {1, 1, 2, 2}, {1, 1, 2, 2}, {}, &n);
    setString(*n, "mode", "linear");
    setString(*n, "coordinate_transformation_mode", "align_corners");
    const float t = 1.0f / 3, u = 2.0f / 3;
    expectNear(resizeOutput(aligned, {1, 1, 2, 2}, k2x2, "1x1x4x4"),
               {1, 1 + t, 1 + u, 2, 1 + u, 2, 2 + t, 2 + u, 2 + t, 2 + u, 3, 3 + t, 3, 3 + t, 3 + u, 4}, 1e-6f, 0);
    // resize_upsample_sizes_nearest_round_prefer_ceil_asymmetric, first row: x / 2 rounded half up.
    OnnxModel ceil = resizeModel(opset, {1, 1, 4, 4}, {}, {1, 1, 8, 8}, &n);
    setString(*n, "coordinate_transformation_mode", "asymmetric");
    setString(*n, "nearest_mode", "round_prefer_ceil");
    auto y = resizeOutput(ceil, {1, 1, 4, 4}, iota(16, 1), "1x1x8x8");
    EXPECT_EQ(std::vector<float>(y.begin(), y.begin() + 8), (std::vector<float>{1, 2, 2, 3, 3, 4, 4, 4}));
  }
}

TEST(OnnxResize, CubicCoefficientAndExcludeOutside) {
  NodeProto* n = nullptr;
  // resize_downsample_scales_cubic_A_n0p5_exclude_outside.
  OnnxModel m = resizeModel(13, {1, 1, 4, 4}, {1, 1, 0.8f, 0.8f}, {}, &n);
  setString(*n, "mode", "cubic");
  setFloat(*n, "cubic_coeff_a", -0.5f);
  setInt(*n, "exclude_outside", 1);
  expectNear(resizeOutput(m, {1, 1, 4, 4}, iota(16, 1), "1x1x3x3"),
             {1.3681267f, 2.6695013f, 4.0133367f, 6.573625f, 7.875f, 9.218835f, 11.948966f, 13.250341f, 14.594176f},
             1e-5f, 1e-6f);
}

// resize_downsample_sizes_nearest_tf_half_pixel_for_nn at opset 11: roi and scales are empty Constants.
TEST(OnnxResize, Opset11EmptyRoiAndScalesFromConstants) {
  OnnxModel m(11);
  m.input("X", {1, 1, 4, 4});
  setTensor(m.node("Constant", {}, {"roi"}), "value", floatTensor("", {0}, {}));
  setTensor(m.node("Constant", {}, {"scales"}), "value", floatTensor("", {0}, {}));
  m.ints("sizes", {1, 1, 3, 2});
  setString(m.node("Resize", {"X", "roi", "scales", "sizes"}, {"Y"}), "coordinate_transformation_mode",
            "tf_half_pixel_for_nn");
  m.output("Y");
  EXPECT_EQ(resizeOutput(m, {1, 1, 4, 4}, iota(16, 1), "1x1x3x2"), (std::vector<float>{6, 8, 10, 12, 14, 16}));
}

// resize_tf_crop_and_resize: roi from an initializer, extrapolation_value 10.
TEST(OnnxResize, CropAndResizeWithRoi) {
  OnnxModel m(13);
  m.input("X", {1, 1, 4, 4});
  m.floats("roi", {8}, {0, 0, 0.4f, 0.6f, 1, 1, 1.2f, 1.7f});
  m.ints("sizes", {1, 1, 3, 3});
  NodeProto& n = m.node("Resize", {"X", "roi", "", "sizes"}, {"Y"});
  setString(n, "mode", "linear");
  setString(n, "coordinate_transformation_mode", "tf_crop_and_resize");
  setFloat(n, "extrapolation_value", 10);
  m.output("Y");
  expectNear(resizeOutput(m, {1, 1, 4, 4}, iota(16, 1), "1x1x3x3"), {7.6f, 10, 10, 12.4f, 10, 10, 10, 10, 10}, 1e-5f,
             1e-6f);
}

// Opset 18: scales and sizes for a subset of axes; the other axes keep their (possibly dynamic) length.
TEST(OnnxResize, AxesOnADynamicBatch) {
  NodeProto* n = nullptr;
  OnnxModel byScales = resizeModel(18, {-1, 2, 2}, {3, 2}, {}, &n);
  setInts(*n, "axes", {-1, 1});  // W by 3, H by 2
  setString(*n, "coordinate_transformation_mode", "asymmetric");
  setString(*n, "nearest_mode", "floor");
  OnnxModel bySizes = resizeModel(18, {-1, 2, 2}, {}, {6}, &n);
  setInts(*n, "axes", {2});
  setString(*n, "coordinate_transformation_mode", "asymmetric");
  setString(*n, "nearest_mode", "floor");
  for (const OnnxModel* m : {&byScales, &bySizes}) {
    bool scales = m == &byScales;
    SCOPED_TRACE(scales ? "scales" : "sizes");
    auto network = m->import();
    EXPECT_EQ(toString(network->getOutput(0)->getDimensions()), scales ? "-1x4x6" : "-1x2x6");
    auto engine = buildWithProfile(*network, profileFor("X", {1, 2, 2}, {2, 2, 2}, {3, 2, 2}));
    auto ctx = engine->createExecutionContext();
    for (int64_t batch : {1, 3}) {
      auto x = iota(static_cast<size_t>(batch * 4));
      auto out = runContext(*ctx, {HostTensor::f32({batch, 2, 2}, x)});
      Dims expected = scales ? Dims{batch, 4, 6} : Dims{batch, 2, 6};
      ASSERT_EQ(toString(out[0].dims), toString(expected));
      // Nearest with floor under asymmetric: every output reads input (h / scaleH, w / 3).
      std::vector<float> want;
      for (int64_t b = 0; b < batch; ++b)
        for (int64_t h = 0; h < expected.d[1]; ++h)
          for (int64_t w = 0; w < 6; ++w) want.push_back(x[b * 4 + (scales ? h / 2 : h) * 2 + w / 3]);
      EXPECT_EQ(out[0].f32(), want);
    }
  }
}

// keep_aspect_ratio_policy: one scale for every resized axis, min (not_larger) or max (not_smaller) of sizes / input,
// and the sizes rounded half up from it. Nearest with floor under asymmetric reads input (h / scale, w / scale).
TEST(OnnxResize, KeepAspectRatioPolicy) {
  std::vector<float> x = iota(8);  // 2x4
  struct Case {
    const char* policy;
    const char* dims;
    std::vector<float> want;
  };
  for (const Case& c : {Case{"not_larger", "1x2x3", {0, 1, 2, 4, 5, 6}},  // scale min(3/2, 3/4) = 0.75
                        Case{"not_smaller", "1x3x6", {0, 0, 1, 2, 2, 3, 0, 0, 1, 2, 2, 3, 4, 4, 5, 6, 6, 7}}}) {
    SCOPED_TRACE(c.policy);  // not_smaller: scale 1.5, 3 x 6 outputs
    NodeProto* n = nullptr;
    OnnxModel m = resizeModel(18, {1, 2, 4}, {}, {3, 3}, &n);
    setInts(*n, "axes", {1, 2});
    setString(*n, "keep_aspect_ratio_policy", c.policy);
    setString(*n, "coordinate_transformation_mode", "asymmetric");
    setString(*n, "nearest_mode", "floor");
    EXPECT_EQ(resizeOutput(m, {1, 2, 4}, x, c.dims), c.want);
  }
}

TEST(OnnxResize, AntialiasAndHalfPixelSymmetric) {
  NodeProto* n = nullptr;
  // Opset 18 antialias, 8 -> 4 linear: the triangle stretched to half-width 2 (weights 1/8, 3/8, 3/8, 1/8).
  OnnxModel aa = resizeModel(18, {1, 8}, {}, {1, 4}, &n);
  setString(*n, "mode", "linear");
  setInt(*n, "antialias", 1);
  expectNear(resizeOutput(aa, {1, 8}, iota(8), "1x4"), {0.625f, 2.5f, 4.5f, 6.375f}, 1e-6f, 0);
  // Opset 19 half_pixel_symmetric: 4 * 0.6 = 2.4 -> 2 outputs, centred: coordinates 2/3 and 7/3.
  OnnxModel sym = resizeModel(19, {1, 4}, {1, 0.6f}, {}, &n);
  setString(*n, "mode", "linear");
  setString(*n, "coordinate_transformation_mode", "half_pixel_symmetric");
  expectNear(resizeOutput(sym, {1, 4}, {1, 2, 3, 4}, "1x2"), {5.0f / 3, 10.0f / 3}, 1e-6f, 0);
  // "antialias ... linear and cubic": nearest has no filter to stretch, so it is unchanged.
  OnnxModel nearest = resizeModel(18, {1, 4}, {}, {1, 2}, &n);
  setInt(*n, "antialias", 1);
  EXPECT_EQ(resizeOutput(nearest, {1, 4}, {1, 2, 3, 4}, "1x2"), (std::vector<float>{1, 3}));  // reads 0.5 and 2.5
}

// Integer scales keep dynamic axes dynamic; one engine serves several shapes.
TEST(OnnxResize, IntegerScalesOnDynamicAxes) {
  NodeProto* n = nullptr;
  OnnxModel m = resizeModel(13, {1, 1, -1, -1}, {1, 1, 2, 0.5f}, {}, &n);
  setString(*n, "coordinate_transformation_mode", "asymmetric");
  setString(*n, "nearest_mode", "floor");
  auto network = m.import();
  EXPECT_EQ(toString(network->getOutput(0)->getDimensions()), "1x1x-1x-1");
  auto engine = buildWithProfile(*network, profileFor("X", {1, 1, 1, 2}, {1, 1, 2, 4}, {1, 1, 3, 8}));
  auto ctx = engine->createExecutionContext();
  for (Dims d : {Dims{1, 1, 1, 2}, Dims{1, 1, 3, 7}}) {
    auto x = iota(static_cast<size_t>(d.volume()));
    auto out = runContext(*ctx, {HostTensor::f32(d, x)});
    Dims expected{1, 1, d.d[2] * 2, d.d[3] / 2};
    ASSERT_EQ(toString(out[0].dims), toString(expected));
    std::vector<float> want;
    for (int64_t h = 0; h < expected.d[2]; ++h)
      for (int64_t w = 0; w < expected.d[3]; ++w) want.push_back(x[(h / 2) * d.d[3] + w * 2]);
    EXPECT_EQ(out[0].f32(), want);
  }
}

TEST(OnnxResize, UnsupportedAndInvalidForms) {
  NodeProto* n = nullptr;
  // Scales only known at run time cannot size the output at build time.
  OnnxModel runtimeScales(13);
  runtimeScales.input("X", {1, 1, 2, 2}).input("scales", {4});
  runtimeScales.node("Resize", {"X", "", "scales"}, {"Y"});
  runtimeScales.output("Y");
  expectImportError(runtimeScales, ErrorCode::kUNSUPPORTED, "scales must be known at build time");
  // Sizes computed from data (not from shapes, not a graph input, which would be a shape input).
  OnnxModel runtimeSizes(13);
  runtimeSizes.input("X", {1, 1, 2, 2}).input("data", {4});
  setInt(runtimeSizes.node("Cast", {"data"}, {"sizes"}), "to", TensorProto::INT64);
  runtimeSizes.node("Resize", {"X", "", "", "sizes"}, {"Y"});
  runtimeSizes.output("Y");
  expectImportError(runtimeSizes, ErrorCode::kUNSUPPORTED, "sizes must be known at build time");

  OnnxModel bicubic = resizeModel(13, {1, 1, 2, 2}, {1, 1, 2, 2}, {}, &n);
  setString(*n, "mode", "bicubic");
  expectImportError(bicubic, ErrorCode::kUNSUPPORTED, "mode 'bicubic'");
  OnnxModel coord = resizeModel(13, {1, 1, 2, 2}, {1, 1, 2, 2}, {}, &n);
  setString(*n, "coordinate_transformation_mode", "tf_half_pixel");
  expectImportError(coord, ErrorCode::kUNSUPPORTED, "coordinate_transformation_mode 'tf_half_pixel'");
  OnnxModel rounding = resizeModel(13, {1, 1, 2, 2}, {1, 1, 2, 2}, {}, &n);
  setString(*n, "nearest_mode", "round");
  expectImportError(rounding, ErrorCode::kUNSUPPORTED, "nearest_mode 'round'");
  OnnxModel policy = resizeModel(18, {1, 1, 2, 2}, {}, {1, 1, 3, 3}, &n);
  setString(*n, "keep_aspect_ratio_policy", "fit");
  expectImportError(policy, ErrorCode::kUNSUPPORTED, "keep_aspect_ratio_policy 'fit'");
  OnnxModel fractional = resizeModel(13, {1, 1, -1, 4}, {1, 1, 1.5f, 1}, {}, &n);
  expectImportError(fractional, ErrorCode::kUNSUPPORTED, "non-integer scale on a dynamic axis");
  OnnxModel aspectDynamic = resizeModel(18, {1, 1, -1, 4}, {}, {3, 3}, &n);
  setInts(*n, "axes", {2, 3});
  setString(*n, "keep_aspect_ratio_policy", "not_larger");
  expectImportError(aspectDynamic, ErrorCode::kUNSUPPORTED, "static lengths");
  OnnxModel ints(13);
  ints.input("X", {1, 1, 2, 2}, TensorProto::INT32).floats("scales", {4}, {1, 1, 2, 2});
  ints.node("Resize", {"X", "", "scales"}, {"Y"});
  ints.output("Y");
  expectImportError(ints, ErrorCode::kUNSUPPORTED, "int32");

  OnnxModel both(13);
  both.input("X", {1, 1, 2, 2});
  both.floats("scales", {4}, {1, 1, 2, 2}).ints("sizes", {1, 1, 4, 4});
  both.node("Resize", {"X", "", "scales", "sizes"}, {"Y"});
  both.output("Y");
  expectImportError(both, ErrorCode::kINVALID_GRAPH, "exactly one of scales and sizes");
  OnnxModel count = resizeModel(13, {1, 1, 2, 2}, {2, 2}, {}, &n);
  expectImportError(count, ErrorCode::kINVALID_GRAPH, "scales has 2 values, expected 4");
}

// ---- Upsample 7 and 9, Resize 10: "output_dimension = floor(input_dimension * scale)", coordinates x / scale -------

// Upsample-7 takes scales as an attribute; Upsample-9 and Resize-10 as a second input.
OnnxModel legacyModel(const char* op, int64_t opset, const std::vector<int64_t>& dims, const std::vector<float>& scales,
                      const char* mode) {
  OnnxModel m(opset);
  m.input("X", dims);
  NodeProto* n = nullptr;
  if (opset < 9) {
    n = &m.node(op, {"X"}, {"Y"});
    setFloats(*n, "scales", scales);
  } else {
    m.floats("scales", {static_cast<int64_t>(scales.size())}, scales);
    n = &m.node(op, {"X", "scales"}, {"Y"});
  }
  setString(*n, "mode", mode);
  m.output("Y");
  return m;
}

TEST(OnnxUpsample, NearestAndLinearAtEveryVersion) {
  struct Version {
    const char* op;
    int64_t opset;
  };
  for (Version v : {Version{"Upsample", 7}, Version{"Upsample", 9}, Version{"Resize", 10}}) {
    SCOPED_TRACE(std::string(v.op) + "-" + std::to_string(v.opset));
    // upsample_nearest: every element repeated (index floor(x / scale)).
    EXPECT_EQ(
        resizeOutput(legacyModel(v.op, v.opset, {1, 1, 2, 2}, {1, 1, 2, 3}, "nearest"), {1, 1, 2, 2}, k2x2, "1x1x4x6"),
        (std::vector<float>{1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 3, 3, 3, 4, 4, 4}));
    // Opset-10 resize_upsample_linear: x / 2, clamped at the last input.
    expectNear(
        resizeOutput(legacyModel(v.op, v.opset, {1, 1, 2, 2}, {1, 1, 2, 2}, "linear"), {1, 1, 2, 2}, k2x2, "1x1x4x4"),
        {1, 1.5f, 2, 2, 2, 2.5f, 3, 3, 3, 3.5f, 4, 4, 3, 3.5f, 4, 4}, 1e-6f, 0);
  }
}

// Opset-10 resize_downsample_nearest and resize_downsample_linear: 2x4 by 0.6 is 1x2, and output 1 reads 1 / 0.6,
// rounded up for nearest (as ONNX Runtime does when downsampling).
TEST(OnnxUpsample, Resize10Downsampling) {
  std::vector<float> x = iota(8, 1);
  EXPECT_EQ(
      resizeOutput(legacyModel("Resize", 10, {1, 1, 2, 4}, {1, 1, 0.6f, 0.6f}, "nearest"), {1, 1, 2, 4}, x, "1x1x1x2"),
      (std::vector<float>{1, 3}));
  expectNear(
      resizeOutput(legacyModel("Resize", 10, {1, 1, 2, 4}, {1, 1, 0.6f, 0.6f}, "linear"), {1, 1, 2, 4}, x, "1x1x1x2"),
      {1, 2.6666665f}, 1e-6f, 0);
}

TEST(OnnxUpsample, UnsupportedAndInvalidForms) {
  // Rounding up on one axis and down on another needs a per-axis rounding.
  expectImportError(legacyModel("Resize", 10, {1, 1, 4, 5}, {1, 1, 2, 0.6f}, "nearest"), ErrorCode::kUNSUPPORTED,
                    "upsampled and others");
  expectImportError(legacyModel("Upsample", 9, {1, 1, 2, 2}, {1, 1, 2, 2}, "cubic"), ErrorCode::kUNSUPPORTED,
                    "mode 'cubic'");
  expectImportError(legacyModel("Upsample", 7, {1, 1, 2, 2}, {2, 2}, "nearest"), ErrorCode::kINVALID_GRAPH,
                    "scales has 2 values for rank 4");
  OnnxModel runtime(9);
  runtime.input("X", {1, 1, 2, 2}).input("scales", {4});
  runtime.node("Upsample", {"X", "scales"}, {"Y"});
  runtime.output("Y");
  expectImportError(runtime, ErrorCode::kUNSUPPORTED, "scales must be known at build time");
}

// ---- GridSample -------------------------------------------------------------------------------------------------

struct GridCase {
  const char* mode;
  const char* padding;
  int64_t alignCorners;
  float gx, gy;
  float expected;
};

// The image [[1, 2], [3, 4]] sampled at one grid point.
TEST(OnnxGridSample, ModesAndPaddings) {
  const GridCase cases[] = {
      // The image center (0.5, 0.5) averages all four.
      {"bilinear", "zeros", 0, 0.0f, 0.0f, 2.5f},
      // The top-left corner (-0.5, -0.5): a quarter of 1, the other taps read zeros, or 1 at the border.
      {"bilinear", "zeros", 0, -1.0f, -1.0f, 0.25f},
      {"bilinear", "border", 0, -1.0f, -1.0f, 1.0f},
      // x = 0.75 rounds to column 1 of row 0.
      {"nearest", "zeros", 1, 0.5f, -1.0f, 2.0f},
      // x = 2.5 reflects about 1.5 to 0.5; y = 0.5: the center again.
      {"bilinear", "reflection", 0, 2.0f, 0.0f, 2.5f},
      // On a pixel center the cubic weights are 0, 1, 0, 0.
      {"bicubic", "border", 1, 1.0f, -1.0f, 2.0f},
  };
  for (const GridCase& c : cases) {
    SCOPED_TRACE(std::string(c.mode) + " " + c.padding);
    OnnxModel m(16);
    NodeProto& node = m.outputNode("GridSample", {"x", "grid"}, {"y"});
    m.input("x", {1, 1, 2, 2}).constant<float>("grid", {1, 1, 1, 2}, TensorProto::FLOAT, {c.gx, c.gy});
    setString(node, "mode", c.mode);
    setString(node, "padding_mode", c.padding);
    setInt(node, "align_corners", c.alignCorners);
    auto out = m.run({HostTensor::f32({1, 1, 2, 2}, {1, 2, 3, 4})});
    EXPECT_EQ(toString(out[0].dims), "1x1x1x1");
    expectNear(out[0].f32(), {c.expected});
  }
}

TEST(OnnxGridSample, UnknownModeIsInvalid) {
  OnnxModel m(16);
  NodeProto& node = m.outputNode("GridSample", {"x", "grid"}, {"y"});
  m.input("x", {1, 1, 2, 2}).input("grid", {1, 1, 1, 2});
  setString(node, "mode", "area");
  Error e = m.importError();
  EXPECT_EQ(e.code(), ErrorCode::kINVALID_GRAPH) << e.what();
}

}  // namespace
}  // namespace kiln::test
