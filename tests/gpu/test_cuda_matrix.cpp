// The CUDA determinant and einsum kernels against the CPU backend: the same small networks built for both, run at
// several shapes of one dynamic profile, outputs compared. The CPU network computes in fp32; the CUDA one in the
// parameter's type (input and constants cast at its edges). The values are exact in every tested type (multiples of
// 1/8 within [-2, 2], integers for the integer types), so only the rounding of the results differs: fp32 within 1e-4
// relative, the other types within 1e-2. Every test skips with a message without a GPU (ctest label gpu).
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "gpu_test_util.h"

namespace kiln {
namespace {

using gpu_test::dims;

using gpu_test::as;
using gpu_test::markFloat;

// `count` random values exact in `type`: integers in [-4, 4] for the integer types, multiples of 1/8 within [-2, 2]
// otherwise.
std::vector<float> exactValues(DataType type, size_t count, uint32_t seed) {
  std::mt19937 random(seed);
  std::uniform_int_distribution<int> pick(-16, 16);
  std::vector<float> values(count);
  for (float& v : values) {
    int k = pick(random);
    v = isInteger(type) ? static_cast<float>(k / 4) : static_cast<float>(k) / 8;
  }
  return values;
}

// A constant of exactValues for `values` (the same in both backends' networks), in `type`.
Tensor* exactConstant(NetworkDefinition& n, const Dims& shape, uint32_t seed, DataType values, DataType type) {
  return as(n, test::floatConstant(n, shape, exactValues(values, static_cast<size_t>(shape.volume()), seed)), type);
}

// ---- Determinant --------------------------------------------------------------------------------------------------

class CudaDeterminant : public ::testing::TestWithParam<DataType> {};

INSTANTIATE_TEST_SUITE_P(Precisions, CudaDeterminant,
                         ::testing::Values(DataType::kFLOAT, DataType::kDOUBLE, DataType::kHALF, DataType::kBF16),
                         gpu_test::typeParamName);

// Entries in {-1, -1/2, 0, 1/2, 1}: small matrices are often singular, with exact zero pivots, and larger ones need
// row swaps; every determinant stays within the fp16 range.
std::vector<float> matrixEntries(size_t count, uint32_t seed) {
  std::mt19937 random(seed);
  std::uniform_int_distribution<int> pick(-2, 2);
  std::vector<float> values(count);
  for (float& v : values) v = static_cast<float>(pick(random)) / 2;
  return values;
}

// Batches of square matrices of dynamic size, 1 x 1 included; the workspace is reserved at the
// largest shape and the smaller ones run in part of it.
TEST_P(CudaDeterminant, BatchesOfDynamicSize) {
  REQUIRE_CUDA();
  gpu_test::compareBackends(
      [](NetworkDefinition& n, DataType type) {
        auto* x = as(n, n.addInput("x", DataType::kFLOAT, dims({-1, -1, -1})), type);
        markFloat(n, n.addDeterminant(*x)->getOutput(0));
      },
      GetParam(), dims({1, 1, 1}), dims({40, 6, 6}),
      {dims({1, 1, 1}), dims({7, 2, 2}), dims({40, 3, 3}), dims({33, 5, 5}), dims({40, 6, 6})}, matrixEntries);
}

// Two batch axes, and one matrix alone (a scalar output) taken from the same input by a reshape.
TEST_P(CudaDeterminant, BatchAxesAndSingleMatrix) {
  REQUIRE_CUDA();
  gpu_test::compareBackends(
      [](NetworkDefinition& n, DataType type) {
        auto* x = as(n, n.addInput("x", DataType::kFLOAT, dims({-1, 3, 4, 4})), type);
        markFloat(n, n.addDeterminant(*x)->getOutput(0));
        auto* square = n.addShuffle(*x);
        square->setReshapeDimensions(dims({-1, 12}));  // [B * 4, 12]: 12 x 12 when B = 3
        auto* first = n.addSlice(*square->getOutput(0), dims({0, 0}), dims({12, 12}), dims({1, 1}));
        markFloat(n, n.addDeterminant(*first->getOutput(0))->getOutput(0));
      },
      GetParam(), dims({3, 3, 4, 4}), dims({5, 3, 4, 4}), {dims({3, 3, 4, 4}), dims({4, 3, 4, 4}), dims({5, 3, 4, 4})},
      [](size_t count, uint32_t seed) {
        // Entries of 1/4 keep the 12 x 12 determinant small enough for fp16.
        std::vector<float> values = matrixEntries(count, seed);
        for (float& v : values) v /= 2;
        return values;
      });
}

// ---- Einsum -------------------------------------------------------------------------------------------------------

class CudaEinsum : public ::testing::TestWithParam<DataType> {};

INSTANTIATE_TEST_SUITE_P(Types, CudaEinsum,
                         ::testing::Values(DataType::kFLOAT, DataType::kDOUBLE, DataType::kHALF, DataType::kBF16,
                                           DataType::kINT32, DataType::kINT64),
                         gpu_test::typeParamName);

// x [B, I, 4] in equations of every form the CPU kernel runs: contractions of two and three operands, transposes
// (explicit and implicit output), sums down to a scalar, a diagonal (a repeated label), an outer product, and ellipses
// that broadcast size-1 axes of both operands.
TEST_P(CudaEinsum, EquationFormsAtDynamicShapes) {
  REQUIRE_CUDA();
  DataType type = GetParam();
  gpu_test::compareBackends(
      [type](NetworkDefinition& n, DataType t) {
        auto* x = as(n, n.addInput("x", DataType::kFLOAT, dims({-1, -1, 4})), t);
        auto constant = [&](const Dims& shape, uint32_t seed) { return exactConstant(n, shape, seed, type, t); };
        auto einsum = [&](std::vector<Tensor*> operands, const char* equation) {
          markFloat(n, n.addEinsum(operands, equation)->getOutput(0));
        };
        einsum({x, x}, "bij,bkj->bik");
        einsum({x}, "...ij->...ji");
        einsum({x}, "jbi");  // implicit output "bij": [I, 4, B]
        einsum({x}, "bij->j");
        einsum({x}, "bij->");
        einsum({x, constant(dims({4, 4}), 1)}, "bij,jj->bi");
        einsum({x, constant(dims({4, 3}), 2), constant(dims({3}), 3)}, "bij,jk,k->bi");
        einsum({x, constant(dims({3}), 4)}, "bij,k->bijk");
        einsum({x, constant(dims({2, 1, 1, 4}), 5)}, "...j,...j->...");
        einsum({x, x, x}, "bij , bij , bkj -> kb");
      },
      type, dims({1, 1, 4}), dims({3, 5, 4}), {dims({1, 1, 4}), dims({2, 3, 4}), dims({3, 5, 4})},
      [type](size_t count, uint32_t seed) { return exactValues(type, count, seed); });
}

}  // namespace
}  // namespace kiln
