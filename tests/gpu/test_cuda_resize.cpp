// The CUDA resize kernels (nearest, linear and cubic) against the CPU backend: the same small networks built for both,
// run at three shapes of one dynamic profile, outputs compared (fp32 within 1e-4 relative).
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

class CudaResize : public ::testing::TestWithParam<DataType> {};

INSTANTIATE_TEST_SUITE_P(Precisions, CudaResize, ::testing::Values(DataType::kFLOAT, DataType::kHALF),
                         gpu_test::typeParamName);

TEST_P(CudaResize, ResizeNearestLinearAndCubic) {
  REQUIRE_CUDA();
  compareBackends(
      [](NetworkDefinition& n, DataType type) {
        // Scales on the dynamic axis must be integers; the static last axis also shrinks.
        auto* x = as(n, n.addInput("x", DataType::kFLOAT, dims({-1, 2, -1, 8})), type);
        const float up[] = {1.0f, 1.0f, 2.0f, 1.5f};
        const float down[] = {1.0f, 1.0f, 3.0f, 0.375f};
        auto* nearest = n.addResize(*x);
        nearest->setScales(up, 4);
        nearest->setResizeMode(ResizeMode::kNEAREST);
        nearest->setCoordinateTransformation(ResizeCoordinateTransformation::kASYMMETRIC);
        nearest->setNearestRounding(ResizeRoundMode::kFLOOR);
        markFloat(n, nearest->getOutput(0));
        auto* halfUp = n.addResize(*x);
        halfUp->setScales(up, 4);
        halfUp->setResizeMode(ResizeMode::kNEAREST);
        halfUp->setCoordinateTransformation(ResizeCoordinateTransformation::kHALF_PIXEL);
        halfUp->setNearestRounding(ResizeRoundMode::kHALF_UP);
        markFloat(n, halfUp->getOutput(0));
        auto* linear = n.addResize(*x);
        linear->setScales(up, 4);
        linear->setResizeMode(ResizeMode::kLINEAR);
        linear->setCoordinateTransformation(ResizeCoordinateTransformation::kHALF_PIXEL);
        markFloat(n, linear->getOutput(0));
        auto* aligned = n.addResize(*x);
        aligned->setScales(down, 4);
        aligned->setResizeMode(ResizeMode::kLINEAR);
        aligned->setCoordinateTransformation(ResizeCoordinateTransformation::kALIGN_CORNERS);
        markFloat(n, aligned->getOutput(0));
        auto* antialiased = n.addResize(*x);
        antialiased->setScales(down, 4);
        antialiased->setResizeMode(ResizeMode::kLINEAR);
        antialiased->setCoordinateTransformation(ResizeCoordinateTransformation::kPYTORCH_HALF_PIXEL);
        antialiased->setAntialias(true);
        markFloat(n, antialiased->getOutput(0));
        auto* cubic = n.addResize(*x);
        cubic->setScales(up, 4);
        cubic->setResizeMode(ResizeMode::kCUBIC);
        cubic->setCubicCoeff(-0.5f);
        cubic->setExcludeOutside(true);
        markFloat(n, cubic->getOutput(0));
      },
      GetParam(), dims({1, 2, 2, 8}), dims({2, 2, 9, 8}), {dims({1, 2, 2, 8}), dims({2, 2, 5, 8}), dims({2, 2, 9, 8})});
}

}  // namespace
}  // namespace kiln
