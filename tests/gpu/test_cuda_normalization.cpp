// The CUDA normalization kernels (instance, layer, group and batch forms) against the CPU backend: the same small
// networks built for both, run at three shapes of one dynamic profile, outputs compared (fp32 within 1e-4 relative).
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

class CudaNormalization : public ::testing::TestWithParam<DataType> {};

INSTANTIATE_TEST_SUITE_P(Precisions, CudaNormalization, ::testing::Values(DataType::kFLOAT, DataType::kHALF),
                         gpu_test::typeParamName);

TEST_P(CudaNormalization, NormalizationInstanceLayerGroupAndBatch) {
  REQUIRE_CUDA();
  compareBackends(
      [](NetworkDefinition& n, DataType type) {
        auto* x = as(n, n.addInput("x", DataType::kFLOAT, dims({-1, 4, -1, 6})), type);
        auto* channelScale = weights(n, dims({1, 4, 1, 1}), 41, type);
        auto* channelBias = weights(n, dims({1, 4, 1, 1}), 42, type);
        markFloat(n, n.addNormalization(*x, *channelScale, *channelBias, 0b1100)->getOutput(0));  // instance
        auto* layer =
            n.addNormalization(*x, *weights(n, dims({6}), 43, type), *weights(n, dims({6}), 44, type), 0b1000);
        layer->setEpsilon(1e-3);
        markFloat(n, layer->getOutput(0));
        auto* group = n.addNormalization(*x, *channelScale, *channelBias, 0b1100);
        group->setNbGroups(2);
        markFloat(n, group->getOutput(0));
        markFloat(n, n.addNormalization(*x, *channelScale, *channelBias, 0b1101)->getOutput(0));  // batch
      },
      GetParam(), dims({1, 4, 1, 6}), dims({3, 4, 40, 6}),
      {dims({1, 4, 1, 6}), dims({2, 4, 5, 6}), dims({3, 4, 40, 6})});
}

}  // namespace
}  // namespace kiln
