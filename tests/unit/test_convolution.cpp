// Convolution: shape inference and CPU results against hand-computed values and a naive direct-loop reference.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "kiln/kiln.h"
#include "test_util.h"

namespace kiln {
namespace {

using test::HostTensor;

struct ConvCase {
  Dims input = {};  // N, C, spatial...
  int64_t outMaps = 1;
  Dims kernel = {};  // spatial kernel size
  // Empty: the defaults (1, 0, 0, 1).
  std::vector<int64_t> stride = {};
  std::vector<int64_t> pre = {};
  std::vector<int64_t> post = {};
  std::vector<int64_t> dilation = {};
  int64_t groups = 1;
  bool bias = false;
};

Dims kernelDims(const ConvCase& c) {
  std::vector<int64_t> d = {c.outMaps, c.input.d[1] / c.groups};
  for (int32_t i = 0; i < c.kernel.nbDims; ++i) d.push_back(c.kernel.d[i]);
  return test::toDims(d);
}

// out[n][k][o] = b[k] + sum_{c, t} w[k][c][t] * x[n][group(k) * C/groups + c][o * stride - pre + t * dilation].
HostTensor referenceConv(const ConvCase& c, const std::vector<float>& x, const std::vector<float>& w,
                         const std::vector<float>& b) {
  size_t ns = static_cast<size_t>(c.kernel.nbDims);
  auto stride = test::orFill(c.stride, ns, 1), pre = test::orFill(c.pre, ns, 0), post = test::orFill(c.post, ns, 0);
  auto dil = test::orFill(c.dilation, ns, 1);
  std::vector<int64_t> in(c.input.d + 2, c.input.d + 2 + ns), k(c.kernel.d, c.kernel.d + ns), out(ns);
  for (size_t i = 0; i < ns; ++i) out[i] = (in[i] + pre[i] + post[i] - dil[i] * (k[i] - 1) - 1) / stride[i] + 1;
  int64_t batch = c.input.d[0], channels = c.input.d[1], cg = channels / c.groups, kg = c.outMaps / c.groups;
  int64_t inVol = 1, outVol = 1, kVol = 1;
  for (size_t i = 0; i < ns; ++i) {
    inVol *= in[i];
    outVol *= out[i];
    kVol *= k[i];
  }
  std::vector<float> y(static_cast<size_t>(batch * c.outMaps * outVol));
  for (int64_t n = 0; n < batch; ++n)
    for (int64_t m = 0; m < c.outMaps; ++m) {
      int64_t g = m / kg;
      std::vector<int64_t> o(ns, 0);
      do {
        double acc = c.bias ? b[m] : 0.0;
        for (int64_t ci = 0; ci < cg; ++ci) {
          std::vector<int64_t> t(ns, 0), pos(ns);
          do {
            bool inside = true;
            for (size_t i = 0; i < ns; ++i) {
              pos[i] = o[i] * stride[i] - pre[i] + t[i] * dil[i];
              inside = inside && pos[i] >= 0 && pos[i] < in[i];
            }
            if (!inside) continue;
            float xv = x[(n * channels + g * cg + ci) * inVol + test::flatIndex(pos, in)];
            float wv = w[(m * cg + ci) * kVol + test::flatIndex(t, k)];
            acc += static_cast<double>(xv) * wv;
          } while (test::nextIndex(t, k));
        }
        y[(n * c.outMaps + m) * outVol + test::flatIndex(o, out)] = static_cast<float>(acc);
      } while (test::nextIndex(o, out));
    }
  std::vector<int64_t> dims = {batch, c.outMaps};
  dims.insert(dims.end(), out.begin(), out.end());
  return HostTensor::f32(test::toDims(dims), y);
}

// Adds the convolution of `c` with the given weights to `network`, reading `input`.
ConvolutionLayer* addConv(NetworkDefinition& network, Tensor& input, const ConvCase& c, const std::vector<float>& w,
                          const std::vector<float>& b) {
  Weights kw{DataType::kFLOAT, w.data(), static_cast<int64_t>(w.size())};
  Weights bw{DataType::kFLOAT, c.bias ? b.data() : nullptr, c.bias ? static_cast<int64_t>(b.size()) : 0};
  ConvolutionLayer* conv = network.addConvolutionNd(input, c.outMaps, c.kernel, kw, bw);
  if (!c.stride.empty()) conv->setStrideNd(test::toDims(c.stride));
  if (!c.pre.empty()) conv->setPrePadding(test::toDims(c.pre));
  if (!c.post.empty()) conv->setPostPadding(test::toDims(c.post));
  if (!c.dilation.empty()) conv->setDilationNd(test::toDims(c.dilation));
  if (c.groups != 1) conv->setNbGroups(c.groups);
  return conv;
}

// Builds a static network for `c` with seeded random data, runs it and compares with the reference.
void checkRandomConv(const ConvCase& c, uint32_t seed) {
  auto x = test::randomFloats(static_cast<size_t>(c.input.volume()), seed);
  auto w = test::randomFloats(static_cast<size_t>(kernelDims(c).volume()), seed + 1);
  auto b = test::randomFloats(static_cast<size_t>(c.outMaps), seed + 2);
  NetworkDefinition network;
  Tensor* in = network.addInput("x", DataType::kFLOAT, c.input);
  ConvolutionLayer* conv = addConv(network, *in, c, w, b);
  network.markOutput(*conv->getOutput(0));
  HostTensor expected = referenceConv(c, x, w, b);
  EXPECT_EQ(conv->getOutput(0)->getDimensions(), expected.dims);
  auto outputs = test::buildAndRun(network, {HostTensor::f32(c.input, x)});
  ASSERT_EQ(outputs.size(), 1u);
  EXPECT_EQ(outputs[0].dims, expected.dims);
  test::expectNear(outputs[0].f32(), expected.f32(), 1e-4f, 1e-4f);
}

// One input, one layer with literal weights; returns the single output.
HostTensor runLiteral(const ConvCase& c, const std::vector<float>& x, const std::vector<float>& w,
                      const std::vector<float>& b = {}) {
  NetworkDefinition network;
  Tensor* in = network.addInput("x", DataType::kFLOAT, c.input);
  network.markOutput(*addConv(network, *in, c, w, b)->getOutput(0));
  auto outputs = test::buildAndRun(network, {HostTensor::f32(c.input, x)});
  EXPECT_EQ(outputs.size(), 1u);
  return outputs.at(0);
}

TEST(ConvolutionTest, Basic2DHandComputed) {
  ConvCase c{.input = {1, 1, 3, 3}, .outMaps = 1, .kernel = {2, 2}};
  HostTensor y = runLiteral(c, test::iota(9, 1.0f), {1, 2, 3, 4});
  EXPECT_EQ(y.dims, (Dims{1, 1, 2, 2}));
  // 1*1+2*2+3*4+4*5 = 37, then each step right adds 10 and each step down adds 30.
  test::expectNear(y.f32(), {37, 47, 67, 77});
}

TEST(ConvolutionTest, AsymmetricPaddingHandComputed) {
  // One row of zeros on top, one column on the right.
  ConvCase c{.input = {1, 1, 2, 2}, .outMaps = 1, .kernel = {1, 1}, .pre = {1, 0}, .post = {0, 1}};
  HostTensor y = runLiteral(c, {1, 2, 3, 4}, {2});
  EXPECT_EQ(y.dims, (Dims{1, 1, 3, 3}));
  test::expectNear(y.f32(), {0, 0, 0, 2, 4, 0, 6, 8, 0});
}

TEST(ConvolutionTest, AsymmetricPaddingRandom) {
  checkRandomConv({.input = {1, 3, 7, 6}, .outMaps = 4, .kernel = {3, 3}, .pre = {2, 0}, .post = {0, 1}}, 11);
}

TEST(ConvolutionTest, StrideHandComputedAndRandom) {
  ConvCase c{.input = {1, 1, 4, 4}, .outMaps = 1, .kernel = {2, 2}, .stride = {2, 2}};
  HostTensor y = runLiteral(c, test::iota(16), {1, 1, 1, 1});
  EXPECT_EQ(y.dims, (Dims{1, 1, 2, 2}));
  test::expectNear(y.f32(), {10, 18, 42, 50});  // sums of the 2x2 blocks
  checkRandomConv(
      {.input = {1, 2, 9, 11}, .outMaps = 3, .kernel = {3, 2}, .stride = {2, 3}, .pre = {1, 1}, .post = {1, 0}}, 12);
}

TEST(ConvolutionTest, DilationHandComputedAndRandom) {
  ConvCase c{.input = {1, 1, 5}, .outMaps = 1, .kernel = {2}, .dilation = {2}};
  HostTensor y = runLiteral(c, {1, 2, 3, 4, 5}, {1, 1});
  EXPECT_EQ(y.dims, (Dims{1, 1, 3}));
  test::expectNear(y.f32(), {4, 6, 8});
  checkRandomConv(
      {.input = {1, 2, 10, 9}, .outMaps = 2, .kernel = {3, 3}, .pre = {2, 1}, .post = {2, 1}, .dilation = {2, 3}}, 13);
}

TEST(ConvolutionTest, Groups) {
  checkRandomConv({.input = {1, 4, 6, 5}, .outMaps = 6, .kernel = {3, 3}, .pre = {1, 1}, .post = {1, 1}, .groups = 2},
                  14);
}

TEST(ConvolutionTest, DepthwiseHandComputedAndRandom) {
  // Each channel is scaled by its own 1x1 kernel.
  ConvCase c{.input = {1, 2, 1, 3}, .outMaps = 2, .kernel = {1, 1}, .groups = 2};
  HostTensor y = runLiteral(c, {1, 2, 3, 4, 5, 6}, {2, -3});
  test::expectNear(y.f32(), {2, 4, 6, -12, -15, -18});
  checkRandomConv({.input = {1, 3, 8, 8}, .outMaps = 3, .kernel = {3, 3}, .pre = {1, 1}, .post = {1, 1}, .groups = 3},
                  15);
  // Channel multiplier 2.
  checkRandomConv({.input = {1, 3, 7, 5}, .outMaps = 6, .kernel = {3, 3}, .stride = {2, 1}, .groups = 3, .bias = true},
                  16);
}

TEST(ConvolutionTest, GroupsInferredFromKernelChannels) {
  // Without setNbGroups: 2 input channels and 1-channel kernels make a depthwise convolution.
  NetworkDefinition network;
  Tensor* in = network.addInput("x", DataType::kFLOAT, Dims{1, 2, 1, 3});
  std::vector<float> w = {1, -1, 0.5f, 0.5f};
  ConvolutionLayer* conv = network.addConvolutionNd(*in, 2, Dims{1, 2}, {DataType::kFLOAT, w.data(), 4}, {});
  EXPECT_EQ(conv->getOutput(0)->getDimensions(), (Dims{1, 2, 1, 2}));
  network.markOutput(*conv->getOutput(0));
  auto outputs = test::buildAndRun(network, {HostTensor::f32(Dims{1, 2, 1, 3}, {1, 2, 4, 10, 20, 40})});
  ASSERT_EQ(outputs.size(), 1u);
  test::expectNear(outputs[0].f32(), {-1, -2, 15, 30});
}

TEST(ConvolutionTest, Conv1D) {
  checkRandomConv({.input = {2, 3, 17},
                   .outMaps = 4,
                   .kernel = {5},
                   .stride = {2},
                   .pre = {2},
                   .post = {1},
                   .dilation = {1},
                   .bias = true},
                  17);
}

TEST(ConvolutionTest, Conv3D) {
  checkRandomConv({.input = {1, 2, 5, 6, 7},
                   .outMaps = 3,
                   .kernel = {3, 2, 3},
                   .stride = {1, 2, 2},
                   .pre = {1, 0, 1},
                   .post = {1, 1, 0},
                   .dilation = {1, 1, 2},
                   .bias = true},
                  18);
}

TEST(ConvolutionTest, BiasPointwiseHandComputed) {
  // 1x1 kernel, stride 1, no padding: the CPU kernel multiplies the input directly.
  ConvCase c{.input = {1, 2, 1, 2}, .outMaps = 2, .kernel = {1, 1}, .bias = true};
  HostTensor y = runLiteral(c, {1, 2, 3, 4}, {1, 1, 1, -1}, {0.5f, -1.0f});
  EXPECT_EQ(y.dims, (Dims{1, 2, 1, 2}));
  test::expectNear(y.f32(), {4.5f, 6.5f, -3.0f, -3.0f});
}

TEST(ConvolutionTest, BatchTwoWithGroupsAndBias) {
  checkRandomConv({.input = {2, 4, 9, 8},
                   .outMaps = 8,
                   .kernel = {3, 3},
                   .stride = {2, 2},
                   .pre = {1, 1},
                   .post = {1, 1},
                   .groups = 2,
                   .bias = true},
                  19);
  checkRandomConv({.input = {2, 6, 5, 5}, .outMaps = 4, .kernel = {1, 1}, .bias = true}, 20);
}

TEST(ConvolutionTest, LargerMatchesReference) {
  checkRandomConv(
      {.input = {1, 16, 17, 19}, .outMaps = 24, .kernel = {3, 3}, .pre = {1, 1}, .post = {1, 1}, .bias = true}, 21);
}

TEST(ConvolutionTest, DynamicShapeTwoRuns) {
  ConvCase c{.input = {-1, 3, -1, -1},
             .outMaps = 4,
             .kernel = {3, 3},
             .stride = {2, 2},
             .pre = {1, 1},
             .post = {1, 1},
             .bias = true};
  auto w = test::randomFloats(static_cast<size_t>(kernelDims(c).volume()), 31);
  auto b = test::randomFloats(4, 32);
  NetworkDefinition network;
  Tensor* in = network.addInput("x", DataType::kFLOAT, c.input);
  ConvolutionLayer* conv = addConv(network, *in, c, w, b);
  network.markOutput(*conv->getOutput(0));
  EXPECT_EQ(conv->getOutput(0)->getDimensions(), (Dims{-1, 4, -1, -1}));

  Builder builder;
  auto config = builder.createBuilderConfig();
  OptimizationProfile* profile = builder.createOptimizationProfile();
  test::setRange(*profile, "x", Dims{1, 3, 3, 3}, Dims{2, 3, 8, 8}, Dims{2, 3, 16, 16});
  config->addOptimizationProfile(*profile);
  auto engine = test::buildEngine(network, *config);
  auto context = engine->createExecutionContext();
  uint32_t seed = 33;
  for (Dims shape : {Dims{1, 3, 5, 7}, Dims{2, 3, 16, 11}, Dims{1, 3, 3, 3}}) {
    ConvCase run = c;
    run.input = shape;
    auto x = test::randomFloats(static_cast<size_t>(shape.volume()), seed++);
    HostTensor expected = referenceConv(run, x, w, b);
    auto outputs = test::runContext(*context, {HostTensor::f32(shape, x)});
    ASSERT_EQ(outputs.size(), 1u);
    EXPECT_EQ(outputs[0].dims, expected.dims) << toString(shape);
    test::expectNear(outputs[0].f32(), expected.f32(), 1e-4f, 1e-4f);
  }
}

TEST(ConvolutionTest, KernelAndBiasAsNetworkTensors) {
  // addConvolution with the kernel and bias fed as inputs instead of constants.
  ConvCase c{.input = {1, 2, 6, 5}, .outMaps = 3, .kernel = {2, 3}, .pre = {1, 0}, .post = {0, 1}, .bias = true};
  Dims wDims = kernelDims(c);
  auto x = test::randomFloats(static_cast<size_t>(c.input.volume()), 41);
  auto w = test::randomFloats(static_cast<size_t>(wDims.volume()), 42);
  auto b = test::randomFloats(3, 43);
  NetworkDefinition network;
  Tensor* in = network.addInput("x", DataType::kFLOAT, c.input);
  Tensor* kernel = network.addInput("w", DataType::kFLOAT, wDims);
  Tensor* bias = network.addInput("b", DataType::kFLOAT, Dims{3});
  ConvolutionLayer* conv = network.addConvolution(*in, *kernel, bias);
  conv->setPrePadding(test::toDims(c.pre));
  conv->setPostPadding(test::toDims(c.post));
  network.markOutput(*conv->getOutput(0));
  auto outputs =
      test::buildAndRun(network, {HostTensor::f32(c.input, x), HostTensor::f32(wDims, w), HostTensor::f32(Dims{3}, b)});
  HostTensor expected = referenceConv(c, x, w, b);
  ASSERT_EQ(outputs.size(), 1u);
  EXPECT_EQ(outputs[0].dims, expected.dims);
  test::expectNear(outputs[0].f32(), expected.f32(), 1e-4f, 1e-4f);
}

TEST(ConvolutionTest, ShapeInference) {
  NetworkDefinition network;
  Tensor* in = network.addInput("x", DataType::kFLOAT, Dims{1, 3, -1, 10});
  std::vector<float> w(static_cast<size_t>(5 * 3 * 3 * 3), 0.0f);
  ConvolutionLayer* conv = network.addConvolutionNd(*in, 5, Dims{3, 3}, {DataType::kFLOAT, w.data(), 135}, {});
  conv->setStrideNd(Dims{2, 2});
  conv->setPrePadding(Dims{1, 1});
  conv->setDilationNd(Dims{2, 2});
  // W: floor((10 + 1 + 0 - 5) / 2) + 1 = 4; H depends on the input.
  EXPECT_EQ(conv->getOutput(0)->getDimensions(), (Dims{1, 5, -1, 4}));
  EXPECT_EQ(conv->getStrideNd(), (Dims{2, 2}));
  EXPECT_EQ(conv->getPrePadding(), (Dims{1, 1}));
  EXPECT_EQ(conv->getDilationNd(), (Dims{2, 2}));
  std::string h = conv->getOutput(0)->getDimensionExpression(2);
  EXPECT_NE(h.find("x.2"), std::string::npos) << h;
  conv->setPostPadding(Dims{3, 0});
  EXPECT_EQ(conv->getOutput(0)->getDimensions(), (Dims{1, 5, -1, 4}));
  conv->setPaddingNd(Dims{0, 3});  // W: floor((10 + 6 - 5) / 2) + 1 = 6
  EXPECT_EQ(conv->getOutput(0)->getDimensions(), (Dims{1, 5, -1, 6}));
}

TEST(ConvolutionTest, ChannelMismatchNamesTheLayer) {
  NetworkDefinition network;
  Tensor* in = network.addInput("x", DataType::kFLOAT, Dims{1, 3, 8, 8});
  std::vector<float> w(static_cast<size_t>(4 * 2 * 3 * 3), 0.0f);  // C/groups = 2, but the input has 3 channels
  try {
    network.addConvolutionNd(*in, 4, Dims{3, 3}, {DataType::kFLOAT, w.data(), 72}, {});
    FAIL() << "expected kiln::Error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kINVALID_GRAPH);
    EXPECT_EQ(e.object().rfind("Convolution", 0), 0u) << e.object();
    EXPECT_NE(std::string(e.what()).find("channels"), std::string::npos) << e.what();
  }
  // A valid layer that a later setting breaks: the error names it and the old setting stays.
  std::vector<float> w6(static_cast<size_t>(4 * 3 * 3 * 3), 0.0f);
  ConvolutionLayer* conv = network.addConvolutionNd(*in, 4, Dims{3, 3}, {DataType::kFLOAT, w6.data(), 108}, {});
  conv->setName("conv1");
  try {
    conv->setNbGroups(2);
    FAIL() << "expected kiln::Error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kINVALID_GRAPH);
    EXPECT_EQ(e.object(), "conv1");
  }
  EXPECT_EQ(conv->getNbGroups(), 1);
  EXPECT_EQ(conv->getOutput(0)->getDimensions(), (Dims{1, 4, 6, 6}));
}

TEST(ConvolutionTest, InvalidSettingsThrow) {
  NetworkDefinition network;
  Tensor* in = network.addInput("x", DataType::kFLOAT, Dims{1, 2, 4, 4});
  std::vector<float> w(static_cast<size_t>(2 * 2 * 3 * 3), 0.0f);
  ConvolutionLayer* conv = network.addConvolutionNd(*in, 2, Dims{3, 3}, {DataType::kFLOAT, w.data(), 36}, {});
  conv->setName("conv");
  test::expectRejected(
      "conv",
      [&] {
        conv->setDilationNd(Dims{2, 2});
      },
      "dilated kernel 5 > input 4");
  test::expectRejected(
      "conv",
      [&] {
        conv->setStrideNd(Dims{0, 1});
      },
      "zero stride");
  test::expectRejected(
      "conv", [&] { conv->setStrideNd(Dims{2}); }, "one value for two spatial axes");
  test::expectRejected(
      "conv",
      [&] {
        conv->setPrePadding(Dims{-1, 0});
      },
      "negative padding");
  test::expectRejected(
      "conv", [&] { conv->setNbGroups(0); }, "zero groups");
  EXPECT_EQ(conv->getOutput(0)->getDimensions(), (Dims{1, 2, 2, 2}));
  // Bias of the wrong size, and a rank-2 input.
  Tensor* kernel4 = network.addInput("k4", DataType::kFLOAT, Dims{2, 2, 3, 3});
  Tensor* bias3 = network.addInput("b3", DataType::kFLOAT, Dims{3});
  EXPECT_THROW(network.addConvolution(*in, *kernel4, bias3), Error);
  Tensor* flat = network.addInput("flat", DataType::kFLOAT, Dims{2, 4});
  Tensor* kernel = network.addInput("k", DataType::kFLOAT, Dims{2, 4});
  EXPECT_THROW(network.addConvolution(*flat, *kernel, nullptr), Error);
  // Integer input.
  Tensor* ints = network.addInput("ints", DataType::kINT32, Dims{1, 2, 4, 4});
  EXPECT_THROW(network.addConvolutionNd(*ints, 2, Dims{3, 3}, {DataType::kFLOAT, w.data(), 36}, {}), Error);
}

}  // namespace
}  // namespace kiln
