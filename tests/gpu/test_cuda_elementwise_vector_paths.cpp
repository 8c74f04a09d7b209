// The CUDA element-wise kernels' 16-byte vector paths and the element paths they fall back to, against the CPU
// backend: activations, unary and binary operations (same shape, a row along the trailing axes, one value, and the
// general broadcasts) at lengths that are and are not multiples of the vector, with vector tails; and the kernels
// with vector paths (softmax and layer norm rows too) with the network's inputs and outputs bound at addresses no
// 16-byte access may use. The CPU network computes in fp32; the CUDA one in the parameter's type (fp32, fp16, bf16),
// its input and constants cast at its edges. The values are exact in every tested type (multiples of 1/64 within
// [-2, 2]), so only the rounding of the results differs: fp32 within 1e-4 relative, fp16 and bf16 within 1e-2.
// Every test skips with a message without a GPU (ctest label gpu).
#include <gtest/gtest.h>

#include <string>

#include "gpu_test_util.h"

namespace kiln {
namespace {

using gpu_test::as;
using gpu_test::dims;
using gpu_test::exactConstant;
using gpu_test::exactValues;
using gpu_test::markFloat;
using gpu_test::stepsOfType;
using test::HostTensor;

// A constant of exactValues moved into [0.5, 2.5], in `type`: a divisor away from 0.
Tensor* positiveConstant(NetworkDefinition& n, const Dims& shape, uint32_t seed, DataType type) {
  std::vector<float> values = exactValues(static_cast<size_t>(shape.volume()), seed);
  for (float& v : values) v = v / 2 + 1.5f;
  return as(n, test::floatConstant(n, shape, values), type);
}

class CudaVectorPaths : public ::testing::TestWithParam<DataType> {};

INSTANTIATE_TEST_SUITE_P(Precisions, CudaVectorPaths, gpu_test::vectorPrecisions(), gpu_test::typeParamName);

// Activations and unary operations over whole tensors of 1, 7, 8 (one vector in fp16), 4099 (vectors and a tail) and
// 100003 elements; isinf of x / 0 (inf where x is not 0, NaN where it is) gives bool outputs stored by vectors too.
TEST_P(CudaVectorPaths, ActivationsAndUnaryOperationsOverWholeTensors) {
  REQUIRE_CUDA();
  gpu_test::compareBackends(
      [](NetworkDefinition& n, DataType type) {
        auto* x = as(n, n.addInput("x", DataType::kFLOAT, dims({-1})), type);
        for (ActivationType op : {ActivationType::kGELU_ERF, ActivationType::kSIGMOID, ActivationType::kRELU})
          markFloat(n, n.addActivation(*x, op)->getOutput(0));
        markFloat(n, n.addUnary(*x, UnaryOperation::kABS)->getOutput(0));
        markFloat(n, n.addUnary(*x, UnaryOperation::kEXP)->getOutput(0));
        auto* zero = as(n, test::floatConstant(n, dims({1}), {0.0f}), type);
        auto* quotient = n.addElementWise(*x, *zero, ElementWiseOperation::kDIV)->getOutput(0);
        n.markOutput(*n.addUnary(*quotient, UnaryOperation::kISINF)->getOutput(0));
        n.markOutput(*n.addUnary(*quotient, UnaryOperation::kISNAN)->getOutput(0));
      },
      GetParam(), dims({1}), dims({100003}), {dims({1}), dims({7}), dims({8}), dims({4099}), dims({100003})},
      exactValues);
}

// Binary operations on x [m, n]: same shape (x * x), a constant row [n] (x - row, x / row, x > row: bool), one
// value (max(x, c)), a row computed on the device (x + max over the rows, [1, n]), and the general broadcasts: a
// column (x + max along the rows, [m, 1]) and a column against a row. Rows of 8 (a vector in fp16), 64, 1024 and
// 3000 elements, and of 7 and 100 (no vectors for rows in fp16, but vectors over the same-shape operands).
TEST_P(CudaVectorPaths, BinaryOperationsOnSameShapeRowScalarAndBroadcastOperands) {
  REQUIRE_CUDA();
  for (int64_t columns : {8, 64, 1024, 3000, 7, 100}) {
    SCOPED_TRACE(columns);
    gpu_test::compareBackends(
        [columns](NetworkDefinition& n, DataType type) {
          auto* x = as(n, n.addInput("x", DataType::kFLOAT, dims({-1, columns})), type);
          auto binary = [&](Tensor* a, Tensor* b, ElementWiseOperation op) {
            return n.addElementWise(*a, *b, op)->getOutput(0);
          };
          markFloat(n, binary(x, x, ElementWiseOperation::kPROD));
          markFloat(n, binary(x, exactConstant(n, dims({columns}), 61, type), ElementWiseOperation::kSUB));
          markFloat(n, binary(x, positiveConstant(n, dims({columns}), 62, type), ElementWiseOperation::kDIV));
          n.markOutput(*binary(x, exactConstant(n, dims({columns}), 63, type), ElementWiseOperation::kGREATER));
          markFloat(n, binary(x, exactConstant(n, dims({1, 1}), 64, type), ElementWiseOperation::kMAX));
          auto* row = n.addReduce(*x, ReduceOperation::kMAX, 0b01u, true)->getOutput(0);
          auto* column = n.addReduce(*x, ReduceOperation::kMAX, 0b10u, true)->getOutput(0);
          markFloat(n, binary(x, row, ElementWiseOperation::kSUM));
          markFloat(n, binary(column, x, ElementWiseOperation::kSUM));
          markFloat(n, binary(column, row, ElementWiseOperation::kSUB));
        },
        GetParam(), dims({1, columns}), dims({9, columns}),
        {dims({1, columns}), dims({3, columns}), dims({9, columns})}, exactValues);
  }
}

// int32 and bool element-wise operations by 16-byte vectors: integers from x * 64 (exact), summed with and
// multiplied by a constant row, compared with it; logical not of the comparison. Bit for bit.
TEST(CudaVectorPathsOfIntegers, Int32AndBoolOperandsSameShapeAndRows) {
  REQUIRE_CUDA();
  for (int64_t columns : {4, 16, 7, 1000}) {
    SCOPED_TRACE(columns);
    gpu_test::compareBackends(
        [columns](NetworkDefinition& n, DataType) {
          auto* x = n.addInput("x", DataType::kFLOAT, dims({-1, columns}));
          auto* scale = test::floatConstant(n, dims({1, 1}), {64.0f});
          auto* integers =
              as(n, n.addElementWise(*x, *scale, ElementWiseOperation::kPROD)->getOutput(0), DataType::kINT32);
          std::vector<float> rowValues = exactValues(static_cast<size_t>(columns), 71);
          for (float& v : rowValues) v *= 64;
          auto* row = as(n, test::floatConstant(n, dims({columns}), rowValues), DataType::kINT32);
          n.markOutput(*n.addElementWise(*integers, *row, ElementWiseOperation::kSUM)->getOutput(0));
          n.markOutput(*n.addElementWise(*integers, *integers, ElementWiseOperation::kPROD)->getOutput(0));
          auto* greater = n.addElementWise(*integers, *row, ElementWiseOperation::kGREATER)->getOutput(0);
          n.markOutput(*n.addUnary(*greater, UnaryOperation::kNOT)->getOutput(0));
          n.markOutput(*n.addUnary(*integers, UnaryOperation::kNEG)->getOutput(0));
        },
        DataType::kFLOAT, dims({1, columns}), dims({9, columns}),
        {dims({1, columns}), dims({3, columns}), dims({9, columns})}, exactValues);
  }
}

// The kernels that read the network's fp32 input and write its outputs directly, with every input and output bound 4
// bytes into its buffer (element-aligned, not 16-byte aligned): softmax, layer normalization, activations, unary and
// binary operations all take their element paths. Then a softmax whose scores are aligned (computed on the device)
// and whose mask is the misaligned input "mask": the vector kernel reads the mask one element at a time.
TEST(CudaVectorPathsOfMisalignedTensors, InputsAndOutputsOffTheVectorAlignment) {
  REQUIRE_CUDA();
  constexpr int64_t kRows = 5, kColumns = 64;
  auto make = [](NetworkDefinition& n, DataType) {
    auto* x = n.addInput("x", DataType::kFLOAT, dims({kRows, kColumns}));
    auto* mask = n.addInput("mask", DataType::kFLOAT, dims({kRows, kColumns}));
    n.markOutput(*n.addSoftMax(*x)->getOutput(0));
    n.markOutput(*n.addNormalization(*x, *exactConstant(n, dims({kColumns}), 81, DataType::kFLOAT),
                                     *exactConstant(n, dims({kColumns}), 82, DataType::kFLOAT), 1u << 1)
                      ->getOutput(0));
    n.markOutput(*n.addActivation(*x, ActivationType::kGELU_ERF)->getOutput(0));
    n.markOutput(*n.addUnary(*x, UnaryOperation::kISNAN)->getOutput(0));
    n.markOutput(*n.addElementWise(*x, *mask, ElementWiseOperation::kSUB)->getOutput(0));
    n.markOutput(
        *n.addElementWise(*x, *exactConstant(n, dims({kColumns}), 83, DataType::kFLOAT), ElementWiseOperation::kSUM)
             ->getOutput(0));
    auto* scores = n.addActivation(*x, ActivationType::kTANH)->getOutput(0);
    auto* masked = n.addSoftMax(*n.addElementWise(*scores, *mask, ElementWiseOperation::kSUM)->getOutput(0));
    n.markOutput(*n.addActivation(*masked->getOutput(0), ActivationType::kRELU)->getOutput(0));
  };
  OptimizationProfile profile;
  test::setRange(profile, "x", dims({kRows, kColumns}), dims({kRows, kColumns}), dims({kRows, kColumns}));
  test::setRange(profile, "mask", dims({kRows, kColumns}), dims({kRows, kColumns}), dims({kRows, kColumns}));
  std::vector<std::vector<HostTensor>> runs = {
      {HostTensor::f32(dims({kRows, kColumns}), exactValues(kRows * kColumns, 1)),
       HostTensor::f32(dims({kRows, kColumns}), exactValues(kRows * kColumns, 2))}};
  for (size_t offset : {size_t{0}, size_t{4}}) {
    SCOPED_TRACE("offset " + std::to_string(offset));
    std::unique_ptr<Engine> gpu;
    gpu_test::compareBackendsOn(make, DataType::kFLOAT, profile, runs, &gpu, offset);
    ASSERT_TRUE(gpu);
    EXPECT_EQ(stepsOfType(*gpu, "SoftMax"), 2);
  }
}

}  // namespace
}  // namespace kiln
