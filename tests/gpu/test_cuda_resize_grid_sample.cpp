// The CUDA grid sample against the CPU backend: the same small networks built for both, run at three shapes of one
// dynamic profile, outputs compared (fp32 within 1e-4 relative).
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
using gpu_test::mark;
using gpu_test::eighths_input::compareBackends;

class CudaGridSample : public ::testing::TestWithParam<DataType> {};

INSTANTIATE_TEST_SUITE_P(Precisions, CudaGridSample, ::testing::Values(DataType::kFLOAT, DataType::kHALF),
                         gpu_test::typeParamName);

// Every interpolation and padding mode, with and without aligned corners, at grid points inside and outside the
// image (multiples of 1/64 in [-1.5, 1.5], exact in fp16).
TEST_P(CudaGridSample, GridSampleEveryModeAndPadding) {
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
