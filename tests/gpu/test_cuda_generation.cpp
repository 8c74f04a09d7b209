// The CUDA cumulative sum and scatter (elements and ND, with reductions) kernels against the CPU backend: the same
// small networks built for both, run at three shapes of one dynamic profile, outputs compared (fp32 within 1e-4
// relative, integers bit for bit).
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

class CudaGeneration : public ::testing::TestWithParam<DataType> {};

INSTANTIATE_TEST_SUITE_P(Precisions, CudaGeneration, ::testing::Values(DataType::kFLOAT, DataType::kHALF),
                         gpu_test::typeParamName);

// Running sums along every axis, plain, exclusive, reversed and both; the axis as the attribute and as a tensor (read
// on the device); int32 data too.
TEST_P(CudaGeneration, CumulativeSumExclusiveAndReverse) {
  REQUIRE_CUDA();
  compareBackends(
      [](NetworkDefinition& n, DataType type) {
        auto* x = as(n, n.addInput("x", DataType::kFLOAT, dims({-1, 4, -1})), type);
        auto* ints = integers(n, x);
        auto* axisTensor = int32Constant(n, {-2}, dims({}));
        for (int32_t axis : {0, 1, -1})
          for (bool exclusive : {false, true})
            for (bool reverse : {false, true})
              mark(n, n.addCumulative(*x, axis, CumulativeOperation::kSUM, exclusive, reverse)->getOutput(0));
        CumulativeLayer* fromTensor = n.addCumulative(*ints, 0, CumulativeOperation::kSUM, true, false);
        fromTensor->setInput(1, *axisTensor);
        mark(n, fromTensor->getOutput(0));
        mark(n, n.addCumulative(*ints, 2, CumulativeOperation::kSUM, false, true)->getOutput(0));
      },
      GetParam(), dims({1, 4, 1}), dims({3, 4, 9}), {dims({1, 4, 1}), dims({2, 4, 5}), dims({3, 4, 9})});
}

// ScatterElements along the last and the middle axis with every reduction, duplicate and negative indices, indices
// smaller than the data on the other axes; int32 data with add and multiply.
TEST_P(CudaGeneration, ScatterElementsWithReductions) {
  REQUIRE_CUDA();
  compareBackends(
      [](NetworkDefinition& n, DataType type) {
        auto* x = as(n, n.addInput("x", DataType::kFLOAT, dims({-1, 4, 5})), type);
        // Updates: the first two images' first rows and columns, read backwards along the last axis.
        auto* updates = n.addSlice(*x, dims({0, 0, 4}), dims({2, 4, 3}), dims({1, 1, -1}))->getOutput(0);
        auto* last = test::int64Constant(
            n, {0, 4, 0, -1, 2, -1, 1, 1, 1, 3, -5, 0, 2, 2, 2, 4, 0, -2, 1, 3, 1, -4, 4, 0}, dims({2, 4, 3}));
        auto* middle = int32Constant(
            n, {3, 0, 3, -1, 1, 2, 0, 0, 2, 1, -4, 3, 3, 1, 2, 1, 1, 1, 0, 3, -1, 2, 0, 1, 2, 3, 3, -2, 0, 1},
            dims({2, 3, 5}));
        auto* middleUpdates = n.addSlice(*x, dims({0, 1, 0}), dims({2, 3, 5}), dims({1, 1, 1}))->getOutput(0);
        for (ScatterReduction r : {ScatterReduction::kNONE, ScatterReduction::kADD, ScatterReduction::kMUL,
                                   ScatterReduction::kMAX, ScatterReduction::kMIN}) {
          ScatterLayer* alongLast = n.addScatter(*x, *last, *updates, ScatterMode::kELEMENT, 2);
          alongLast->setReduction(r);
          mark(n, alongLast->getOutput(0));
          ScatterLayer* alongMiddle = n.addScatter(*x, *middle, *middleUpdates, ScatterMode::kELEMENT, -2);
          alongMiddle->setReduction(r);
          mark(n, alongMiddle->getOutput(0));
        }
        for (ScatterReduction r : {ScatterReduction::kADD, ScatterReduction::kMUL}) {
          ScatterLayer* ints = n.addScatter(*integers(n, x), *last, *integers(n, updates), ScatterMode::kELEMENT, 2);
          ints->setReduction(r);
          mark(n, ints->getOutput(0));
        }
      },
      GetParam(), dims({2, 4, 5}), dims({5, 4, 5}), {dims({2, 4, 5}), dims({3, 4, 5}), dims({5, 4, 5})});
}

// ScatterND with tuples of one, two and three values (slices of rows, of rows' ends, and single elements), duplicate
// tuples under every reduction, negative values; int32 data with add.
TEST_P(CudaGeneration, ScatterNDWithReductions) {
  REQUIRE_CUDA();
  compareBackends(
      [](NetworkDefinition& n, DataType type) {
        auto* x = as(n, n.addInput("x", DataType::kFLOAT, dims({-1, 4, 5})), type);
        auto* images = test::int64Constant(n, {0, -1, 0}, dims({3, 1}));
        auto* imageUpdates = n.addGatherV2(*x, *test::int64Constant(n, {-1, 0, 0}), GatherMode::kDEFAULT)->getOutput(0);
        auto* rows = int32Constant(n, {0, 1, -1, 3, 0, 1, 0, -3}, dims({4, 2}));
        // x's first image as [4, 5], and rows 1-2 of its first three columns as [2, 3].
        auto firstImage = [&](const Dims& start, const Dims& size, const Dims& shape) {
          auto* reshaped = n.addShuffle(*n.addSlice(*x, start, size, dims({1, 1, 1}))->getOutput(0));
          reshaped->setReshapeDimensions(shape);
          return reshaped->getOutput(0);
        };
        auto* rowUpdates = firstImage(dims({0, 0, 0}), dims({1, 4, 5}), dims({4, 5}));
        auto* elementUpdates = firstImage(dims({0, 1, 0}), dims({1, 2, 3}), dims({2, 3}));
        auto* elements =
            test::int64Constant(n, {0, 0, 0, 0, 0, 0, -1, 3, 4, 0, 2, -1, 0, 0, 0, 0, 3, 1}, dims({2, 3, 3}));
        for (ScatterReduction r : {ScatterReduction::kNONE, ScatterReduction::kADD, ScatterReduction::kMUL,
                                   ScatterReduction::kMAX, ScatterReduction::kMIN}) {
          for (auto [indices, updates] :
               {std::pair{images, imageUpdates}, std::pair{rows, rowUpdates}, std::pair{elements, elementUpdates}}) {
            ScatterLayer* scatter = n.addScatter(*x, *indices, *updates, ScatterMode::kND);
            scatter->setReduction(r);
            mark(n, scatter->getOutput(0));
          }
        }
        ScatterLayer* ints = n.addScatter(*integers(n, x), *rows, *integers(n, rowUpdates), ScatterMode::kND);
        ints->setReduction(ScatterReduction::kADD);
        mark(n, ints->getOutput(0));
      },
      GetParam(), dims({1, 4, 5}), dims({4, 4, 5}), {dims({1, 4, 5}), dims({2, 4, 5}), dims({4, 4, 5})});
}

}  // namespace
}  // namespace kiln
