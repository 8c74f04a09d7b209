// Symbolic dimension expressions: simplification, evaluation, interval bounds.
#include <gtest/gtest.h>

#include "core/symbolic.h"

namespace kiln::core {
namespace {

TEST(Symbolic, ConstantsFoldImmediately) {
  ExprPool p;
  EXPECT_EQ(p.constantValue(p.add(p.constant(2), p.constant(3))), 5);
  EXPECT_EQ(p.constantValue(p.floorDiv(p.constant(-7), p.constant(2))), -4);
  EXPECT_EQ(p.constantValue(p.ceilDiv(p.constant(7), p.constant(2))), 4);
  EXPECT_EQ(p.constantValue(p.mod(p.constant(-7), p.constant(3))), 2);
  EXPECT_EQ(p.constantValue(p.max(p.constant(4), p.constant(9))), 9);
}

TEST(Symbolic, IdenticalExpressionsShareAnId) {
  ExprPool p;
  ExprId n = p.inputDim(0, 0), h = p.inputDim(0, 2);
  EXPECT_EQ(p.mul(n, h), p.mul(h, n));  // commutative canonical order
  EXPECT_EQ(p.add(p.add(n, p.constant(1)), p.constant(2)), p.add(n, p.constant(3)));
  EXPECT_NE(p.sub(n, h), p.sub(h, n));
}

TEST(Symbolic, AlgebraicIdentities) {
  ExprPool p;
  ExprId n = p.inputDim(0, 0), k = p.inputDim(1, 0);
  EXPECT_EQ(p.add(n, p.constant(0)), n);
  EXPECT_EQ(p.mul(n, p.constant(1)), n);
  EXPECT_EQ(p.constantValue(p.mul(n, p.constant(0))), 0);
  EXPECT_EQ(p.constantValue(p.sub(n, n)), 0);
  EXPECT_EQ(p.floorDiv(p.mul(n, k), k), n);  // reshape's -1: (N*K)/K
  EXPECT_EQ(p.floorDiv(p.mul(n, p.constant(784)), p.constant(784)), n);
  EXPECT_EQ(p.floorDiv(p.mul(n, p.constant(12)), p.constant(4)), p.mul(n, p.constant(3)));
  EXPECT_EQ(p.constantValue(p.mod(p.mul(n, p.constant(6)), p.constant(3))), 0);
  EXPECT_EQ(p.sub(p.add(n, k), k), n);
  EXPECT_EQ(p.max(n, n), n);
}

TEST(Symbolic, ProductsAreCanonicalAndQuotientsOfProductsCancel) {
  ExprPool p;
  ExprId b = p.inputDim(0, 0), s = p.inputDim(0, 1), m = p.inputDim(1, 0);
  // The same product in any order and grouping is one node.
  EXPECT_EQ(p.mul(p.mul(b, p.constant(64)), s), p.mul(s, p.mul(p.constant(4), p.mul(b, p.constant(16)))));
  // A head split: (B*S*768) / (B*S*64) is 12, and the merge back (B*12*S*64) / (S*B) is 768.
  ExprId volume = p.mul(p.mul(b, s), p.constant(768));
  EXPECT_EQ(p.constantValue(p.floorDiv(volume, p.mul(p.mul(b, s), p.constant(64)))), 12);
  EXPECT_EQ(p.constantValue(p.floorDiv(p.mul(p.mul(p.mul(b, p.constant(12)), s), p.constant(64)), p.mul(s, b))), 768);
  // What does not cancel stays, with the common factors and coefficient gone: (6*B*S) / (4*B*M) = (3*S) / (2*M).
  ExprId rest = p.floorDiv(p.mul(p.mul(b, s), p.constant(6)), p.mul(p.mul(b, m), p.constant(4)));
  EXPECT_EQ(rest, p.floorDiv(p.mul(s, p.constant(3)), p.mul(m, p.constant(2))));
  EXPECT_EQ(p.ceilDiv(p.mul(b, p.constant(7)), p.mul(b, p.constant(2))), p.constant(4));  // ceil(7/2)
  EXPECT_EQ(p.constantValue(p.mod(p.mul(p.mul(b, s), p.constant(6)), p.mul(s, p.constant(3)))), 0);
  EXPECT_NE(p.constantValue(p.mod(p.mul(p.mul(b, s), p.constant(6)), p.mul(m, p.constant(3)))), 0);
  // Evaluated, the cancelled form agrees with the arithmetic it replaces.
  std::vector<int64_t> values(p.size());
  ASSERT_TRUE(evaluateExprs(
      p.nodes(), [](int32_t input, int32_t axis) { return input == 0 ? 5 + axis : 7; }, values));
  EXPECT_EQ(values[rest], (6 * 5 * 6) / (4 * 5 * 7));
}

TEST(Symbolic, ToStringNamesInputs) {
  ExprPool p;
  ExprId h = p.inputDim(0, 2);
  ExprId out = p.add(p.floorDiv(p.add(h, p.constant(-1)), p.constant(2)), p.constant(1));
  EXPECT_EQ(p.toString(out), "floor((in0.2+-1)/2)+1");
  EXPECT_EQ(p.toString(h, [](int32_t, int32_t axis) { return std::string(1, 'H').append(std::to_string(axis)); }),
            "H2");
}

TEST(Symbolic, EvaluateInOrderMatchesHandComputation) {
  ExprPool p;
  ExprId n = p.inputDim(0, 0), h = p.inputDim(0, 1);
  // Convolution output: floor((H + 2*1 - 3)/2) + 1
  ExprId conv = p.add(p.floorDiv(p.add(h, p.constant(-1)), p.constant(2)), p.constant(1));
  ExprId flat = p.mul(n, p.mul(conv, conv));
  std::vector<int64_t> values(p.size());
  ASSERT_TRUE(evaluateExprs(
      p.nodes(), [](int32_t, int32_t axis) { return axis == 0 ? int64_t{4} : int64_t{28}; }, values));
  EXPECT_EQ(values[conv], 14);
  EXPECT_EQ(values[flat], 4 * 14 * 14);
}

TEST(Symbolic, DivisionByZeroIsReported) {
  ExprPool p;
  p.floorDiv(p.constant(8), p.inputDim(0, 0));
  std::vector<int64_t> values(p.size());
  EXPECT_FALSE(evaluateExprs(
      p.nodes(), [](int32_t, int32_t) { return int64_t{0}; }, values));
}

TEST(Symbolic, IntervalsBoundEveryValueInTheRange) {
  ExprPool p;
  ExprId h = p.inputDim(0, 0), w = p.inputDim(0, 1);
  std::vector<ExprId> roots = {p.sub(h, w),
                               p.mul(h, w),
                               p.floorDiv(h, w),
                               p.ceilDiv(p.add(h, p.constant(3)), p.constant(4)),
                               p.mod(h, p.constant(5)),
                               p.min(h, w),
                               p.max(p.sub(w, h), p.constant(0))};
  std::vector<Interval> bounds(p.size());
  evaluateIntervals(
      p.nodes(),
      [](int32_t, int32_t axis) {
        return axis == 0 ? Interval{3, 9} : Interval{2, 6};
      },
      bounds);
  std::vector<int64_t> values(p.size());
  for (int64_t hv = 3; hv <= 9; ++hv)
    for (int64_t wv = 2; wv <= 6; ++wv) {
      ASSERT_TRUE(evaluateExprs(
          p.nodes(), [&](int32_t, int32_t axis) { return axis == 0 ? hv : wv; }, values));
      for (ExprId r : roots) {
        EXPECT_LE(bounds[r].lo, values[r]) << p.toString(r);
        EXPECT_GE(bounds[r].hi, values[r]) << p.toString(r);
      }
    }
  EXPECT_EQ(bounds[roots[1]].hi, 54);
  EXPECT_EQ(bounds[roots[1]].lo, 6);
}

TEST(Symbolic, CopyIntoKeepsOnlyWhatRootsNeed) {
  ExprPool p;
  ExprId a = p.inputDim(0, 0);
  p.mul(a, p.constant(77));  // unused
  ExprId used = p.add(a, p.constant(1));
  ExprPool out;
  auto mapped = p.copyInto(out, std::vector<ExprId>{used});
  EXPECT_EQ(out.size(), 3);
  EXPECT_EQ(out.toString(mapped[0]), "in0.0+1");
}

}  // namespace
}  // namespace kiln::core
