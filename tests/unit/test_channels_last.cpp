// The channels-last layout pass (plan/channels_last.h): a backend that prefers NHWC convolutions gets plans whose
// convolution and pooling chain runs NHWC with one transpose in and one out, and computes what the NCHW plan does.
// The CPU runs channels-last steps through its channels-first kernels, so a CPU backend that states the preference
// checks the pass and the shape rules without a GPU.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>

#include "cpu_backend_wrapper.h"
#include "test_util.h"

namespace kiln::test {
namespace {

// The CPU backend under another name, preferring channels-last fp32 convolutions of a multiple of 4 channels (so a
// 3-channel input is padded to 4).
class ChannelsLastCpu final : public test::CpuBackendWrapper {
 public:
  ChannelsLastCpu() : CpuBackendWrapper("cpu-channels-last") {}
  bool prefersChannelsLast(DataType type, int64_t channels, int64_t maps) const override {
    return type == DataType::kFLOAT && channels % 4 == 0 && maps % 4 == 0;
  }
  int64_t channelsLastAlignment(DataType) const override { return 4; }
};

const char* channelsLastCpu() {
  static const bool registered = [] {
    backend::registerBackend(std::make_unique<ChannelsLastCpu>());
    return true;
  }();
  (void)registered;
  return "cpu-channels-last";
}

Weights weightsOf(const std::vector<float>& values) {
  return Weights{DataType::kFLOAT, values.data(), static_cast<int64_t>(values.size())};
}

// A residual stage as ResNet builds it: conv 3x3 stride 2 + ReLU, max pool 3x3 stride 2, conv 1x1 + ReLU,
// conv 3x3 + the pooled input + ReLU, global average pool. `probe`: also an output in the middle of the chain.
struct ResidualStage {
  std::unique_ptr<NetworkDefinition> net = makeNetwork();
  std::vector<std::vector<float>> weights;

  const std::vector<float>& keep(std::vector<float> values) { return weights.emplace_back(std::move(values)); }

  Tensor* conv(Tensor& x, int64_t in, int64_t out, int64_t k, int64_t stride, uint32_t seed) {
    const auto& w = keep(randomFloats(static_cast<size_t>(out * in * k * k), seed, -0.5f, 0.5f));
    const auto& b = keep(randomFloats(static_cast<size_t>(out), seed + 1, -0.2f, 0.2f));
    auto* layer = net->addConvolutionNd(x, out, Dims{k, k}, weightsOf(w), weightsOf(b));
    layer->setStrideNd(Dims{stride, stride});
    layer->setPaddingNd(Dims{k / 2, k / 2});
    return layer->getOutput(0);
  }
  Tensor* relu(Tensor& x) { return net->addActivation(x, ActivationType::kRELU)->getOutput(0); }

  explicit ResidualStage(bool probe) {
    weights.reserve(8);
    Tensor* x = net->addInput("x", DataType::kFLOAT, Dims{-1, 3, -1, -1});
    Tensor* c1 = relu(*conv(*x, 3, 8, 3, 2, 1));
    auto* pool = net->addPoolingNd(*c1, PoolingType::kMAX, Dims{3, 3});
    pool->setStrideNd(Dims{2, 2});
    pool->setPaddingNd(Dims{1, 1});
    Tensor* p = pool->getOutput(0);
    Tensor* c2 = relu(*conv(*p, 8, 8, 1, 1, 3));
    Tensor* c3 = conv(*c2, 8, 8, 3, 1, 5);
    Tensor* sum = relu(*net->addElementWise(*c3, *p, ElementWiseOperation::kSUM)->getOutput(0));
    auto* gap = net->addPoolingNd(*sum, PoolingType::kAVERAGE, Dims{1, 1});
    gap->setGlobal(true);
    gap->getOutput(0)->setName("y");
    net->markOutput(*gap->getOutput(0));
    if (probe) {
      c2->setName("middle");
      net->markOutput(*c2);
    }
  }

  std::unique_ptr<Engine> build(const char* backend) {
    BuilderConfig config;
    config.setBackend(backend);
    config.addOptimizationProfile(profileFor("x", Dims{1, 3, 8, 8}, Dims{2, 3, 16, 12}, Dims{3, 3, 17, 16}));
    return buildEngine(*net, config);
  }
};

std::vector<std::string> stepTypes(const Engine& engine) {
  std::vector<std::string> types;
  for (int32_t i = 0; i < engine.getNbLayers(); ++i) types.push_back(engine.getLayerInformation(i).type);
  return types;
}

void expectSameResults(const Engine& nchw, const Engine& nhwc) {
  for (Dims shape : {Dims{1, 3, 8, 8}, Dims{2, 3, 16, 12}, Dims{3, 3, 17, 9}}) {
    SCOPED_TRACE(toString(shape));
    HostTensor x = HostTensor::f32(shape, randomFloats(static_cast<size_t>(shape.volume()), 7, -1.0f, 1.0f));
    auto expected = runEngine(nchw, {x});
    auto actual = runEngine(nhwc, {x});
    ASSERT_EQ(actual.size(), expected.size());
    for (size_t i = 0; i < actual.size(); ++i) {
      EXPECT_EQ(toString(actual[i].dims), toString(expected[i].dims));
      expectNear(actual[i].f32(), expected[i].f32(), 1e-5f, 1e-5f);
    }
  }
}

TEST(ChannelsLast, AConvolutionChainRunsNhwcWithOneTransposeInAndOneOut) {
  ResidualStage stage(false);
  auto nchw = stage.build("cpu");
  auto nhwc = stage.build(channelsLastCpu());
  EXPECT_EQ(stepTypes(*nchw),
            (std::vector<std::string>{"Convolution", "Pooling", "Convolution", "Convolution", "Pooling"}));
  // The 3-channel input is padded to 4 (a slice filling with zeros), the kernels were permuted (and the first one
  // padded) at build time, and the pooled tensor feeds the residual directly.
  EXPECT_EQ(stepTypes(*nhwc), (std::vector<std::string>{"Shuffle", "Slice", "Convolution", "Pooling", "Convolution",
                                                        "Convolution", "Pooling", "Shuffle"}));
  for (int32_t i = 2; i <= 6; ++i)
    EXPECT_NE(nhwc->getLayerInformation(i).attributes.find("channels_last=1"), std::string::npos)
        << nhwc->getLayerInformation(i).attributes;
  expectSameResults(*nchw, *nhwc);
}

TEST(ChannelsLast, AChannelsFirstReaderInsideTheChainGetsItsOwnTranspose) {
  ResidualStage stage(true);
  auto nchw = stage.build("cpu");
  auto nhwc = stage.build(channelsLastCpu());
  auto types = stepTypes(*nhwc);
  EXPECT_EQ(std::count(types.begin(), types.end(), "Shuffle"), 3);  // in, out, and the middle output
  expectSameResults(*nchw, *nhwc);
}

TEST(ChannelsLast, AGroupedConvolutionKeepsItsKernelAndInputUnpadded) {
  auto net = makeNetwork();
  std::vector<float> w = randomFloats(8 * 4 * 3 * 3, 21, -0.5f, 0.5f), b = randomFloats(8, 22, -0.2f, 0.2f);
  Tensor* x = net->addInput("x", DataType::kFLOAT, Dims{-1, 8, -1, -1});
  auto* conv = net->addConvolutionNd(*x, 8, Dims{3, 3}, weightsOf(w), weightsOf(b));
  conv->setNbGroups(2);
  conv->setPaddingNd(Dims{1, 1});
  auto* gap = net->addPoolingNd(*net->addActivation(*conv->getOutput(0), ActivationType::kRELU)->getOutput(0),
                                PoolingType::kAVERAGE, Dims{1, 1});
  gap->setGlobal(true);
  net->markOutput(*gap->getOutput(0));
  auto build = [&](const char* backend) {
    BuilderConfig config;
    config.setBackend(backend);
    config.addOptimizationProfile(profileFor("x", Dims{1, 8, 4, 4}, Dims{2, 8, 6, 6}, Dims{3, 8, 9, 7}));
    return buildEngine(*net, config);
  };
  auto nchw = build("cpu");
  auto nhwc = build(channelsLastCpu());
  EXPECT_EQ(stepTypes(*nhwc), (std::vector<std::string>{"Shuffle", "Convolution", "Pooling", "Shuffle"}));
  for (Dims shape : {Dims{1, 8, 4, 4}, Dims{3, 8, 9, 7}}) {
    HostTensor in = HostTensor::f32(shape, randomFloats(static_cast<size_t>(shape.volume()), 23, -1.0f, 1.0f));
    expectNear(runEngine(*nhwc, {in})[0].f32(), runEngine(*nchw, {in})[0].f32(), 1e-5f, 1e-5f);
  }
}

}  // namespace
}  // namespace kiln::test
