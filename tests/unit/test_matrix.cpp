// MatrixMultiply: numpy matmul semantics (batch broadcast, rank-1 operands), transposes, dynamic batch, errors.
#include <gtest/gtest.h>

#include <string>

#include "test_util.h"

namespace kiln::test {
namespace {

using M = MatrixOperation;

// numpy.matmul(op(a), op(b)) in double, where op transposes the last two axes. Rank-1 operands become a row
// (left) or a column (right) whose axis is dropped from the result.
std::vector<float> referenceMatmul(const std::vector<float>& a, Dims da, bool ta, const std::vector<float>& b, Dims db,
                                   bool tb, Dims* outDims) {
  bool vecA = da.nbDims == 1, vecB = db.nbDims == 1;
  if (vecA) da = Dims{1, da.d[0]};
  if (vecB) db = Dims{db.d[0], 1};
  int64_t rowsA = da.d[da.nbDims - 2], colsA = da.d[da.nbDims - 1];
  int64_t rowsB = db.d[db.nbDims - 2], colsB = db.d[db.nbDims - 1];
  int64_t m = ta ? colsA : rowsA, k = ta ? rowsA : colsA, n = tb ? rowsB : colsB;
  // Batch axes, broadcast numpy-style (aligned on the right).
  int32_t batchA = da.nbDims - 2, batchB = db.nbDims - 2, batch = std::max(batchA, batchB);
  std::vector<int64_t> bd(batch);
  for (int32_t i = 0; i < batch; ++i) {
    int32_t ia = i - (batch - batchA), ib = i - (batch - batchB);
    int64_t x = ia >= 0 ? da.d[ia] : 1, y = ib >= 0 ? db.d[ib] : 1;
    bd[i] = x == 1 ? y : x;
  }
  int64_t batchCount = 1;
  for (int64_t d : bd) batchCount *= d;
  std::vector<float> out;
  for (int64_t flat = 0; flat < batchCount; ++flat) {
    std::vector<int64_t> coord(batch);
    for (int64_t i = batch - 1, rem = flat; i >= 0; --i) {
      coord[i] = rem % bd[i];
      rem /= bd[i];
    }
    int64_t offA = 0, offB = 0;
    for (int32_t i = 0; i < batchA; ++i) offA = offA * da.d[i] + (da.d[i] == 1 ? 0 : coord[i + batch - batchA]);
    for (int32_t i = 0; i < batchB; ++i) offB = offB * db.d[i] + (db.d[i] == 1 ? 0 : coord[i + batch - batchB]);
    const float* pa = a.data() + offA * rowsA * colsA;
    const float* pb = b.data() + offB * rowsB * colsB;
    for (int64_t i = 0; i < m; ++i) {
      for (int64_t j = 0; j < n; ++j) {
        double acc = 0;
        for (int64_t p = 0; p < k; ++p)
          acc += double(ta ? pa[p * colsA + i] : pa[i * colsA + p]) * (tb ? pb[j * colsB + p] : pb[p * colsB + j]);
        out.push_back(static_cast<float>(acc));
      }
    }
  }
  if (outDims) {
    outDims->nbDims = 0;
    for (int64_t d : bd) outDims->d[outDims->nbDims++] = d;
    if (!vecA) outDims->d[outDims->nbDims++] = m;
    if (!vecB) outDims->d[outDims->nbDims++] = n;
  }
  return out;
}

M op(bool transpose) { return transpose ? M::kTRANSPOSE : M::kNONE; }

TEST(MatrixMultiplyValues, HandComputedTwoByThreeTimesThreeByTwo) {
  NetworkDefinition net;
  Tensor* a = net.addInput("a", DataType::kFLOAT, Dims{2, 3});
  Tensor* b = net.addInput("b", DataType::kFLOAT, Dims{3, 2});
  net.markOutput(*net.addMatrixMultiply(*a, M::kNONE, *b, M::kNONE)->getOutput(0));
  auto out =
      buildAndRun(net, {HostTensor::f32({2, 3}, {1, 2, 3, 4, 5, 6}), HostTensor::f32({3, 2}, {7, 8, 9, 10, 11, 12})});
  EXPECT_EQ(toString(out[0].dims), "2x2");
  EXPECT_EQ(out[0].f32(), (std::vector<float>{58, 64, 139, 154}));
}

// ---- Shapes: transposes, batch broadcasting, rank-1 operands -------------------------------------------------------

struct MatmulCase {
  const char* name;
  Dims a;
  bool ta;
  Dims b;
  bool tb;
  const char* expected;
};

class MatrixMultiplyShapes : public ::testing::TestWithParam<MatmulCase> {};

TEST_P(MatrixMultiplyShapes, MatchesNumpyMatmul) {
  const MatmulCase& c = GetParam();
  NetworkDefinition net;
  Tensor* a = net.addInput("a", DataType::kFLOAT, c.a);
  Tensor* b = net.addInput("b", DataType::kFLOAT, c.b);
  MatrixMultiplyLayer* mm = net.addMatrixMultiply(*a, op(c.ta), *b, op(c.tb));
  EXPECT_EQ(mm->getOperation(0), op(c.ta));
  EXPECT_EQ(mm->getOperation(1), op(c.tb));
  EXPECT_EQ(toString(mm->getOutput(0)->getDimensions()), c.expected);
  net.markOutput(*mm->getOutput(0));
  auto va = randomFloats(c.a.volume(), 51), vb = randomFloats(c.b.volume(), 52);
  auto out = buildAndRun(net, {HostTensor::f32(c.a, va), HostTensor::f32(c.b, vb)});
  Dims expectedDims;
  auto expected = referenceMatmul(va, c.a, c.ta, vb, c.b, c.tb, &expectedDims);
  EXPECT_EQ(toString(expectedDims), c.expected);  // the reference agrees with the literal
  EXPECT_EQ(toString(out[0].dims), c.expected);
  expectNear(out[0].f32(), expected, 1e-5f, 1e-5f);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, MatrixMultiplyShapes,
    ::testing::Values(MatmulCase{"Plain", {3, 5}, false, {5, 4}, false, "3x4"},
                      MatmulCase{"TransposeA", {5, 3}, true, {5, 4}, false, "3x4"},
                      MatmulCase{"TransposeB", {3, 5}, false, {4, 5}, true, "3x4"},
                      MatmulCase{"TransposeBothBatched", {2, 5, 3}, true, {2, 4, 5}, true, "2x3x4"},
                      MatmulCase{"BatchedASharedB", {2, 3, 4}, false, {4, 5}, false, "2x3x5"},
                      MatmulCase{"BatchedTransposedASharedB", {2, 4, 3}, true, {4, 5}, false, "2x3x5"},
                      MatmulCase{"SharedABatchedB", {3, 4}, false, {2, 4, 5}, false, "2x3x5"},
                      MatmulCase{"BroadcastBothBatches", {2, 1, 3, 4}, false, {5, 4, 2}, false, "2x5x3x2"},
                      MatmulCase{"BroadcastBatchTransposedB", {1, 3, 3, 4}, false, {2, 1, 6, 4}, true, "2x3x3x6"},
                      MatmulCase{"VectorLeft", {4}, false, {4, 5}, false, "5"},
                      MatmulCase{"VectorRight", {3, 4}, false, {4}, false, "3"},
                      MatmulCase{"VectorDotVector", {4}, false, {4}, false, "scalar"},
                      MatmulCase{"BatchedTimesVector", {2, 3, 4}, false, {4}, false, "2x3"},
                      MatmulCase{"VectorTimesBatched", {4}, false, {2, 4, 5}, false, "2x5"}),
    [](const auto& info) { return std::string(info.param.name); });

// An empty inner dimension sums nothing: the output is all zeros (BLAS is not asked to handle k = 0).
TEST(MatrixMultiplyValues, EmptyInnerDimensionGivesZeros) {
  NetworkDefinition net;
  Tensor* a = net.addInput("a", DataType::kFLOAT, Dims{2, 2, 0});
  Tensor* b = net.addInput("b", DataType::kFLOAT, Dims{2, 0, 3});
  MatrixMultiplyLayer* mm = net.addMatrixMultiply(*a, M::kNONE, *b, M::kNONE);
  net.markOutput(*mm->getOutput(0));
  // Empty inputs still need a non-null address to bind.
  HostTensor ha = HostTensor::f32({2, 2, 0}, {}), hb = HostTensor::f32({2, 0, 3}, {});
  ha.bytes.resize(1);
  hb.bytes.resize(1);
  auto out = buildAndRun(net, {ha, hb});
  EXPECT_EQ(toString(out[0].dims), "2x2x3");
  EXPECT_EQ(out[0].f32(), std::vector<float>(12, 0.0f));
}

// ---- Dynamic batch ----------------------------------------------------------------------------------------------

TEST(MatrixMultiplyDynamic, BatchOnBothSidesRunsAtTwoShapes) {
  NetworkDefinition net;
  Tensor* a = net.addInput("a", DataType::kFLOAT, Dims{-1, 3, 4});
  Tensor* b = net.addInput("b", DataType::kFLOAT, Dims{-1, 4, 2});
  MatrixMultiplyLayer* mm = net.addMatrixMultiply(*a, M::kNONE, *b, M::kNONE);
  mm->getOutput(0)->setName("y");
  net.markOutput(*mm->getOutput(0));
  EXPECT_EQ(toString(mm->getOutput(0)->getDimensions()), "-1x3x2");
  OptimizationProfile profile;
  setRange(profile, "a", {1, 3, 4}, {4, 3, 4}, {8, 3, 4});
  setRange(profile, "b", {1, 4, 2}, {4, 4, 2}, {8, 4, 2});
  auto engine = buildWithProfile(net, profile);
  EXPECT_EQ(toString(engine->getTensorShape("y")), "-1x3x2");
  auto ctx = engine->createExecutionContext();
  // Equal batches, then each side broadcast over the other. runContext sets `a` first, so each step keeps the new
  // `a` compatible with the previous `b` (setInputShape checks the pair as soon as both are set).
  for (auto [na, nb] : {std::pair<int64_t, int64_t>{5, 5}, {5, 1}, {8, 1}, {1, 7}}) {
    SCOPED_TRACE(std::to_string(na) + " x " + std::to_string(nb));
    Dims da{na, 3, 4}, db{nb, 4, 2};
    auto va = randomFloats(da.volume(), 61), vb = randomFloats(db.volume(), 62);
    auto out = runContext(*ctx, {HostTensor::f32(da, va), HostTensor::f32(db, vb)});
    Dims expectedDims;
    auto expected = referenceMatmul(va, da, false, vb, db, false, &expectedDims);
    EXPECT_EQ(toString(out[0].dims), toString(expectedDims));
    expectNear(out[0].f32(), expected, 1e-5f, 1e-5f);
  }
}

TEST(MatrixMultiplyDynamic, WeightsConstantAndDynamicRows) {
  NetworkDefinition net;
  Tensor* x = net.addInput("x", DataType::kFLOAT, Dims{-1, -1, 6});
  auto w = randomFloats(6 * 3, 71);
  Tensor* wt = floatConstant(net, Dims{3, 6}, w);
  MatrixMultiplyLayer* mm = net.addMatrixMultiply(*x, M::kNONE, *wt, M::kTRANSPOSE);  // x @ w^T, a linear layer
  net.markOutput(*mm->getOutput(0));
  EXPECT_EQ(toString(mm->getOutput(0)->getDimensions()), "-1x-1x3");
  auto engine = buildWithProfile(net, profileFor("x", {1, 1, 6}, {2, 5, 6}, {3, 9, 6}));
  auto ctx = engine->createExecutionContext();
  for (Dims d : {Dims{2, 5, 6}, Dims{3, 1, 6}}) {
    auto vx = randomFloats(d.volume(), 72);
    auto out = runContext(*ctx, {HostTensor::f32(d, vx)});
    Dims expectedDims;
    auto expected = referenceMatmul(vx, d, false, w, Dims{3, 6}, true, &expectedDims);
    EXPECT_EQ(toString(out[0].dims), toString(expectedDims));
    expectNear(out[0].f32(), expected, 1e-5f, 1e-5f);
  }
}

// ---- Errors name the layer --------------------------------------------------------------------------------------

TEST(MatrixMultiplyErrors, InnerMismatchNamesTheLayerAndKeepsTheOldSetting) {
  NetworkDefinition net;
  Tensor* a = net.addInput("a", DataType::kFLOAT, Dims{2, 3});
  Tensor* b = net.addInput("b", DataType::kFLOAT, Dims{3, 4});
  Tensor* c = net.addInput("c", DataType::kFLOAT, Dims{5, 4});
  MatrixMultiplyLayer* mm = net.addMatrixMultiply(*a, M::kNONE, *b, M::kNONE);
  mm->setName("proj");
  expectRejected(
      mm, [&] { mm->setOperation(1, M::kTRANSPOSE); }, "b^T is 4x3", "inner");
  expectRejected(
      mm, [&] { mm->setInput(1, *c); }, "3 vs 5", "inner");
  EXPECT_EQ(mm->getOperation(1), M::kNONE);
  EXPECT_EQ(mm->getInput(1), b);
  EXPECT_EQ(toString(mm->getOutput(0)->getDimensions()), "2x4");
  try {
    net.addMatrixMultiply(*a, M::kNONE, *c, M::kNONE);
    ADD_FAILURE() << "3 vs 5 accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.object(), "MatrixMultiply_1");  // the default name of the rejected layer
  }
}

TEST(MatrixMultiplyErrors, BatchMismatchAndIntegerInputsAreRejected) {
  NetworkDefinition net;
  Tensor* a = net.addInput("a", DataType::kFLOAT, Dims{3, 2, 4});
  Tensor* b = net.addInput("b", DataType::kFLOAT, Dims{3, 4, 5});
  Tensor* b4 = net.addInput("b4", DataType::kFLOAT, Dims{4, 4, 5});
  Tensor* i = net.addInput("i", DataType::kINT32, Dims{3, 2, 4});
  MatrixMultiplyLayer* mm = net.addMatrixMultiply(*a, M::kNONE, *b, M::kNONE);
  mm->setName("bmm");
  for (const auto& input : {std::pair<int32_t, Tensor*>{1, b4}, {0, i}})
    expectRejected(
        "bmm", [&] { mm->setInput(input.first, *input.second); }, input.second->getName());
}

TEST(MatrixMultiplyErrors, DynamicInnerMismatchFailsWhenShapesResolve) {
  NetworkDefinition net;
  Tensor* a = net.addInput("a", DataType::kFLOAT, Dims{2, -1});
  Tensor* b = net.addInput("b", DataType::kFLOAT, Dims{-1, 3});
  MatrixMultiplyLayer* mm = net.addMatrixMultiply(*a, M::kNONE, *b, M::kNONE);
  mm->setName("dyn_mm");
  mm->getOutput(0)->setName("y");
  net.markOutput(*mm->getOutput(0));
  OptimizationProfile profile;
  setRange(profile, "a", {2, 1}, {2, 4}, {2, 8});
  setRange(profile, "b", {1, 3}, {4, 3}, {8, 3});
  auto engine = buildWithProfile(net, profile);
  auto ctx = engine->createExecutionContext();
  ASSERT_TRUE(ctx->setInputShape("a", Dims{2, 5}).isOk());
  ASSERT_TRUE(ctx->setInputShape("b", Dims{6, 3}).isOk());  // checked against "a" when resolved
  Status st = ctx->inferShapes();
  ASSERT_FALSE(st.isOk());
  EXPECT_EQ(st.error().code(), ErrorCode::kSHAPE_OUT_OF_RANGE);
  EXPECT_EQ(st.error().object(), "dyn_mm");
  ASSERT_TRUE(ctx->setInputShape("b", Dims{5, 3}).isOk());  // a matching pair resolves again
  EXPECT_EQ(toString(ctx->getTensorShape("y")), "2x3");
  auto va = randomFloats(10, 81), vb = randomFloats(15, 82);
  auto out = runContext(*ctx, {HostTensor::f32({2, 5}, va), HostTensor::f32({5, 3}, vb)});
  expectNear(out[0].f32(), referenceMatmul(va, Dims{2, 5}, false, vb, Dims{5, 3}, false, nullptr), 1e-5f, 1e-5f);
}

}  // namespace
}  // namespace kiln::test
