// The CUDA pooling kernels against the CPU backend: the same small networks built for both, run at three shapes of
// one dynamic profile, outputs compared (fp32 within 1e-4 relative).
// The fp16 variants run the CUDA network in fp16 (input, weights and bias cast at its edges, all exact in fp16)
// against the CPU's fp32, within 1e-2. Every test skips with a message without a GPU (ctest label gpu).
#include <cuda_runtime.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "gpu_test_util.h"

namespace kiln {
namespace {

using gpu_test::as;
using gpu_test::dims;
using gpu_test::markFloat;
using gpu_test::weights;
using gpu_test::distinct_input::compareBackends;

class CudaPooling : public ::testing::TestWithParam<DataType> {};

INSTANTIATE_TEST_SUITE_P(Precisions, CudaPooling, ::testing::Values(DataType::kFLOAT, DataType::kHALF),
                         gpu_test::typeParamName);

TEST_P(CudaPooling, PoolingMaxAverageGlobalAndIndices) {
  REQUIRE_CUDA();
  compareBackends(
      [](NetworkDefinition& n, DataType type) {
        auto* x = as(n, n.addInput("x", DataType::kFLOAT, dims({-1, 3, -1, -1})), type);
        // Max: padding, ceil mode and dilation.
        auto* max = n.addPoolingNd(*x, PoolingType::kMAX, dims({3, 2}));
        max->setStrideNd(dims({2, 2}));
        max->setPrePadding(dims({1, 0}));
        max->setPostPadding(dims({1, 1}));
        max->setDilationNd(dims({1, 2}));
        max->setCeilMode(true);
        markFloat(n, max->getOutput(0));
        // Average counting the padding, and excluding it (SAME_LOWER: run-time padding).
        auto* counting = n.addPoolingNd(*x, PoolingType::kAVERAGE, dims({3, 3}));
        counting->setPaddingNd(dims({1, 1}));
        counting->setAverageCountExcludesPadding(false);
        markFloat(n, counting->getOutput(0));
        auto* excluding = n.addPoolingNd(*x, PoolingType::kAVERAGE, dims({2, 4}));
        excluding->setPaddingMode(PaddingMode::kSAME_LOWER);
        excluding->setStrideNd(dims({1, 3}));
        markFloat(n, excluding->getOutput(0));
        auto* global = n.addPoolingNd(*x, PoolingType::kAVERAGE, dims({1, 1}));
        global->setGlobal(true);
        markFloat(n, global->getOutput(0));
        auto* indexed = n.addMaxPoolingWithIndices(*x, dims({2, 2}));
        indexed->setStrideNd(dims({2, 2}));
        markFloat(n, indexed->getOutput(0));
        n.markOutput(*indexed->getOutput(1));
      },
      GetParam(), dims({1, 3, 4, 4}), dims({2, 3, 9, 12}),
      {dims({1, 3, 4, 4}), dims({2, 3, 5, 7}), dims({2, 3, 9, 12})});
}

}  // namespace
}  // namespace kiln
