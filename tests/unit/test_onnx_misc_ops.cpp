// ONNX importers for the integer and quantized ops (ConvInteger, MatMulInteger, QLinearConv, QLinearMatMul),
// BatchNormalization in training mode, MaxPool's Indices, MaxUnpool, ReverseSequence, Det and GridSample, on
// one-node models built in memory. Expected values are worked by hand in the comments.
#include <gtest/gtest.h>

#include <cmath>

#include "onnx_model_builder.h"

namespace kiln::test {
namespace {

HostTensor u8(const Dims& dims, const std::vector<uint8_t>& values) {
  return HostTensor::of(DataType::kUINT8, dims, values);
}

// ---- Integer and quantized linear algebra ---------------------------------------------------------------------------

// A - 1 = [[0, 1], [2, 3]] times B = [[1, -1], [2, 0]] is [[2, 0], [8, -2]].
TEST(OnnxQuantized, MatMulIntegerSubtractsZeroPoints) {
  OnnxModel m(10);
  m.outputNode("MatMulInteger", {"A", "B", "za"}, {"Y"});
  m.input("A", {2, 2}, TensorProto::UINT8)
      .constant<int8_t>("B", {2, 2}, TensorProto::INT8, {1, -1, 2, 0})
      .constant<uint8_t>("za", {}, TensorProto::UINT8, {1});
  auto out = m.run({u8({2, 2}, {1, 2, 3, 4})});
  ASSERT_EQ(out[0].type, DataType::kINT32);
  EXPECT_EQ(out[0].as<int32_t>(), (std::vector<int32_t>{2, 0, 8, -2}));
}

// (x - 1) = 0..8 in a 3x3 image, a 2x2 kernel of ones: window sums 0+1+3+4, 1+2+4+5, 3+4+6+7, 4+5+7+8.
TEST(OnnxQuantized, ConvIntegerSumsWindows) {
  OnnxModel m(10);
  m.outputNode("ConvInteger", {"x", "w", "zx"}, {"y"});
  m.input("x", {1, 1, 3, 3}, TensorProto::UINT8)
      .constant<uint8_t>("w", {1, 1, 2, 2}, TensorProto::UINT8, {1, 1, 1, 1})
      .constant<uint8_t>("zx", {}, TensorProto::UINT8, {1});
  auto out = m.run({u8({1, 1, 3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9})});
  EXPECT_EQ(toString(out[0].dims), "1x1x2x2");
  EXPECT_EQ(out[0].as<int32_t>(), (std::vector<int32_t>{8, 12, 20, 24}));
}

// Two run-time uint8 operands over 2000 products: 255 * 255 * 2000 is beyond 2^24.
TEST(OnnxQuantized, SumsThatMayBeInexactAreRejected) {
  OnnxModel m(10);
  m.outputNode("MatMulInteger", {"A", "B"}, {"Y"});
  m.input("A", {1, 2000}, TensorProto::UINT8).input("B", {2000, 1}, TensorProto::UINT8);
  Error e = m.importError();
  EXPECT_EQ(e.code(), ErrorCode::kUNSUPPORTED) << e.what();
  EXPECT_NE(std::string(e.what()).find("2^24"), std::string::npos) << e.what();
}

// a - 10 = [0, 10], b - 1 = [2, 4]: the accumulator is 40, the multiplier 0.5 * 0.25 / y_scale.
TEST(OnnxQuantized, QLinearMatMulRoundsHalfToEvenAndSaturates) {
  struct Case {
    float yScale;
    uint8_t yZero;
    uint8_t expected;
  };
  // 40 * 0.0625 = 2.5 rounds to 2; 40 * 0.25 + 250 = 260 saturates to 255.
  for (const Case& c : {Case{2.0f, 0, 2}, Case{0.5f, 250, 255}}) {
    OnnxModel m(10);
    m.outputNode("QLinearMatMul", {"a", "sa", "za", "b", "sb", "zb", "sy", "zy"}, {"y"});
    m.input("a", {1, 2}, TensorProto::UINT8)
        .constant<float>("sa", {}, TensorProto::FLOAT, {0.5f})
        .constant<uint8_t>("za", {}, TensorProto::UINT8, {10})
        .constant<uint8_t>("b", {2, 1}, TensorProto::UINT8, {3, 5})
        .constant<float>("sb", {}, TensorProto::FLOAT, {0.25f})
        .constant<uint8_t>("zb", {}, TensorProto::UINT8, {1})
        .constant<float>("sy", {}, TensorProto::FLOAT, {c.yScale})
        .constant<uint8_t>("zy", {}, TensorProto::UINT8, {c.yZero});
    auto out = m.run({u8({1, 2}, {10, 20})});
    ASSERT_EQ(out[0].type, DataType::kUINT8);
    EXPECT_EQ(out[0].as<uint8_t>(), std::vector<uint8_t>{c.expected});
  }
}

// Per-channel weight scales and an int32 bias. Channel 0: (x + 1) * 0.5 = 1.5, 2.5, 3.5, 4.5, rounded half to even
// 2, 2, 4, 4, plus 128. Channel 1: -x = -2, -4, -6, -8, plus 128.
TEST(OnnxQuantized, QLinearConvPerChannelWithBias) {
  OnnxModel m(10);
  m.outputNode("QLinearConv", {"x", "sx", "zx", "w", "sw", "zw", "sy", "zy", "B"}, {"y"});
  m.input("x", {1, 1, 2, 2}, TensorProto::UINT8)
      .constant<float>("sx", {}, TensorProto::FLOAT, {1.0f})
      .constant<uint8_t>("zx", {}, TensorProto::UINT8, {0})
      .constant<int8_t>("w", {2, 1, 1, 1}, TensorProto::INT8, {1, -1})
      .constant<float>("sw", {2}, TensorProto::FLOAT, {0.5f, 1.0f})
      .constant<int8_t>("zw", {2}, TensorProto::INT8, {0, 0})
      .constant<float>("sy", {}, TensorProto::FLOAT, {1.0f})
      .constant<uint8_t>("zy", {}, TensorProto::UINT8, {128})
      .constant<int32_t>("B", {2}, TensorProto::INT32, {1, 0});
  auto out = m.run({u8({1, 1, 2, 2}, {2, 4, 6, 8})});
  EXPECT_EQ(toString(out[0].dims), "1x2x2x2");
  EXPECT_EQ(out[0].as<uint8_t>(), (std::vector<uint8_t>{130, 130, 132, 132, 126, 124, 122, 120}));
}

// ---- BatchNormalization training mode --------------------------------------------------------------------------

// One channel holding 1, 2, 3, 4: mean 2.5, variance (2.25 + 0.25 + 0.25 + 2.25) / 4 = 1.25. Running statistics
// 0 and 1 with momentum 0.9 become 0.25 and 0.9 + 0.125.
TEST(OnnxBatchNormalization, TrainingModeUsesBatchStatistics) {
  OnnxModel m(15);
  NodeProto& node =
      m.outputNode("BatchNormalization", {"x", "s", "b", "mean", "var"}, {"y", "running_mean", "running_var"});
  m.input("x", {2, 1, 2})
      .constant<float>("s", {1}, TensorProto::FLOAT, {2.0f})
      .constant<float>("b", {1}, TensorProto::FLOAT, {1.0f})
      .constant<float>("mean", {1}, TensorProto::FLOAT, {0.0f})
      .constant<float>("var", {1}, TensorProto::FLOAT, {1.0f});
  setInt(node, "training_mode", 1);
  auto out = m.run({HostTensor::f32({2, 1, 2}, {1, 2, 3, 4})});
  ASSERT_EQ(out.size(), 3u);
  float inv = 1.0f / std::sqrt(1.25f + 1e-5f);
  expectNear(out[0].f32(), {1 - 3 * inv, 1 - inv, 1 + inv, 1 + 3 * inv});
  expectNear(out[1].f32(), {0.25f});
  expectNear(out[2].f32(), {1.025f});
}

// ---- MaxPool indices, MaxUnpool
// --------------------------------------------------------------------------------------

// [[1, 5, 2], [7, 3, 9]] with 2x2 windows: 7 at (1, 0) and 9 at (1, 2), row-major 3 and 5, column-major
// (h + w * 2) 1 and 5; the second image adds its offset of 6.
TEST(OnnxMaxPool, IndicesInBothStorageOrders) {
  for (int64_t order : {0, 1}) {
    OnnxModel m(12);
    NodeProto& node = m.outputNode("MaxPool", {"x"}, {"y", "i"});
    m.input("x", {2, 1, 2, 3});
    setInts(node, "kernel_shape", {2, 2});
    setInt(node, "storage_order", order);
    auto out = m.run({HostTensor::f32({2, 1, 2, 3}, {1, 5, 2, 7, 3, 9, 1, 5, 2, 7, 3, 9})});
    expectNear(out[0].f32(), {7, 9, 7, 9});
    ASSERT_EQ(out[1].type, DataType::kINT64);
    EXPECT_EQ(out[1].as<int64_t>(),
              order == 0 ? (std::vector<int64_t>{3, 5, 9, 11}) : (std::vector<int64_t>{1, 5, 7, 11}));
  }
}

// Values 7 and 9 at flat indices 3 and 5 of the 1x1x2x3 default output ((1 - 1) * 1 + 2, (2 - 1) * 1 + 2), or of
// a 1x1x2x4 output_shape.
TEST(OnnxMaxUnpool, ScattersIntoTheOutputShape) {
  OnnxModel plain(11);
  NodeProto& plainNode = plain.outputNode("MaxUnpool", {"x", "i"}, {"y"});
  plain.input("x", {1, 1, 1, 2}).constant<int64_t>("i", {1, 1, 1, 2}, TensorProto::INT64, {3, 5});
  setInts(plainNode, "kernel_shape", {2, 2});
  auto out = plain.run({HostTensor::f32({1, 1, 1, 2}, {7, 9})});
  EXPECT_EQ(toString(out[0].dims), "1x1x2x3");
  expectNear(out[0].f32(), {0, 0, 0, 7, 0, 9});

  OnnxModel shaped(11);
  NodeProto& shapedNode = shaped.outputNode("MaxUnpool", {"x", "i", "shape"}, {"y"});
  shaped.input("x", {1, 1, 1, 2})
      .constant<int64_t>("i", {1, 1, 1, 2}, TensorProto::INT64, {3, 5})
      .constant<int64_t>("shape", {4}, TensorProto::INT64, {1, 1, 2, 4});
  setInts(shapedNode, "kernel_shape", {2, 2});
  out = shaped.run({HostTensor::f32({1, 1, 1, 2}, {7, 9})});
  EXPECT_EQ(toString(out[0].dims), "1x1x2x4");
  expectNear(out[0].f32(), {0, 0, 0, 7, 0, 9, 0, 0});
}

// ---- ReverseSequence -----------------------------------------------------------------------------------------------

// x[t, b] = 10 t + b; batch 0 reverses all 4 steps (30, 20, 10, 0), batch 1 its first 2 (11, 1, 21, 31).
TEST(OnnxReverseSequence, ReversesEachSequencePrefix) {
  OnnxModel m(10);
  m.outputNode("ReverseSequence", {"x", "lens"}, {"y"});
  m.input("x", {4, 2}).constant<int64_t>("lens", {2}, TensorProto::INT64, {4, 2});
  auto out = m.run({HostTensor::f32({4, 2}, {0, 1, 10, 11, 20, 21, 30, 31})});
  expectNear(out[0].f32(), {30, 11, 20, 1, 10, 21, 0, 31});
}

// The same with batch first and a trailing feature axis: each step moves with its features.
TEST(OnnxReverseSequence, BatchMajorWithFeatures) {
  OnnxModel m(10);
  NodeProto& node = m.outputNode("ReverseSequence", {"x", "lens"}, {"y"});
  m.input("x", {1, 3, 2}).constant<int64_t>("lens", {1}, TensorProto::INT64, {2});
  setInt(node, "time_axis", 1);
  setInt(node, "batch_axis", 0);
  auto out = m.run({HostTensor::f32({1, 3, 2}, {0, 1, 2, 3, 4, 5})});
  expectNear(out[0].f32(), {2, 3, 0, 1, 4, 5});
}

// ---- Det ------------------------------------------------------------------------------------------------------------

// det [[1, 2], [3, 4]] = -2, det diag(2, 3) = 6, and a 3x3 needing a row swap:
// det [[0, 1, 2], [1, 0, 3], [4, -3, 8]] = 0 - 1 * (8 - 12) + 2 * (-3 - 0) = -2.
TEST(OnnxDet, BatchesOfMatrices) {
  OnnxModel two(11);
  two.outputNode("Det", {"x"}, {"y"});
  two.input("x", {2, 2, 2});
  auto out = two.run({HostTensor::f32({2, 2, 2}, {1, 2, 3, 4, 2, 0, 0, 3})});
  EXPECT_EQ(toString(out[0].dims), "2");
  expectNear(out[0].f32(), {-2, 6});
  OnnxModel three(11);
  three.outputNode("Det", {"x"}, {"y"});
  three.input("x", {3, 3});
  out = three.run({HostTensor::f32({3, 3}, {0, 1, 2, 1, 0, 3, 4, -3, 8})});
  EXPECT_EQ(toString(out[0].dims), "scalar");
  expectNear(out[0].f32(), {-2});
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
