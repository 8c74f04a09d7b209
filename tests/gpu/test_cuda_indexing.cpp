// The CUDA slice (every sample mode) and gather ND kernels against the CPU backend: the same small networks built
// for both, run at three shapes of one dynamic profile, outputs compared (fp32 within 1e-4 relative, integers bit
// for bit).
// The fp16 variants run the CUDA network in fp16 (cast at its edges) against the CPU's fp32, within 1e-2; the input
// holds multiples of 1/8 in [-4, 4), so it and every sum these tests take are exact in fp16. Every test skips with a
// message without a GPU (ctest label gpu).
#include <gtest/gtest.h>

#include <cmath>

#include "gpu_test_util.h"

namespace kiln {
namespace {

using gpu_test::as;
using gpu_test::dims;
using gpu_test::int32Constant;
using gpu_test::integers;
using gpu_test::mark;
using gpu_test::eighths_input::compareBackends;

class CudaIndexing : public ::testing::TestWithParam<DataType> {};

INSTANTIATE_TEST_SUITE_P(Precisions, CudaIndexing, ::testing::Values(DataType::kFLOAT, DataType::kHALF),
                         gpu_test::typeParamName);

// Windows that start before and end past the input on every axis (as Pad and Tile use them), forward and backward
// steps, for each non-strict mode; fill with input 4 and with its default zero; int32 data too.
TEST_P(CudaIndexing, SliceWrapClampFillAndReflect) {
  REQUIRE_CUDA();
  compareBackends(
      [](NetworkDefinition& n, DataType type) {
        auto* x = as(n, n.addInput("x", DataType::kFLOAT, dims({-1, 3, -1})), type);
        auto* fill = as(n, test::floatConstant(n, dims({}), {-2.5f}), type);
        // Created in bounds (the layer checks strict bounds), then given its mode and window.
        auto slice = [&](Tensor* data, SampleMode mode, const Dims& start, const Dims& size, const Dims& stride) {
          SliceLayer* layer = n.addSlice(*data, dims({0, 0, 0}), dims({1, 1, 1}), dims({1, 1, 1}));
          layer->setMode(mode);
          layer->setStart(start);
          layer->setSize(size);
          layer->setStride(stride);
          return layer;
        };
        for (SampleMode mode : {SampleMode::kWRAP, SampleMode::kCLAMP, SampleMode::kFILL, SampleMode::kREFLECT}) {
          mark(n, slice(x, mode, dims({-2, -4, -3}), dims({6, 11, 17}), dims({1, 1, 1}))->getOutput(0));
          SliceLayer* back = slice(x, mode, dims({5, 4, 9}), dims({4, 7, 8}), dims({-1, -2, -3}));
          if (mode == SampleMode::kFILL) back->setInput(4, *fill);
          mark(n, back->getOutput(0));
          mark(n, slice(integers(n, x), mode, dims({-1, -1, -1}), dims({5, 5, 12}), dims({1, 1, 1}))->getOutput(0));
        }
      },
      GetParam(), dims({1, 3, 1}), dims({4, 3, 9}), {dims({1, 3, 1}), dims({2, 3, 5}), dims({4, 3, 9})});
}

// GatherND with and without a batch axis, tuples of one, two and three values, negative values, int32 and int64
// indices, over a dynamic last axis; int32 data too.
TEST_P(CudaIndexing, GatherND) {
  REQUIRE_CUDA();
  compareBackends(
      [](NetworkDefinition& n, DataType type) {
        auto* x = as(n, n.addInput("x", DataType::kFLOAT, dims({3, 4, -1})), type);
        auto gatherND = [&](Tensor* data, Tensor* indices, int32_t batchDims) {
          GatherLayer* g = n.addGatherV2(*data, *indices, GatherMode::kND);
          g->setNbElementWiseDims(batchDims);
          mark(n, g->getOutput(0));
        };
        auto* pairs = test::int64Constant(n, {0, 1, 2, -1, -3, 3, 0, 1}, dims({4, 2}));
        gatherND(x, pairs, 0);
        gatherND(x, int32Constant(n, {0, 1, -3, 2, 3, 1, -1, 0, 2, 1, -4, -1}, dims({2, 2, 3})), 0);
        gatherND(x, test::int64Constant(n, {3, 0, -1, 2, 1, 1}, dims({3, 2, 1})), 1);
        gatherND(x, int32Constant(n, {1, -2, 3, 0, -4, 2}, dims({3, 1, 2})), 1);
        gatherND(integers(n, x), pairs, 0);
      },
      GetParam(), dims({3, 4, 3}), dims({3, 4, 10}), {dims({3, 4, 3}), dims({3, 4, 6}), dims({3, 4, 10})});
}

}  // namespace
}  // namespace kiln
