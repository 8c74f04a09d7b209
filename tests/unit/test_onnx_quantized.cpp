// ONNX importers for the integer and quantized ops (ConvInteger, MatMulInteger, QLinearConv, QLinearMatMul), on
// one-node models built in memory. Expected values are worked by hand in the comments.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>

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

}  // namespace
}  // namespace kiln::test
