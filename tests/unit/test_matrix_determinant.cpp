// The LU determinant that the CPU and CUDA backends share (src/backends/determinant.h), on the host: hand-computed
// determinants, and matrices interleaved with a stride as the CUDA kernel lays out its scratch copies.
#include <gtest/gtest.h>

#include <vector>

#include "backends/common/determinant.h"

namespace kiln {
namespace {

using backend::luDeterminant;

// det [[1, 2], [3, 4]] = -2; det [[0, 1, 2], [1, 0, 3], [4, -3, 8]] = -2 (its first pivot needs a row swap);
// a 0 x 0 matrix has determinant 1; a zero column gives 0 without dividing by it.
TEST(LuDeterminant, HandComputedValues) {
  std::vector<double> two = {1, 2, 3, 4};
  EXPECT_DOUBLE_EQ(luDeterminant(two.data(), 2), -2);
  std::vector<double> three = {0, 1, 2, 1, 0, 3, 4, -3, 8};
  EXPECT_DOUBLE_EQ(luDeterminant(three.data(), 3), -2);
  EXPECT_DOUBLE_EQ(luDeterminant(nullptr, 0), 1);
  std::vector<double> singular = {1, 0, 2, 3, 0, 4, 5, 0, 6};
  EXPECT_EQ(luDeterminant(singular.data(), 3), 0);
}

// Two 3 x 3 matrices interleaved (element i of matrix b at 2 * i + b) give the determinants each gives alone:
// the first as above, the second diag(2, -1, 3) with its rows cycled (an even permutation): -6.
TEST(LuDeterminant, InterleavedMatrices) {
  std::vector<double> first = {0, 1, 2, 1, 0, 3, 4, -3, 8};
  std::vector<double> second = {0, -1, 0, 0, 0, 3, 2, 0, 0};
  std::vector<double> interleaved(18);
  for (size_t i = 0; i < 9; ++i) {
    interleaved[2 * i] = first[i];
    interleaved[2 * i + 1] = second[i];
  }
  EXPECT_DOUBLE_EQ(luDeterminant(interleaved.data(), 3, 2), -2);
  EXPECT_DOUBLE_EQ(luDeterminant(interleaved.data() + 1, 3, 2), -6);
}

}  // namespace
}  // namespace kiln
