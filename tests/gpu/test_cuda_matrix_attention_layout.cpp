// Attention's operand layouts on the CUDA backend against the CPU backend: batched matrix multiplies of rank-4
// [B, heads, S, D] operands with either or both transposed (op0 / op1 = kTRANSPOSE), as set by hand and as the builder
// leaves them when it folds K's [0, 2, 3, 1] transpose into the product, read from merged Shuffles (reshape and
// transpose in one step), and a reshape-only Shuffle whose output shares its input's memory (the step copies nothing).
// fp32 within 1e-4 relative, fp16 (the CUDA network in fp16, input cast at its edge, exact in
// fp16) within 1e-2. Every test skips with a message without a GPU (ctest label gpu).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "gpu_test_util.h"

namespace kiln {
namespace {

using gpu_test::as;
using gpu_test::dims;
using gpu_test::exactHalfValues;
using gpu_test::markFloat;
using gpu_test::weights;
using M = MatrixOperation;

class CudaAttentionLayout : public ::testing::TestWithParam<DataType> {};

INSTANTIATE_TEST_SUITE_P(Precisions, CudaAttentionLayout, ::testing::Values(DataType::kFLOAT, DataType::kHALF),
                         gpu_test::typeParamName);

// x [B, S, 12] split into 3 heads of 4 and permuted by `perm`: one Shuffle (reshape, second transpose).
Tensor* heads(NetworkDefinition& n, Tensor* x, const std::vector<int32_t>& perm) {
  auto* s = n.addShuffle(*x);
  s->setReshapeDimensions(dims({0, 0, 3, 4}));
  s->setSecondTranspose(perm);
  return s->getOutput(0);
}

// The attributes of `engine`'s steps of type `type`.
std::vector<std::string> attributesOf(const Engine& engine, const std::string& type) {
  std::vector<std::string> out;
  for (int32_t i = 0; i < engine.getNbLayers(); ++i) {
    LayerInfo info = engine.getLayerInformation(i);
    if (info.type == type) out.push_back(info.attributes);
  }
  return out;
}

int32_t countContaining(const std::vector<std::string>& texts, const std::string& part) {
  int32_t count = 0;
  for (const auto& t : texts) count += t.find(part) != std::string::npos;
  return count;
}

TEST_P(CudaAttentionLayout, TransposedRank4OperandsAgreeWithTheCpu) {
  REQUIRE_CUDA();
  std::unique_ptr<Engine> gpu;
  gpu_test::compareBackends(
      [](NetworkDefinition& n, DataType type) {
        auto* x = as(n, n.addInput("x", DataType::kFLOAT, dims({-1, -1, 12})), type);
        Tensor* q = heads(n, x, {0, 2, 1, 3});                                                   // [B, 3, S, 4]
        Tensor* k = heads(n, n.addUnary(*x, UnaryOperation::kNEG)->getOutput(0), {0, 2, 3, 1});  // [B, 3, 4, S]
        // Q.K^T: the builder turns K's Shuffle into [0, 2, 1, 3] and reads it with op1 = kTRANSPOSE.
        markFloat(n, n.addMatrixMultiply(*q, M::kNONE, *k, M::kNONE)->getOutput(0));
        // By hand: Q^T Q, Q^T K2^T (K2 read twice keeps its Shuffle) and Q W^T with W [3, 5, 4] broadcast over B.
        Tensor* k2 = heads(n, n.addActivation(*x, ActivationType::kTANH)->getOutput(0), {0, 2, 3, 1});
        markFloat(n, n.addMatrixMultiply(*q, M::kTRANSPOSE, *q, M::kNONE)->getOutput(0));        // [B, 3, 4, 4]
        markFloat(n, n.addMatrixMultiply(*q, M::kTRANSPOSE, *k2, M::kTRANSPOSE)->getOutput(0));  // [B, 3, 4, 4]
        markFloat(n, n.addMatrixMultiply(*k2, M::kNONE, *q, M::kNONE)->getOutput(0));            // [B, 3, 4, 4]
        Tensor* w = weights(n, dims({3, 5, 4}), 41, type);
        markFloat(n, n.addMatrixMultiply(*q, M::kNONE, *w, M::kTRANSPOSE)->getOutput(0));  // [B, 3, S, 5]
      },
      GetParam(), dims({1, 1, 12}), dims({2, 33, 12}), {dims({1, 1, 12}), dims({2, 7, 12}), dims({2, 33, 12})},
      exactHalfValues, &gpu);
  ASSERT_TRUE(gpu);
  std::vector<std::string> shuffles = attributesOf(*gpu, "Shuffle");
  ASSERT_EQ(shuffles.size(), 3u);                                    // Q, K and K2, each one step
  EXPECT_EQ(countContaining(shuffles, "second_perm=[0,2,3,1]"), 1);  // K2 only
  EXPECT_EQ(countContaining(shuffles, "second_perm=[0,2,1,3]"), 2);
  std::vector<std::string> products = attributesOf(*gpu, "MatrixMultiply");
  ASSERT_EQ(products.size(), 5u);
  EXPECT_NE(products[0].find("op0=0 op1=1"), std::string::npos) << products[0];
}

// a = -x; b = a reshaped; c = tanh(b); d = c reshaped back; y = d * a: b shares a's memory and d shares c's, so the
// reshapes are no-ops on the device too.
TEST_P(CudaAttentionLayout, ReshapeSharingItsInputsMemoryAgreesWithTheCpu) {
  REQUIRE_CUDA();
  gpu_test::compareBackends(
      [](NetworkDefinition& n, DataType type) {
        auto* x = as(n, n.addInput("x", DataType::kFLOAT, dims({-1, -1, 12})), type);
        Tensor* a = n.addUnary(*x, UnaryOperation::kNEG)->getOutput(0);
        auto* b = n.addShuffle(*a);
        b->setReshapeDimensions(dims({0, -1, 3, 4}));
        Tensor* c = n.addActivation(*b->getOutput(0), ActivationType::kTANH)->getOutput(0);
        auto* d = n.addShuffle(*c);
        d->setReshapeDimensions(dims({0, -1, 12}));
        markFloat(n, n.addElementWise(*d->getOutput(0), *a, ElementWiseOperation::kPROD)->getOutput(0));
      },
      GetParam(), dims({1, 1, 12}), dims({2, 33, 12}), {dims({1, 1, 12}), dims({2, 7, 12}), dims({2, 33, 12})},
      exactHalfValues);
}

}  // namespace
}  // namespace kiln
