// The CUDA slice (every sample mode), gather ND, scatter, cumulative sum, LRN and grid sample kernels against the CPU
// backend: the same small networks built for both, run at three shapes of one dynamic profile, outputs compared (fp32
// within 1e-4 relative, integers bit for bit). The fp16 variants run the CUDA network in fp16 (cast at its edges)
// against the CPU's fp32, within 1e-2; the input holds multiples of 1/8 in [-4, 4), so it and every sum these tests
// take are exact in fp16. Every test skips with a message without a GPU (ctest label gpu).
#include <gtest/gtest.h>

#include <cmath>

#include "gpu_test_util.h"

namespace kiln {
namespace {

using gpu_test::as;
using gpu_test::dims;
using gpu_test::MakeNetwork;
using gpu_test::markFloat;

// Multiples of 1/8 in [-4, 4): exact in fp16, as are their sums up to 256 in magnitude.
std::vector<float> eighths(size_t count, uint32_t seed) {
  std::vector<float> values = test::randomFloats(count, seed, -4.0f, 4.0f);
  for (float& v : values) v = std::round(v * 8.0f) / 8.0f;
  return values;
}

void compareBackends(const MakeNetwork& make, DataType type, const Dims& min, const Dims& max,
                     const std::vector<Dims>& shapes) {
  gpu_test::compareBackends(make, type, min, max, shapes, eighths);
}

// x as int32, the multiples of 1/8 scaled to integers first (exact on both backends).
Tensor* integers(NetworkDefinition& n, Tensor* x) {
  auto* eight = as(n, test::floatConstant(n, dims({1}), {8.0f}), x->getType());
  auto* scaled = n.addElementWise(*x, *eight, ElementWiseOperation::kPROD)->getOutput(0);
  return n.addCast(*scaled, DataType::kINT32)->getOutput(0);
}

// An int32 copy of an int64 constant: the kernels take both index types.
Tensor* int32Constant(NetworkDefinition& n, const std::vector<int64_t>& values, const Dims& shape) {
  return n.addCast(*test::int64Constant(n, values, shape), DataType::kINT32)->getOutput(0);
}

// Marks `tensor`: floats as fp32, integers as they are.
void mark(NetworkDefinition& n, Tensor* tensor) {
  if (tensor->getType() == DataType::kINT32)
    n.markOutput(*tensor);
  else
    markFloat(n, tensor);
}

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

// Running sums along every axis, plain, exclusive, reversed and both; the axis as the attribute and as a tensor (read
// on the device); int32 data too.
TEST_P(CudaIndexing, CumulativeSumExclusiveAndReverse) {
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
TEST_P(CudaIndexing, ScatterElementsWithReductions) {
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
TEST_P(CudaIndexing, ScatterNDWithReductions) {
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

// Transposes that keep the innermost axis move 16 bytes per thread when the sizes and strides allow (a head split
// of 16 columns, and the slice of 8 of them), element by element otherwise (6 columns); all match the CPU.
TEST_P(CudaIndexing, TransposesKeepingTheInnermostAxisWideAndNarrow) {
  REQUIRE_CUDA();
  compareBackends(
      [](NetworkDefinition& n, DataType type) {
        auto* x = as(n, n.addInput("x", DataType::kFLOAT, dims({-1, 5, 3, 16})), type);
        auto transpose = [&](Tensor* t, std::vector<int32_t> perm) {
          auto* s = n.addShuffle(*t);
          s->setFirstTranspose(perm);
          return s->getOutput(0);
        };
        mark(n, transpose(x, {0, 2, 1, 3}));
        mark(n, transpose(x, {2, 0, 1, 3}));
        mark(n, n.addSlice(*x, dims({0, 0, 0, 8}), dims({1, 5, 3, 8}), dims({1, 1, 1, 1}))->getOutput(0));
        auto* narrow = n.addSlice(*x, dims({0, 0, 0, 2}), dims({1, 5, 3, 6}), dims({1, 1, 1, 1}))->getOutput(0);
        mark(n, transpose(narrow, {1, 0, 2, 3}));
        mark(n, transpose(x, {0, 1, 3, 2}));
      },
      GetParam(), dims({1, 5, 3, 16}), dims({4, 5, 3, 16}),
      {dims({1, 5, 3, 16}), dims({3, 5, 3, 16}), dims({4, 5, 3, 16})});
}

// LRN windows of odd and even size, wider than the channels too, over 4-D input.
TEST_P(CudaIndexing, LocalResponseNormalization) {
  REQUIRE_CUDA();
  compareBackends(
      [](NetworkDefinition& n, DataType type) {
        auto* x = as(n, n.addInput("x", DataType::kFLOAT, dims({-1, 5, -1, 3})), type);
        mark(n, n.addLRN(*x, 3, 1e-4, 0.75, 1.0)->getOutput(0));
        mark(n, n.addLRN(*x, 4, 0.02, 0.5, 2.0)->getOutput(0));
        mark(n, n.addLRN(*x, 7, 0.1, 1.0, 0.5)->getOutput(0));
      },
      GetParam(), dims({1, 5, 1, 3}), dims({3, 5, 7, 3}), {dims({1, 5, 1, 3}), dims({2, 5, 4, 3}), dims({3, 5, 7, 3})});
}

// Every interpolation and padding mode, with and without aligned corners, at grid points inside and outside the
// image (multiples of 1/64 in [-1.5, 1.5], exact in fp16).
TEST_P(CudaIndexing, GridSampleEveryModeAndPadding) {
  REQUIRE_CUDA();
  compareBackends(
      [](NetworkDefinition& n, DataType type) {
        auto* x = as(n, n.addInput("x", DataType::kFLOAT, dims({2, 2, -1, -1})), type);
        std::vector<float> points = test::randomFloats(2 * 3 * 4 * 2, 5, -1.5f, 1.5f);
        for (float& v : points) v = std::round(v * 64.0f) / 64.0f;
        auto* grid = as(n, test::floatConstant(n, dims({2, 3, 4, 2}), points), type);
        for (ResizeMode mode : {ResizeMode::kNEAREST, ResizeMode::kLINEAR, ResizeMode::kCUBIC})
          for (GridSamplePadding padding :
               {GridSamplePadding::kZEROS, GridSamplePadding::kBORDER, GridSamplePadding::kREFLECTION})
            for (bool aligned : {false, true}) {
              GridSampleLayer* sample = n.addGridSample(*x, *grid);
              sample->setInterpolationMode(mode);
              sample->setPaddingMode(padding);
              sample->setAlignCorners(aligned);
              mark(n, sample->getOutput(0));
            }
      },
      GetParam(), dims({2, 2, 1, 1}), dims({2, 2, 6, 7}), {dims({2, 2, 1, 1}), dims({2, 2, 3, 5}), dims({2, 2, 6, 7})});
}

}  // namespace
}  // namespace kiln
