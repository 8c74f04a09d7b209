// Builder passes that cut data movement: consecutive Shuffles merged into one, a transpose of the last two axes
// folded into the matrix multiply that reads it. Each optimized network is checked against the same network with its
// intermediate results also marked as outputs (which keeps the passes from firing) at several shapes of a dynamic
// profile, and its plan's steps are checked; the small cases also against hand-computed values.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "test_util.h"
#include "unfused_comparison.h"

namespace kiln::test {
namespace {

using M = MatrixOperation;

// A Shuffle: `first` transpose, then a reshape to `reshape` (when given), then `second` transpose.
Tensor* shuffle(NetworkDefinition& net, Tensor& x, const std::vector<int32_t>& first,
                const std::optional<Dims>& reshape, const std::vector<int32_t>& second) {
  auto* s = net.addShuffle(x);
  if (!first.empty()) s->setFirstTranspose(first);
  if (reshape) s->setReshapeDimensions(*reshape);
  if (!second.empty()) s->setSecondTranspose(second);
  return s->getOutput(0);
}

Tensor* transpose(NetworkDefinition& net, Tensor& x, const std::vector<int32_t>& perm) {
  return shuffle(net, x, perm, std::nullopt, {});
}

Tensor* reshape(NetworkDefinition& net, Tensor& x, const Dims& dims) { return shuffle(net, x, {}, dims, {}); }

// The steps of `engine`, in order.
std::vector<LayerInfo> steps(const Engine& engine) {
  std::vector<LayerInfo> out;
  for (int32_t i = 0; i < engine.getNbLayers(); ++i) out.push_back(engine.getLayerInformation(i));
  return out;
}

// The attributes of the steps of type `type`, in order.
std::vector<std::string> attributesOf(const Engine& engine, const std::string& type) {
  std::vector<std::string> out;
  for (const LayerInfo& info : steps(engine))
    if (info.type == type) out.push_back(info.attributes);
  return out;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// Attention over x [B, S, 12] with 3 heads of 4: Q's reshape from a shape tensor computed from x's shape (as ONNX
// exports it), K's and V's from 0 placeholders; K transposed [0, 2, 3, 1] for Q.K^T; the context transposed back and
// reshaped to [B, S, 12].
void attention(NetworkDefinition& net, bool observe) {
  Tensor* x = net.addInput("x", DataType::kFLOAT, Dims{-1, -1, 12});
  Tensor* batchAndSequence =
      net.addGather(*net.addShape(*x)->getOutput(0), *int64Constant(net, {0, 1}), 0)->getOutput(0);
  Tensor* heads = net.addConcatenation({batchAndSequence, int64Constant(net, {3, 4})})->getOutput(0);
  auto* q = net.addShuffle(*x);
  q->setZeroIsPlaceholder(false);
  q->setInput(1, *heads);
  Tensor* k = reshape(net, *net.addUnary(*x, UnaryOperation::kSIN)->getOutput(0), Dims{0, 0, 3, 4});
  Tensor* v = reshape(net, *net.addUnary(*x, UnaryOperation::kCOS)->getOutput(0), Dims{0, 0, 3, 4});
  Tensor* qHeads = transpose(net, *q->getOutput(0), {0, 2, 1, 3});
  Tensor* kHeads = transpose(net, *k, {0, 2, 3, 1});
  Tensor* vHeads = transpose(net, *v, {0, 2, 1, 3});
  Tensor* scores = net.addMatrixMultiply(*qHeads, M::kNONE, *kHeads, M::kNONE)->getOutput(0);
  Tensor* context = net.addMatrixMultiply(*scores, M::kNONE, *vHeads, M::kNONE)->getOutput(0);
  Tensor* back = transpose(net, *context, {0, 2, 1, 3});
  net.markOutput(*reshape(net, *back, Dims{0, 0, 12}));
  if (observe)
    for (Tensor* t : {q->getOutput(0), k, v, qHeads, kHeads, vHeads, back}) net.markOutput(*t);
}

TEST(BuilderShuffles, AttentionHeadsTakeOneShuffleEachAndTheKeyTransposeMovesIntoTheProduct) {
  std::unique_ptr<Engine> engine;
  auto counts = compareWithUnfused(attention, Dims{1, 1, 12}, Dims{3, 9, 12},
                                   {Dims{1, 1, 12}, Dims{2, 5, 12}, Dims{3, 9, 12}, Dims{1, 7, 12}}, &engine);
  // sin, cos, 3 x (reshape, transpose), 2 products, transpose, reshape.
  EXPECT_EQ(counts.unfused, 12);
  // sin, cos, 3 heads, 2 products, 1 transpose back.
  EXPECT_EQ(counts.fused, 8);
  ASSERT_TRUE(engine);
  std::vector<std::string> shuffles = attributesOf(*engine, "Shuffle");
  ASSERT_EQ(shuffles.size(), 4u);
  // Every Shuffle keeps the innermost axis: Q, V and K (no longer [0, 2, 3, 1]) after their reshape, the context
  // before.
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(contains(shuffles[i], "second_perm=[0,2,1,3]")) << shuffles[i];
  EXPECT_TRUE(contains(shuffles[3], "first_perm=[0,2,1,3]")) << shuffles[3];
  std::vector<std::string> products = attributesOf(*engine, "MatrixMultiply");
  ASSERT_EQ(products.size(), 2u);
  EXPECT_TRUE(contains(products[0], "op0=0 op1=1")) << products[0];
  EXPECT_TRUE(contains(products[1], "op0=0 op1=0")) << products[1];
}

TEST(BuilderShuffles, TransposeOfTheLeftOperandDisappearsIntoTheProductHandComputed) {
  // x^T x for x = [[1, 2], [3, 4], [5, 6]]: the transpose becomes op0 = kTRANSPOSE.
  NetworkDefinition net;
  Tensor* x = net.addInput("x", DataType::kFLOAT, Dims{-1, 2});
  net.markOutput(*net.addMatrixMultiply(*transpose(net, *x, {1, 0}), M::kNONE, *x, M::kNONE)->getOutput(0));
  auto engine = buildFor(net, Dims{1, 2}, Dims{4, 2});
  ASSERT_EQ(engine->getNbLayers(), 1);
  LayerInfo info = engine->getLayerInformation(0);
  EXPECT_EQ(info.type, "MatrixMultiply");
  EXPECT_TRUE(contains(info.attributes, "op0=1 op1=0")) << info.attributes;
  auto out = runEngine(*engine, {HostTensor::f32(Dims{3, 2}, {1, 2, 3, 4, 5, 6})});
  EXPECT_EQ(toString(out[0].dims), "2x2");
  expectNear(out[0].f32(), {35, 44, 44, 56});
}

TEST(BuilderShuffles, TransposeBeforeATransposedOperandCancelsIt) {
  // y = x transposed to [B, 5, S], read as y^T (op0 = kTRANSPOSE): the product reads x as it is.
  std::unique_ptr<Engine> engine;
  auto counts = compareWithUnfused(
      [](NetworkDefinition& net, bool observe) {
        Tensor* x = net.addInput("x", DataType::kFLOAT, Dims{-1, -1, 5});
        Tensor* y = transpose(net, *x, {0, 2, 1});
        Tensor* w = floatConstant(net, Dims{5, 3}, randomFloats(15, 3));
        net.markOutput(*net.addMatrixMultiply(*y, M::kTRANSPOSE, *w, M::kNONE)->getOutput(0));
        if (observe) net.markOutput(*y);
      },
      Dims{1, 1, 5}, Dims{2, 6, 5}, {Dims{1, 1, 5}, Dims{2, 6, 5}, Dims{2, 3, 5}}, &engine);
  EXPECT_EQ(counts.unfused, 2);
  EXPECT_EQ(counts.fused, 1);
  ASSERT_TRUE(engine);
  EXPECT_TRUE(contains(engine->getLayerInformation(0).attributes, "op0=0 op1=0"));
}

TEST(BuilderShuffles, ShufflesWhoseResultsHaveASecondReaderStaySeparate) {
  std::unique_ptr<Engine> engine;
  auto counts = compareWithUnfused(
      [](NetworkDefinition& net, bool) {
        Tensor* x = net.addInput("x", DataType::kFLOAT, Dims{-1, -1, 12});
        // The reshape's result is read by the transpose and a negation: no merge.
        Tensor* q = reshape(net, *x, Dims{0, 0, 3, 4});
        Tensor* qHeads = transpose(net, *q, {0, 2, 1, 3});
        // K's reshape merges with its transpose, but the transpose's result is also an output: no fold.
        Tensor* kHeads = transpose(net, *reshape(net, *x, Dims{0, 0, 3, 4}), {0, 2, 3, 1});
        net.markOutput(*net.addMatrixMultiply(*qHeads, M::kNONE, *kHeads, M::kNONE)->getOutput(0));
        net.markOutput(*net.addUnary(*q, UnaryOperation::kNEG)->getOutput(0));
        net.markOutput(*kHeads);
      },
      Dims{1, 1, 12}, Dims{2, 6, 12}, {Dims{1, 1, 12}, Dims{2, 6, 12}}, &engine);
  EXPECT_EQ(counts.fused, 5);  // Q reshape, Q transpose, K shuffle, product, negation
  ASSERT_TRUE(engine);
  std::vector<std::string> shuffles = attributesOf(*engine, "Shuffle");
  ASSERT_EQ(shuffles.size(), 3u);
  int kept = 0;
  for (const auto& a : shuffles) kept += contains(a, "second_perm=[0,2,3,1]");
  EXPECT_EQ(kept, 1);
  EXPECT_TRUE(contains(attributesOf(*engine, "MatrixMultiply").at(0), "op0=0 op1=0"));
}

TEST(BuilderShuffles, TransposeThenReshapeCopiesTheTransposedDimension) {
  // [B, S, 4] -> [S, B, 4] -> [S, B * 4]: the reshape's 0 copies S, the first axis after the transpose.
  auto counts = compareWithUnfused(
      [](NetworkDefinition& net, bool observe) {
        Tensor* x = net.addInput("x", DataType::kFLOAT, Dims{-1, -1, 4});
        Tensor* t = transpose(net, *x, {1, 0, 2});
        net.markOutput(*reshape(net, *t, Dims{0, -1}));
        if (observe) net.markOutput(*t);
      },
      Dims{1, 1, 4}, Dims{3, 5, 4}, {Dims{1, 1, 4}, Dims{2, 5, 4}, Dims{3, 2, 4}});
  EXPECT_EQ(counts.unfused, 2);
  EXPECT_EQ(counts.fused, 1);
}

TEST(BuilderShuffles, ConsecutiveTransposesCompose) {
  // [0, 2, 1] then [2, 0, 1]: [B, S, 4] -> [B, 4, S] -> [S, B, 4], one transpose [1, 0, 2]; then a transpose and a
  // reshape with a transpose after it, which also become one Shuffle.
  std::unique_ptr<Engine> engine;
  auto counts = compareWithUnfused(
      [](NetworkDefinition& net, bool observe) {
        Tensor* x = net.addInput("x", DataType::kFLOAT, Dims{-1, -1, 4});
        Tensor* a = transpose(net, *x, {0, 2, 1});
        Tensor* b = transpose(net, *a, {2, 0, 1});
        Tensor* c = shuffle(net, *b, {}, Dims{0, 0, 2, 2}, {1, 0, 3, 2});
        net.markOutput(*transpose(net, *c, {0, 1, 3, 2}));
        if (observe)
          for (Tensor* t : {a, b, c}) net.markOutput(*t);
      },
      Dims{1, 1, 4}, Dims{3, 5, 4}, {Dims{1, 1, 4}, Dims{2, 5, 4}, Dims{3, 2, 4}}, &engine);
  EXPECT_EQ(counts.unfused, 4);
  EXPECT_EQ(counts.fused, 1);
  ASSERT_TRUE(engine);
  std::string merged = engine->getLayerInformation(0).attributes;
  EXPECT_TRUE(contains(merged, "first_perm=[1,0,2]")) << merged;
  EXPECT_TRUE(contains(merged, "second_perm=[1,0,2,3]")) << merged;
}

TEST(BuilderShuffles, ReshapesMergeUnlessTheSecondCopiesADimensionOfTheFirstResult) {
  // [B, 6, 4] -> [2B, 12] -> [2B, 3, 4]: one reshape.
  auto merged = compareWithUnfused(
      [](NetworkDefinition& net, bool observe) {
        Tensor* x = net.addInput("x", DataType::kFLOAT, Dims{-1, 6, 4});
        Tensor* a = reshape(net, *x, Dims{-1, 12});
        net.markOutput(*reshape(net, *a, Dims{-1, 3, 4}));
        if (observe) net.markOutput(*a);
      },
      Dims{1, 6, 4}, Dims{3, 6, 4}, {Dims{1, 6, 4}, Dims{3, 6, 4}});
  EXPECT_EQ(merged.unfused, 2);
  EXPECT_EQ(merged.fused, 1);
  // [B, 6, 4] -> [6B, 4] -> [6B, 2, 2], the 0 copying 6B; merged, it would copy B: not merged.
  auto separate = compareWithUnfused(
      [](NetworkDefinition& net, bool) {
        Tensor* x = net.addInput("x", DataType::kFLOAT, Dims{-1, 6, 4});
        Tensor* a = reshape(net, *x, Dims{-1, 4});
        net.markOutput(*reshape(net, *a, Dims{0, 2, 2}));
      },
      Dims{1, 6, 4}, Dims{3, 6, 4}, {Dims{1, 6, 4}, Dims{3, 6, 4}});
  EXPECT_EQ(separate.fused, 2);
}

}  // namespace
}  // namespace kiln::test
