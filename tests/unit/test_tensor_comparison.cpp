// The numbers `kiln compare` reports (tools/kiln/tensor_comparison.h): max abs / rel error and the per-element
// tolerance, NaN and infinities, shapes, and values of every type compared as numbers.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>

#include "tensor_comparison.h"

namespace kiln::cli {
namespace {

template <typename T>
NpyArray array(DataType type, const Dims& dims, const std::vector<T>& values) {
  NpyArray a{type, dims, std::vector<uint8_t>(values.size() * sizeof(T))};
  std::memcpy(a.bytes.data(), values.data(), a.bytes.size());
  return a;
}

NpyArray floats(const std::vector<float>& values) {
  return array(DataType::kFLOAT, Dims{static_cast<int64_t>(values.size())}, values);
}

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();

TEST(TensorComparison, EqualArraysHaveNoError) {
  TensorDifference d = compareTensors(floats({1, -2, 0}), floats({1, -2, 0}), Tolerance{});
  EXPECT_TRUE(d.passed());
  EXPECT_EQ(d.maxAbs, 0.0);
  EXPECT_EQ(d.maxRel, 0.0);
  EXPECT_EQ(d.elements, 3);
}

TEST(TensorComparison, AbsoluteAndRelativeErrorsAgainstTheReference) {
  TensorDifference d = compareTensors(floats({1.5f, 4.0f}), floats({1.0f, 5.0f}), Tolerance{0.0, 0.0});
  EXPECT_DOUBLE_EQ(d.maxAbs, 1.0);
  EXPECT_DOUBLE_EQ(d.maxRel, 0.5);  // |1.5 - 1| / |1|
  EXPECT_EQ(d.mismatches, 2);
  EXPECT_FALSE(d.passed());
}

TEST(TensorComparison, AnElementPassesWithinAtolPlusRtolTimesTheReference) {
  // 100.5 vs 100: |diff| 0.5 <= 0.1 + 0.005 * 100 passes; 1.5 vs 1: 0.5 > 0.1 + 0.005 fails.
  TensorDifference d = compareTensors(floats({100.5f, 1.5f}), floats({100.0f, 1.0f}), Tolerance{0.1, 0.005});
  EXPECT_EQ(d.mismatches, 1);
  // The rule reads the reference's value, not the subject's: swapped, 100 vs 100.5 still passes.
  EXPECT_EQ(compareTensors(floats({100.0f}), floats({100.5f}), Tolerance{0.1, 0.005}).mismatches, 0);
}

TEST(TensorComparison, NaNEqualsOnlyNaNAndInfinitiesOnlyThemselves) {
  EXPECT_TRUE(compareTensors(floats({kNaN, kInf, -kInf}), floats({kNaN, kInf, -kInf}), Tolerance{}).passed());
  TensorDifference d = compareTensors(floats({kNaN, 1.0f}), floats({1.0f, kNaN}), Tolerance{1e9, 1e9});
  EXPECT_EQ(d.mismatches, 2);
  EXPECT_TRUE(std::isinf(d.maxAbs));
  EXPECT_EQ(compareTensors(floats({kInf}), floats({-kInf}), Tolerance{1e9, 1e9}).mismatches, 1);
  EXPECT_EQ(compareTensors(floats({kInf}), floats({1e30f}), Tolerance{1e9, 1e9}).mismatches, 1);
}

TEST(TensorComparison, AZeroReferenceMakesAnyDifferenceInfinitelyRelative) {
  TensorDifference d = compareTensors(floats({1e-7f}), floats({0.0f}), Tolerance{});
  EXPECT_TRUE(std::isinf(d.maxRel));
  EXPECT_TRUE(d.passed());  // within atol
}

TEST(TensorComparison, OtherShapesAreNotCompared) {
  TensorDifference d =
      compareTensors(floats({1, 2}), array(DataType::kFLOAT, Dims{1, 2}, std::vector<float>{1, 2}), Tolerance{});
  EXPECT_FALSE(d.sameShape);
  EXPECT_FALSE(d.passed());
}

TEST(TensorComparison, ValuesOfEveryTypeAreComparedAsNumbers) {
  // fp16 1.0 (0x3c00), -2.0 (0xc000), the smallest subnormal (0x0001), +inf (0x7c00); bf16 1.5 (0x3fc0).
  EXPECT_EQ(valuesAsDoubles(array(DataType::kHALF, Dims{4}, std::vector<uint16_t>{0x3c00, 0xc000, 0x0001, 0x7c00})),
            (std::vector<double>{1.0, -2.0, std::ldexp(1.0, -24), std::numeric_limits<double>::infinity()}));
  EXPECT_EQ(valuesAsDoubles(array(DataType::kBF16, Dims{1}, std::vector<uint16_t>{0x3fc0})), std::vector<double>{1.5});
  EXPECT_EQ(valuesAsDoubles(array(DataType::kBOOL, Dims{2}, std::vector<uint8_t>{1, 0})),
            (std::vector<double>{1.0, 0.0}));
  // An int32 plan output against ONNX Runtime's int64 of the same values agrees.
  NpyArray int32s = array(DataType::kINT32, Dims{2}, std::vector<int32_t>{-3, 7});
  NpyArray int64s = array(DataType::kINT64, Dims{2}, std::vector<int64_t>{-3, 7});
  EXPECT_TRUE(compareTensors(int32s, int64s, Tolerance{0.0, 0.0}).passed());
}

}  // namespace
}  // namespace kiln::cli
