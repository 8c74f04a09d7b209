// The CUDA softmax and layer normalization over the innermost axis, plain and with their fused prologues
// (attention's scale and mask, the residual sum), against the CPU backend. Rows that are a multiple of the 16-byte
// vector take the vector kernels (softmax: a group of 4 to 32 lanes per row; layer norm: a warp per row, scale and
// bias by vectors), other rows up to 1024 elements a warp per row element by element, longer ones a block per row.
// The CPU network computes in fp32; the CUDA one in the parameter's type (fp32, fp16, bf16), its input and constants
// cast at its edges. The values are exact in every tested type (multiples of 1/64 within [-2, 2]), so only the
// rounding of the results differs: fp32 within 1e-4 relative, fp16 and bf16 within 1e-2. Every test skips with a
// message without a GPU (ctest label gpu).
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

class CudaRowKernels : public ::testing::TestWithParam<DataType> {};

INSTANTIATE_TEST_SUITE_P(Precisions, CudaRowKernels, gpu_test::vectorPrecisions(), gpu_test::typeParamName);

// Softmax and log-softmax over rows of n elements: n = 8 and 24 (fp16: a group of 4 lanes per row, 8 rows a warp),
// 64 (8 lanes), 128 (16), 256 (one warp, one vector a lane), 384, 1000 and 1024 (a warp, several vectors a lane);
// 1, 7 and 100 (not a multiple of fp16's 8-element vector: the element kernel); 1030 and 3000 (a block per row). Row
// counts that leave the last warp's groups partly without a row.
TEST_P(CudaRowKernels, SoftMaxAndLogSoftMaxOverRowsOfEveryLength) {
  REQUIRE_CUDA();
  gpu_test::compareBackends(
      [](NetworkDefinition& n, DataType type) {
        auto* x = as(n, n.addInput("x", DataType::kFLOAT, dims({-1, -1})), type);
        markFloat(n, n.addSoftMax(*x)->getOutput(0));
        auto* log = n.addSoftMax(*x);
        log->setLog(true);
        markFloat(n, log->getOutput(0));
      },
      GetParam(), dims({1, 1}), dims({37, 3000}),
      {dims({37, 8}), dims({5, 24}), dims({9, 64}), dims({5, 128}), dims({2, 256}), dims({3, 384}), dims({4, 1000}),
       dims({3, 1024}), dims({1, 1}), dims({6, 7}), dims({5, 100}), dims({2, 1030}), dims({2, 3000})},
      exactValues);
}

// softmax(x * 0.125 + mask) over the last axis of x [B, 2, S, T] with masks taken from x by a max over some axes:
// [B, 1, 1, T] (BERT's: broadcast over heads and queries), [B, 1, S, T], [1, 2, S, T], [1, 1, 1, T] (all read by
// vectors where T allows), [B, 2, S, 1] (one value per row), and the same-shape relu(x); then max(x over heads) + x
// unscaled, whose scores (the first addend) broadcast: the element kernel. Every sum and scale fuses into its softmax.
TEST_P(CudaRowKernels, AttentionSoftMaxWithEveryMaskPattern) {
  REQUIRE_CUDA();
  constexpr uint32_t kMaskAxes[] = {0b0110u, 0b0010u, 0b0001u, 0b0111u, 0b1000u};
  std::unique_ptr<Engine> gpu;
  gpu_test::compareBackends(
      [&](NetworkDefinition& n, DataType type) {
        auto* x = as(n, n.addInput("x", DataType::kFLOAT, dims({-1, 2, -1, -1})), type);
        auto scaledPlus = [&](Tensor* mask) {
          auto* scale = as(n, test::floatConstant(n, dims({1, 1, 1, 1}), {0.125f}), type);
          auto* scaled = n.addElementWise(*x, *scale, ElementWiseOperation::kPROD)->getOutput(0);
          auto* sum = n.addElementWise(*mask, *scaled, ElementWiseOperation::kSUM)->getOutput(0);
          markFloat(n, n.addSoftMax(*sum)->getOutput(0));
        };
        for (uint32_t axes : kMaskAxes) scaledPlus(n.addReduce(*x, ReduceOperation::kMAX, axes, true)->getOutput(0));
        scaledPlus(n.addActivation(*x, ActivationType::kRELU)->getOutput(0));
        auto* heads = n.addReduce(*x, ReduceOperation::kMAX, 0b0010u, true)->getOutput(0);
        markFloat(n,
                  n.addSoftMax(*n.addElementWise(*heads, *x, ElementWiseOperation::kSUM)->getOutput(0))->getOutput(0));
      },
      GetParam(), dims({1, 2, 1, 1}), dims({3, 2, 5, 3000}),
      {dims({3, 2, 5, 8}), dims({2, 2, 3, 64}), dims({3, 2, 5, 128}), dims({1, 2, 4, 256}), dims({2, 2, 2, 384}),
       dims({2, 2, 3, 1000}), dims({2, 2, 3, 7}), dims({1, 2, 5, 100}), dims({2, 2, 1, 3000})},
      exactValues, &gpu);
  ASSERT_TRUE(gpu);
  EXPECT_EQ(stepsOfType(*gpu, "ElementWise"), 0);
  EXPECT_EQ(stepsOfType(*gpu, "SoftMax"), 7);
}

// LayerNorm(x + x * 0.5) over rows of F elements (the sum fused into the normalization) with scale and bias [F],
// LayerNorm(x) with a scale [1, 1, F] (both read by vectors where F allows) and with a one-value scale (the element
// kernel): F = 8, 24, 64, 128, 384, 768 (BERT-base: 3 vectors a lane in fp16), 1000, 1024; 7 and 100 (not a multiple
// of fp16's vector); 3000 (a block per row).
TEST_P(CudaRowKernels, ResidualLayerNormalizationOverRowsOfEveryLength) {
  REQUIRE_CUDA();
  for (int64_t features : {8, 24, 64, 128, 384, 768, 1000, 1024, 7, 100, 3000}) {
    SCOPED_TRACE(features);
    std::unique_ptr<Engine> gpu;
    gpu_test::compareBackends(
        [features](NetworkDefinition& n, DataType type) {
          auto* x = as(n, n.addInput("x", DataType::kFLOAT, dims({-1, -1, features})), type);
          auto* half = as(n, test::floatConstant(n, dims({1, 1, 1}), {0.5f}), type);
          auto* shortcut = n.addElementWise(*x, *half, ElementWiseOperation::kPROD)->getOutput(0);
          auto* sum = n.addElementWise(*x, *shortcut, ElementWiseOperation::kSUM)->getOutput(0);
          auto* norm = n.addNormalization(*sum, *exactConstant(n, dims({features}), 31, type),
                                          *exactConstant(n, dims({features}), 32, type), 1u << 2);
          markFloat(n, norm->getOutput(0));
          auto* plain = n.addNormalization(*x, *exactConstant(n, dims({1, 1, features}), 33, type),
                                           *exactConstant(n, dims({features}), 34, type), 1u << 2);
          markFloat(n, plain->getOutput(0));
          auto* oneScale = n.addNormalization(*x, *exactConstant(n, dims({1}), 35, type),
                                              *exactConstant(n, dims({features}), 36, type), 1u << 2);
          markFloat(n, oneScale->getOutput(0));
        },
        GetParam(), dims({1, 1, features}), dims({3, 11, features}),
        {dims({1, 1, features}), dims({2, 3, features}), dims({3, 11, features})}, exactValues, &gpu);
    ASSERT_TRUE(gpu);
    EXPECT_EQ(stepsOfType(*gpu, "ElementWise"), 1);  // x * 0.5; the sum fused
    EXPECT_EQ(stepsOfType(*gpu, "Normalization"), 3);
  }
}

// A scale that varies across rows takes the general normalization kernel, with the fused residual too.
TEST_P(CudaRowKernels, ResidualLayerNormalizationWithPerRowScale) {
  REQUIRE_CUDA();
  gpu_test::compareBackends(
      [](NetworkDefinition& n, DataType type) {
        auto* x = as(n, n.addInput("x", DataType::kFLOAT, dims({-1, 5, 16})), type);
        auto* quarter = as(n, test::floatConstant(n, dims({1}), {0.25f}), type);
        auto* sum = n.addElementWise(*n.addElementWise(*x, *quarter, ElementWiseOperation::kPROD)->getOutput(0), *x,
                                     ElementWiseOperation::kSUM)
                        ->getOutput(0);
        auto* norm = n.addNormalization(*sum, *exactConstant(n, dims({5, 16}), 41, type),
                                        *exactConstant(n, dims({16}), 42, type), 1u << 2);
        markFloat(n, norm->getOutput(0));
      },
      GetParam(), dims({1, 5, 16}), dims({4, 5, 16}), {dims({1, 5, 16}), dims({4, 5, 16})}, exactValues);
}

}  // namespace
}  // namespace kiln
