// The benchmark's BERT encoder as kiln's ONNX importer lays out PyTorch's export (bench/bert_reference.py), at toy
// sizes: token and position embeddings gathered by int64 ids, LayerNorm, a self-attention layer with the additive
// mask (1 - mask) * float min, the exact-GELU feed-forward, the residuals. Built for the CPU and the CUDA backend
// (fp32, one dynamic batch x sequence profile) and compared at several shapes; skips without a GPU.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <map>

#include "gpu_test_util.h"

namespace kiln {
namespace {

using test::HostTensor;

constexpr int64_t kVocab = 50, kPositions = 16, kHidden = 16, kHeads = 2, kHeadSize = kHidden / kHeads,
                  kIntermediate = 32;

using gpu_test::dims;

// Weights of `shape` from a seed, uniform in [-scale, scale): larger than BERT's std 0.02, so that the scores give
// the softmax real work and the GELU sees values away from zero.
Tensor* weights(NetworkDefinition& n, const Dims& shape, uint32_t seed, float scale = 0.3f) {
  return test::floatConstant(n, shape, test::randomFloats(static_cast<size_t>(shape.volume()), seed, -scale, scale));
}

Tensor* scalar(NetworkDefinition& n, float value) { return test::floatConstant(n, dims({1}), {value}); }

Tensor* op(NetworkDefinition& n, Tensor* a, Tensor* b, ElementWiseOperation operation) {
  return n.addElementWise(*a, *b, operation)->getOutput(0);
}

// x [B, S, in] times a weight [in, out] plus a bias [out] (the builder fuses the bias into the matrix multiply).
Tensor* dense(NetworkDefinition& n, Tensor* x, int64_t in, int64_t out, uint32_t seed) {
  auto* y = n.addMatrixMultiply(*x, MatrixOperation::kNONE, *weights(n, dims({in, out}), seed), MatrixOperation::kNONE);
  return op(n, y->getOutput(0), weights(n, dims({out}), seed + 1), ElementWiseOperation::kSUM);
}

Tensor* layerNorm(NetworkDefinition& n, Tensor* x, uint32_t seed) {
  auto* norm =
      n.addNormalization(*x, *weights(n, dims({kHidden}), seed, 1.0f), *weights(n, dims({kHidden}), seed + 1), 1u << 2);
  norm->setEpsilon(1e-12);
  return norm->getOutput(0);
}

Tensor* shuffle(NetworkDefinition& n, Tensor* x, const Dims& reshape, const std::vector<int32_t>& transpose) {
  auto* s = n.addShuffle(*x);
  if (reshape.nbDims > 0) s->setReshapeDimensions(reshape);
  if (!transpose.empty()) s->setSecondTranspose(transpose);
  return s->getOutput(0);
}

// [B, S, hidden] -> [B, heads, S, head size] (keys: [B, heads, head size, S]).
Tensor* splitHeads(NetworkDefinition& n, Tensor* x, bool keys) {
  return shuffle(n, x, dims({0, 0, kHeads, kHeadSize}),
                 keys ? std::vector<int32_t>{0, 2, 3, 1} : std::vector<int32_t>{0, 2, 1, 3});
}

void bertEncoder(NetworkDefinition& n) {
  auto* ids = n.addInput("input_ids", DataType::kINT64, dims({-1, -1}));
  auto* mask = n.addInput("attention_mask", DataType::kINT64, dims({-1, -1}));
  // Embeddings: word + position (position ids sliced from a [1, positions] buffer by the sequence length).
  auto* words = n.addGather(*weights(n, dims({kVocab, kHidden}), 1), *ids, 0)->getOutput(0);
  std::vector<int64_t> positions(kPositions);
  for (int64_t i = 0; i < kPositions; ++i) positions[i] = i;
  auto* sequence = n.addGather(*n.addShape(*ids)->getOutput(0), *test::int64Constant(n, {1}), 0)->getOutput(0);
  auto* size = n.addConcatenation({test::int64Constant(n, {1}), sequence}, 0)->getOutput(0);
  auto* positionIds =
      n.addSlice(*test::int64Constant(n, positions, dims({1, kPositions})), dims({0, 0}), dims({1, 1}), dims({1, 1}));
  positionIds->setInput(2, *size);
  auto* position = n.addGather(*weights(n, dims({kPositions, kHidden}), 2), *positionIds->getOutput(0), 0);
  auto* hidden = layerNorm(n, op(n, words, position->getOutput(0), ElementWiseOperation::kSUM), 3);

  // The additive mask [B, 1, 1, S]: 0 where attended, float min where padded.
  auto* maskFloat = n.addCast(*shuffle(n, mask, dims({0, 1, 1, -1}), {}), DataType::kFLOAT)->getOutput(0);
  auto* additive = op(n, op(n, scalar(n, 1.0f), maskFloat, ElementWiseOperation::kSUB),
                      scalar(n, std::numeric_limits<float>::lowest()), ElementWiseOperation::kPROD);

  // Self-attention.
  auto* query = splitHeads(n, dense(n, hidden, kHidden, kHidden, 10), false);
  auto* key = splitHeads(n, dense(n, hidden, kHidden, kHidden, 12), true);
  auto* value = splitHeads(n, dense(n, hidden, kHidden, kHidden, 14), false);
  auto* scores = n.addMatrixMultiply(*query, MatrixOperation::kNONE, *key, MatrixOperation::kNONE)->getOutput(0);
  scores = op(n, op(n, scores, scalar(n, std::sqrt(static_cast<float>(kHeadSize))), ElementWiseOperation::kDIV),
              additive, ElementWiseOperation::kSUM);
  auto* softmax = n.addSoftMax(*scores);
  softmax->setAxes(1u << 3);
  auto* context = n.addMatrixMultiply(*softmax->getOutput(0), MatrixOperation::kNONE, *value, MatrixOperation::kNONE);
  auto* merged = shuffle(n, shuffle(n, context->getOutput(0), Dims{}, {0, 2, 1, 3}), dims({0, 0, kHidden}), {});
  auto* attended = layerNorm(n, op(n, dense(n, merged, kHidden, kHidden, 16), hidden, ElementWiseOperation::kSUM), 18);

  // Feed-forward with exact GELU as PyTorch exports it: x * 0.5 * (1 + erf(x / sqrt(2))).
  auto* inner = dense(n, attended, kHidden, kIntermediate, 20);
  auto* erf = n.addUnary(*op(n, inner, scalar(n, std::sqrt(2.0f)), ElementWiseOperation::kDIV), UnaryOperation::kERF);
  auto* gelu = op(
      n,
      op(n, inner, op(n, erf->getOutput(0), scalar(n, 1.0f), ElementWiseOperation::kSUM), ElementWiseOperation::kPROD),
      scalar(n, 0.5f), ElementWiseOperation::kPROD);
  auto* out = layerNorm(n, op(n, dense(n, gelu, kIntermediate, kHidden, 22), attended, ElementWiseOperation::kSUM), 24);
  n.markOutput(*out);
}

// Random ids, and a mask whose last sequence / 4 positions are padding.
std::vector<HostTensor> bertInputs(int64_t batch, int64_t sequence, uint32_t seed) {
  std::vector<int64_t> ids, mask;
  auto draws = test::randomFloats(static_cast<size_t>(batch * sequence), seed, 0.0f, static_cast<float>(kVocab));
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t s = 0; s < sequence; ++s) {
      ids.push_back(std::min<int64_t>(static_cast<int64_t>(draws[b * sequence + s]), kVocab - 1));
      mask.push_back(s < sequence - sequence / 4 ? 1 : 0);
    }
  return {HostTensor::i64(dims({batch, sequence}), ids), HostTensor::i64(dims({batch, sequence}), mask)};
}

// Builds the encoder layer for the CPU in fp32 and for CUDA with `flags` (one batch x sequence profile), runs both at
// three shapes (inputs seeded from `seed` on) and compares the fp32 outputs within atol + rtol * |expected|. The CUDA
// engine goes to `cudaEngine` when given (to inspect its plan), as gpu_test::compareBackendsOn does.
void compareBertLayer(const std::vector<BuilderFlag>& flags, uint32_t seed, float atol, float rtol,
                      std::unique_ptr<Engine>* cudaEngine = nullptr) {
  auto cpuNetwork = test::makeNetwork();
  auto cudaNetwork = test::makeNetwork();
  bertEncoder(*cpuNetwork);
  bertEncoder(*cudaNetwork);
  OptimizationProfile profile;
  for (const char* input : {"input_ids", "attention_mask"})
    test::setRange(profile, input, dims({1, 2}), dims({2, 8}), dims({3, kPositions}));
  auto cpu = gpu_test::buildFor("cpu", *cpuNetwork, profile);
  auto built = gpu_test::buildFor("cuda", *cudaNetwork, profile, flags);
  const Engine* gpu = built.get();
  if (cudaEngine) *cudaEngine = std::move(built);
  for (auto [batch, sequence] : {std::pair<int64_t, int64_t>{1, 2}, {2, 9}, {3, kPositions}}) {
    SCOPED_TRACE(std::to_string(batch) + "x" + std::to_string(sequence));
    auto inputs = bertInputs(batch, sequence, seed++);
    auto expected = test::runEngine(*cpu, inputs);
    auto actual = gpu_test::runOnDevice(*gpu, inputs);
    ASSERT_EQ(actual.size(), 1u);
    ASSERT_EQ(actual[0].type, DataType::kFLOAT);
    ASSERT_EQ(toString(actual[0].dims), toString(dims({batch, sequence, kHidden})));
    test::expectNear(actual[0].f32(), expected[0].f32(), atol, rtol);
  }
}

TEST(CudaModels, BertEncoderLayerAgreesWithTheCpu) {
  REQUIRE_CUDA();
  compareBertLayer({}, 1, 1e-5f, 1e-4f);
}

// Steps of each output type, by step type.
std::map<std::string, std::map<DataType, int32_t>> stepTypes(const Engine& engine) {
  std::map<std::string, std::map<DataType, int32_t>> types;
  for (int32_t i = 0; i < engine.getNbLayers(); ++i) {
    LayerInfo info = engine.getLayerInformation(i);
    ++types[info.type][info.outputTypes.at(0)];
  }
  return types;
}

TEST(CudaModels, BertEncoderLayerBuiltWithFp16RunsInHalfAndAgreesWithTheCpuInFp32) {
  REQUIRE_CUDA();
  // The padded positions' -65504 must not turn the softmax into NaN; fp16 rounding stays within 2e-2 here.
  std::unique_ptr<Engine> gpu;
  compareBertLayer({BuilderFlag::kFP16}, 11, 2e-2f, 2e-2f, &gpu);
  ASSERT_TRUE(gpu);
  auto types = stepTypes(*gpu);
  EXPECT_EQ(types["MatrixMultiply"][DataType::kFLOAT], 0);
  EXPECT_GE(types["MatrixMultiply"][DataType::kHALF], 8);
  EXPECT_GE(types["Normalization"][DataType::kHALF], 1);
  EXPECT_GE(types["SoftMax"][DataType::kHALF], 1);
  EXPECT_EQ(gpu->getTensorDataType("input_ids"), DataType::kINT64);
}

// An fp16 CUDA engine of a convolution network against the CPU engine in fp32, on random images of `shapes`.
void expectFp16ImagesAgree(const Engine& cpu, const Engine& gpu, std::initializer_list<Dims> shapes, uint32_t seed) {
  for (const Dims& shape : shapes) {
    SCOPED_TRACE(toString(shape));
    std::vector<HostTensor> inputs{
        HostTensor::f32(shape, test::randomFloats(static_cast<size_t>(shape.volume()), seed, -1.0f, 1.0f))};
    auto expected = test::runEngine(cpu, inputs);
    auto actual = gpu_test::runOnDevice(gpu, inputs);
    test::expectNear(actual[0].f32(), expected[0].f32(), 1e-2f, 2e-2f);
  }
}

TEST(CudaModels, ResidualConvolutionBlockBuiltWithFp16AgreesWithTheCpuInFp32) {
  // conv 3x3 + bias -> ReLU -> conv 3x3 -> + input -> ReLU -> global average -> dense: a ResNet block's shape.
  REQUIRE_CUDA();
  auto make = [](NetworkDefinition& n) {
    constexpr int64_t kChannels = 8;
    auto* x = n.addInput("x", DataType::kFLOAT, dims({-1, kChannels, -1, -1}));
    auto conv = [&](Tensor* in, uint32_t seed) {
      auto* c = n.addConvolution(*in, *weights(n, dims({kChannels, kChannels, 3, 3}), seed, 0.2f),
                                 weights(n, dims({kChannels}), seed + 1));
      c->setPaddingNd(dims({1, 1}));
      return c->getOutput(0);
    };
    auto* first = n.addActivation(*conv(x, 30), ActivationType::kRELU)->getOutput(0);
    auto* block = n.addActivation(*op(n, conv(first, 32), x, ElementWiseOperation::kSUM), ActivationType::kRELU);
    auto* pooled = n.addReduce(*block->getOutput(0), ReduceOperation::kAVG, (1u << 2) | (1u << 3), false);
    auto* logits = n.addMatrixMultiply(*pooled->getOutput(0), MatrixOperation::kNONE,
                                       *weights(n, dims({kChannels, 5}), 34), MatrixOperation::kNONE);
    n.markOutput(*logits->getOutput(0));
  };
  auto cpuNetwork = test::makeNetwork();
  auto cudaNetwork = test::makeNetwork();
  make(*cpuNetwork);
  make(*cudaNetwork);
  auto profile = test::profileFor("x", dims({1, 8, 5, 5}), dims({2, 8, 12, 12}), dims({4, 8, 20, 20}));
  auto cpu = gpu_test::buildFor("cpu", *cpuNetwork, profile);
  auto gpu = gpu_test::buildFor("cuda", *cudaNetwork, profile, {BuilderFlag::kFP16});
  auto types = stepTypes(*gpu);
  EXPECT_EQ(types["Convolution"][DataType::kFLOAT], 0);
  EXPECT_GE(types["Convolution"][DataType::kHALF], 2);
  expectFp16ImagesAgree(*cpu, *gpu, {dims({1, 8, 5, 5}), dims({3, 8, 9, 14}), dims({4, 8, 20, 20})}, 40);
}

// An image's 3 channels are padded to 8 in front of the first convolution (a slice filling with zeros), which is then
// ResNet's stem: 7x7 with stride 2.
void compareChannelsLastStage(int64_t inputChannels) {
  // conv 3x3 (or the stem) + ReLU -> max pool 3x3/2 -> conv 1x1 + ReLU -> conv 3x3 + pooled -> ReLU -> global average
  // pool: with channel counts of a multiple of 8 the fp16 plan runs the whole chain NHWC (plan/channels_last.h).
  auto make = [inputChannels](NetworkDefinition& n) {
    auto* x = n.addInput("x", DataType::kFLOAT, dims({-1, inputChannels, -1, -1}));
    auto conv = [&](Tensor* in, int64_t from, int64_t to, int64_t k, uint32_t seed, int64_t stride = 1) {
      auto* c =
          n.addConvolution(*in, *weights(n, dims({to, from, k, k}), seed, 0.2f), weights(n, dims({to}), seed + 1));
      c->setPaddingNd(dims({k / 2, k / 2}));
      c->setStrideNd(dims({stride, stride}));
      return c->getOutput(0);
    };
    bool stem = inputChannels % 8 != 0;
    Tensor* firstConv = conv(x, inputChannels, 16, stem ? 7 : 3, 50, stem ? 2 : 1);
    auto* first = n.addActivation(*firstConv, ActivationType::kRELU)->getOutput(0);
    auto* pool = n.addPoolingNd(*first, PoolingType::kMAX, dims({3, 3}));
    pool->setStrideNd(dims({2, 2}));
    pool->setPaddingNd(dims({1, 1}));
    auto* reduced = n.addActivation(*conv(pool->getOutput(0), 16, 16, 1, 52), ActivationType::kRELU)->getOutput(0);
    auto* sum = op(n, conv(reduced, 16, 16, 3, 54), pool->getOutput(0), ElementWiseOperation::kSUM);
    auto* block = n.addActivation(*sum, ActivationType::kRELU);
    auto* gap = n.addPoolingNd(*block->getOutput(0), PoolingType::kAVERAGE, dims({1, 1}));
    gap->setGlobal(true);
    n.markOutput(*gap->getOutput(0));
  };
  auto cpuNetwork = test::makeNetwork();
  auto cudaNetwork = test::makeNetwork();
  make(*cpuNetwork);
  make(*cudaNetwork);
  auto profile = test::profileFor("x", dims({1, inputChannels, 6, 6}), dims({2, inputChannels, 16, 16}),
                                  dims({4, inputChannels, 23, 20}));
  auto cpu = gpu_test::buildFor("cpu", *cpuNetwork, profile);
  auto gpu = gpu_test::buildFor("cuda", *cudaNetwork, profile, {BuilderFlag::kFP16});
  int32_t channelsLast = 0, shuffles = 0, slices = 0;
  for (int32_t i = 0; i < gpu->getNbLayers(); ++i) {
    LayerInfo info = gpu->getLayerInformation(i);
    channelsLast += info.attributes.find("channels_last=1") != std::string::npos;
    shuffles += info.type == "Shuffle";
    slices += info.type == "Slice";
  }
  EXPECT_EQ(channelsLast, 5);  // three convolutions, two pools
  EXPECT_EQ(shuffles, 2);      // into the first convolution, out of the global pool
  EXPECT_EQ(slices, inputChannels % 8 == 0 ? 0 : 1);
  expectFp16ImagesAgree(
      *cpu, *gpu, {dims({1, inputChannels, 6, 6}), dims({3, inputChannels, 15, 19}), dims({4, inputChannels, 23, 20})},
      41);
}

TEST(CudaModels, Fp16ConvolutionStageRunsChannelsLastAndAgreesWithTheCpuInFp32) {
  REQUIRE_CUDA();
  compareChannelsLastStage(8);
}

TEST(CudaModels, Fp16ConvolutionStageOnAThreeChannelImageRunsChannelsLastWithPaddedChannels) {
  REQUIRE_CUDA();
  compareChannelsLastStage(3);
}

}  // namespace
}  // namespace kiln
