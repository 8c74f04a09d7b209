// The CUDA shuffle's transposes, wide and narrow, against the CPU backend: the same small networks built for both,
// run at three shapes of one dynamic profile, outputs compared (fp32 within 1e-4 relative).
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

class CudaShape : public ::testing::TestWithParam<DataType> {};

INSTANTIATE_TEST_SUITE_P(Precisions, CudaShape, ::testing::Values(DataType::kFLOAT, DataType::kHALF),
                         gpu_test::typeParamName);

// Transposes that keep the innermost axis move 16 bytes per thread when the sizes and strides allow (a head split
// of 16 columns, and the slice of 8 of them), element by element otherwise (6 columns); all match the CPU.
TEST_P(CudaShape, TransposesKeepingTheInnermostAxisWideAndNarrow) {
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

}  // namespace
}  // namespace kiln
