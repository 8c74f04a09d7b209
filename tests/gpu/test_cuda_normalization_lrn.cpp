// The CUDA local response normalization against the CPU backend: the same small networks built for both, run at
// three shapes of one dynamic profile, outputs compared (fp32 within 1e-4 relative).
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

class CudaLrn : public ::testing::TestWithParam<DataType> {};

INSTANTIATE_TEST_SUITE_P(Precisions, CudaLrn, ::testing::Values(DataType::kFLOAT, DataType::kHALF),
                         gpu_test::typeParamName);

// LRN windows of odd and even size, wider than the channels too, over 4-D input.
TEST_P(CudaLrn, LocalResponseNormalization) {
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

}  // namespace
}  // namespace kiln
