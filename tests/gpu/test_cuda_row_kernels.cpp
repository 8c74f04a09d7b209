// The CUDA softmax and layer normalization over the innermost axis (a warp per row up to 1024 elements, a block per
// longer row), plain and with their fused prologues (attention's scale and mask, the residual sum), against the CPU
// backend: rows of 7, 128, 384, 1000 and 3000 elements, fp32 within 1e-4 relative, fp16 (the CUDA network in fp16,
// input cast at its edge, exact in fp16) within 1e-2. Every test skips with a message without a GPU (ctest label gpu).
#include <gtest/gtest.h>

#include <string>

#include "gpu_test_util.h"

namespace kiln {
namespace {

using gpu_test::as;
using gpu_test::dims;
using gpu_test::exactHalfValues;
using gpu_test::markFloat;
using gpu_test::weights;

class CudaRowKernels : public ::testing::TestWithParam<DataType> {};

INSTANTIATE_TEST_SUITE_P(Precisions, CudaRowKernels, ::testing::Values(DataType::kFLOAT, DataType::kHALF),
                         [](const auto& info) { return std::string(info.param == DataType::kFLOAT ? "fp32" : "fp16"); });

// Counts the steps of `engine` of layer type `type`.
int32_t stepsOfType(const Engine& engine, const std::string& type) {
  int32_t count = 0;
  for (int32_t i = 0; i < engine.getNbLayers(); ++i) count += engine.getLayerInformation(i).type == type;
  return count;
}

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
      GetParam(), dims({1, 1}), dims({6, 3000}),
      {dims({6, 7}), dims({5, 128}), dims({3, 384}), dims({4, 1000}), dims({2, 3000}), dims({1, 1})},
      exactHalfValues);
}

// softmax(x * 0.125 + mask) over the last axis of x [B, 2, S, T], the mask [B, 1, 1, T] (broadcast over heads and
// queries) or [B, 1, S, T] (over heads), each computed from x; both fuse into their softmax steps.
TEST_P(CudaRowKernels, AttentionSoftMaxWithMasksBroadcastOverHeadsAndQueries) {
  REQUIRE_CUDA();
  std::unique_ptr<Engine> gpu;
  gpu_test::compareBackends(
      [](NetworkDefinition& n, DataType type) {
        auto* x = as(n, n.addInput("x", DataType::kFLOAT, dims({-1, 2, -1, -1})), type);
        for (uint32_t maskAxes : {0b0110u, 0b0010u}) {
          auto* scale = as(n, test::floatConstant(n, dims({1, 1, 1, 1}), {0.125f}), type);
          auto* scaled = n.addElementWise(*x, *scale, ElementWiseOperation::kPROD)->getOutput(0);
          auto* mask = n.addReduce(*x, ReduceOperation::kMAX, maskAxes, true)->getOutput(0);
          auto* sum = n.addElementWise(*mask, *scaled, ElementWiseOperation::kSUM)->getOutput(0);
          markFloat(n, n.addSoftMax(*sum)->getOutput(0));
        }
      },
      GetParam(), dims({1, 2, 1, 1}), dims({2, 2, 3, 3000}),
      {dims({1, 2, 1, 7}), dims({2, 2, 3, 128}), dims({2, 2, 2, 384}), dims({1, 2, 3, 1000}), dims({2, 2, 1, 3000})},
      exactHalfValues, &gpu);
  ASSERT_TRUE(gpu);
  EXPECT_EQ(stepsOfType(*gpu, "ElementWise"), 0);
  EXPECT_EQ(stepsOfType(*gpu, "SoftMax"), 2);
}

// LayerNorm(x + tanh(x)) over rows of F elements (the sum fused into the normalization), and LayerNorm(x) alone.
TEST_P(CudaRowKernels, ResidualLayerNormalizationOverRowsOfEveryLength) {
  REQUIRE_CUDA();
  for (int64_t features : {7, 128, 384, 1000, 3000}) {
    SCOPED_TRACE(features);
    std::unique_ptr<Engine> gpu;
    gpu_test::compareBackends(
        [features](NetworkDefinition& n, DataType type) {
          auto* x = as(n, n.addInput("x", DataType::kFLOAT, dims({-1, -1, features})), type);
          auto* sum = n.addElementWise(*x, *n.addActivation(*x, ActivationType::kTANH)->getOutput(0),
                                       ElementWiseOperation::kSUM)->getOutput(0);
          auto* norm = n.addNormalization(*sum, *weights(n, dims({features}), 31, type),
                                          *weights(n, dims({features}), 32, type), 1u << 2);
          markFloat(n, norm->getOutput(0));
          auto* plain = n.addNormalization(*x, *weights(n, dims({1, 1, features}), 33, type),
                                           *weights(n, dims({features}), 34, type), 1u << 2);
          markFloat(n, plain->getOutput(0));
        },
        GetParam(), dims({1, 1, features}), dims({3, 5, features}),
        {dims({1, 1, features}), dims({2, 3, features}), dims({3, 5, features})}, exactHalfValues, &gpu);
    ASSERT_TRUE(gpu);
    EXPECT_EQ(stepsOfType(*gpu, "ElementWise"), 0);
  }
}

// A scale that varies across rows takes the general normalization kernel, with the fused residual too.
TEST_P(CudaRowKernels, ResidualLayerNormalizationWithPerRowScale) {
  REQUIRE_CUDA();
  gpu_test::compareBackends(
      [](NetworkDefinition& n, DataType type) {
        auto* x = as(n, n.addInput("x", DataType::kFLOAT, dims({-1, 5, 16})), type);
        auto* sum = n.addElementWise(*n.addActivation(*x, ActivationType::kSIGMOID)->getOutput(0), *x,
                                     ElementWiseOperation::kSUM)->getOutput(0);
        auto* norm = n.addNormalization(*sum, *weights(n, dims({5, 16}), 41, type),
                                        *weights(n, dims({16}), 42, type), 1u << 2);
        markFloat(n, norm->getOutput(0));
      },
      GetParam(), dims({1, 5, 16}), dims({4, 5, 16}), {dims({1, 5, 16}), dims({4, 5, 16})}, exactHalfValues);
}

}  // namespace
}  // namespace kiln
