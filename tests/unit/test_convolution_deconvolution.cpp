// Deconvolution (transposed convolution, ONNX ConvTranspose semantics): shape inference, and CPU results against
// hand-computed values and a naive scatter loop.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "kiln/kiln.h"
#include "test_util.h"

namespace kiln {
namespace {

using test::HostTensor;

struct DeconvCase {
  Dims input = {};           // N, C, spatial...
  int64_t mapsPerGroup = 1;  // the kernel's second dimension
  Dims kernel = {};          // spatial kernel size
  // Empty: the defaults (stride 1, no padding, dilation 1, no output padding).
  std::vector<int64_t> stride = {}, pre = {}, post = {}, dilation = {}, outputPadding = {};
  int64_t groups = 1;
  bool bias = false;
};

Dims kernelDims(const DeconvCase& c) {
  std::vector<int64_t> d = {c.input.d[1], c.mapsPerGroup};
  for (int32_t i = 0; i < c.kernel.nbDims; ++i) d.push_back(c.kernel.d[i]);
  return test::toDims(d);
}

// y[n][m][i * stride - pre + t * dilation] += x[n][c][i] * w[c][m % (K / groups)][t] for c in m's group.
HostTensor referenceDeconv(const DeconvCase& c, const std::vector<float>& x, const std::vector<float>& w,
                           const std::vector<float>& b) {
  size_t ns = static_cast<size_t>(c.kernel.nbDims);
  auto stride = test::orFill(c.stride, ns, 1), pre = test::orFill(c.pre, ns, 0), post = test::orFill(c.post, ns, 0);
  auto dil = test::orFill(c.dilation, ns, 1), outPad = test::orFill(c.outputPadding, ns, 0);
  std::vector<int64_t> in(c.input.d + 2, c.input.d + 2 + ns), k(c.kernel.d, c.kernel.d + ns), out(ns);
  for (size_t i = 0; i < ns; ++i)
    out[i] = (in[i] - 1) * stride[i] + dil[i] * (k[i] - 1) + 1 + outPad[i] - pre[i] - post[i];
  int64_t batch = c.input.d[0], channels = c.input.d[1], cg = channels / c.groups, kg = c.mapsPerGroup;
  int64_t maps = kg * c.groups, inVol = 1, outVol = 1, kVol = 1;
  for (size_t i = 0; i < ns; ++i) {
    inVol *= in[i];
    outVol *= out[i];
    kVol *= k[i];
  }
  std::vector<double> y(static_cast<size_t>(batch * maps * outVol), 0.0);
  for (int64_t n = 0; n < batch; ++n)
    for (int64_t m = 0; m < maps; ++m)
      for (int64_t o = 0; o < outVol; ++o) y[(n * maps + m) * outVol + o] = c.bias ? b[m] : 0.0;
  for (int64_t n = 0; n < batch; ++n)
    for (int64_t ch = 0; ch < channels; ++ch) {
      int64_t g = ch / cg;
      std::vector<int64_t> i(ns, 0);
      do {
        float xv = x[(n * channels + ch) * inVol + test::flatIndex(i, in)];
        for (int64_t mk = 0; mk < kg; ++mk) {
          std::vector<int64_t> t(ns, 0), pos(ns);
          do {
            bool inside = true;
            for (size_t a = 0; a < ns; ++a) {
              pos[a] = i[a] * stride[a] - pre[a] + t[a] * dil[a];
              inside = inside && pos[a] >= 0 && pos[a] < out[a];
            }
            if (!inside) continue;
            float wv = w[(ch * kg + mk) * kVol + test::flatIndex(t, k)];
            y[(n * maps + g * kg + mk) * outVol + test::flatIndex(pos, out)] += static_cast<double>(xv) * wv;
          } while (test::nextIndex(t, k));
        }
      } while (test::nextIndex(i, in));
    }
  std::vector<int64_t> dims = {batch, maps};
  dims.insert(dims.end(), out.begin(), out.end());
  return HostTensor::f32(test::toDims(dims), std::vector<float>(y.begin(), y.end()));
}

DeconvolutionLayer* addDeconv(NetworkDefinition& network, Tensor& input, const DeconvCase& c,
                              const std::vector<float>& w, const std::vector<float>& b) {
  Tensor* kernel = test::floatConstant(network, kernelDims(c), w);
  // Layers read only earlier tensors: the bias exists before the layer, which takes it once the groups are set.
  Tensor* bias = c.bias ? test::floatConstant(network, Dims{c.mapsPerGroup * c.groups}, b) : nullptr;
  auto* layer = network.addDeconvolution(input, *kernel, nullptr);
  size_t ns = static_cast<size_t>(c.kernel.nbDims);
  layer->setNbGroups(c.groups);
  if (!c.stride.empty()) layer->setStrideNd(test::toDims(c.stride));
  if (!c.dilation.empty()) layer->setDilationNd(test::toDims(c.dilation));
  if (!c.outputPadding.empty()) layer->setOutputPadding(test::toDims(c.outputPadding));
  layer->setPrePadding(test::toDims(test::orFill(c.pre, ns, 0)));
  layer->setPostPadding(test::toDims(test::orFill(c.post, ns, 0)));
  if (bias) layer->setInput(2, *bias);
  return layer;
}

// Builds the case with random data and compares with the reference.
void checkAgainstReference(const DeconvCase& c, uint32_t seed) {
  auto x = test::randomFloats(static_cast<size_t>(c.input.volume()), seed);
  auto w = test::randomFloats(static_cast<size_t>(kernelDims(c).volume()), seed + 1);
  auto b = test::randomFloats(static_cast<size_t>(c.mapsPerGroup * c.groups), seed + 2);
  NetworkDefinition network;
  Tensor* in = network.addInput("x", DataType::kFLOAT, c.input);
  network.markOutput(*addDeconv(network, *in, c, w, b)->getOutput(0));
  HostTensor expected = referenceDeconv(c, x, w, b);
  auto out = test::buildAndRun(network, {HostTensor::f32(c.input, x)});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].dims, expected.dims);
  test::expectNear(out[0].f32(), expected.f32(), 1e-4f, 1e-4f);
}

TEST(DeconvolutionTest, Stride1And2HandComputed) {
  // x = [1, 2, 3], w = [1, 10]: stride 1 overlaps neighbouring taps, stride 2 places them side by side.
  for (int64_t stride : {1, 2}) {
    SCOPED_TRACE(stride);
    NetworkDefinition network;
    Tensor* in = network.addInput("x", DataType::kFLOAT, Dims{1, 1, 3});
    auto* layer = network.addDeconvolution(*in, *test::floatConstant(network, Dims{1, 1, 2}, {1, 10}), nullptr);
    layer->setStrideNd(Dims{stride});
    network.markOutput(*layer->getOutput(0));
    auto out = test::buildAndRun(network, {HostTensor::f32(Dims{1, 1, 3}, {1, 2, 3})});
    if (stride == 1) {
      EXPECT_EQ(out[0].dims, (Dims{1, 1, 4}));
      test::expectNear(out[0].f32(), {1, 12, 23, 30});
    } else {
      EXPECT_EQ(out[0].dims, (Dims{1, 1, 6}));
      test::expectNear(out[0].f32(), {1, 10, 2, 20, 3, 30});
    }
  }
}

TEST(DeconvolutionTest, PaddingCropsAndOutputPaddingExtends) {
  // The stride-2 result above [1, 10, 2, 20, 3, 30], cropped by 1 at the start, then extended by one zero.
  NetworkDefinition network;
  Tensor* in = network.addInput("x", DataType::kFLOAT, Dims{1, 1, 3});
  auto* layer = network.addDeconvolution(*in, *test::floatConstant(network, Dims{1, 1, 2}, {1, 10}), nullptr);
  layer->setStrideNd(Dims{2});
  layer->setOutputPadding(Dims{1});
  layer->setPrePadding(Dims{1});
  network.markOutput(*layer->getOutput(0));
  auto out = test::buildAndRun(network, {HostTensor::f32(Dims{1, 1, 3}, {1, 2, 3})});
  EXPECT_EQ(out[0].dims, (Dims{1, 1, 6}));
  test::expectNear(out[0].f32(), {10, 2, 20, 3, 30, 0});
}

TEST(DeconvolutionTest, TwoDimensionalWithEverySetting) {
  checkAgainstReference({.input = {2, 3, 4, 5},
                         .mapsPerGroup = 2,
                         .kernel = {3, 2},
                         .stride = {2, 3},
                         .pre = {1, 0},
                         .post = {0, 2},
                         .dilation = {1, 2},
                         .outputPadding = {1, 1},
                         .bias = true},
                        11);
}

TEST(DeconvolutionTest, GroupsAndBias) {
  checkAgainstReference(
      {.input = {1, 4, 3, 3}, .mapsPerGroup = 3, .kernel = {2, 2}, .stride = {2, 2}, .groups = 2, .bias = true}, 21);
}

TEST(DeconvolutionTest, DepthwiseWithPadding) {
  checkAgainstReference({.input = {2, 3, 5, 4},
                         .mapsPerGroup = 1,
                         .kernel = {3, 3},
                         .stride = {1, 2},
                         .pre = {1, 1},
                         .post = {1, 1},
                         .groups = 3},
                        31);
}

TEST(DeconvolutionTest, OneAndThreeDimensional) {
  checkAgainstReference(
      {.input = {2, 2, 7}, .mapsPerGroup = 3, .kernel = {4}, .stride = {3}, .pre = {2}, .dilation = {2}, .bias = true},
      41);
  checkAgainstReference({.input = {1, 2, 3, 4, 2},
                         .mapsPerGroup = 2,
                         .kernel = {2, 3, 2},
                         .stride = {2, 1, 2},
                         .pre = {0, 1, 0},
                         .post = {1, 1, 0},
                         .outputPadding = {1, 0, 1}},
                        51);
}

TEST(DeconvolutionTest, DynamicShapeRunsAtSeveralSizes) {
  DeconvCase c{.input = {-1, 2, -1, -1},
               .mapsPerGroup = 3,
               .kernel = {3, 3},
               .stride = {2, 2},
               .pre = {1, 1},
               .post = {1, 1},
               .outputPadding = {1, 1},
               .bias = true};
  auto w = test::randomFloats(static_cast<size_t>(kernelDims(c).volume()), 61);
  auto b = test::randomFloats(3, 62);
  NetworkDefinition network;
  Tensor* in = network.addInput("x", DataType::kFLOAT, c.input);
  DeconvolutionLayer* layer = addDeconv(network, *in, c, w, b);
  network.markOutput(*layer->getOutput(0));
  EXPECT_EQ(layer->getOutput(0)->getDimensions(), (Dims{-1, 3, -1, -1}));
  auto engine =
      test::buildWithProfile(network, test::profileFor("x", Dims{1, 2, 1, 1}, Dims{1, 2, 4, 4}, Dims{3, 2, 9, 9}));
  auto context = engine->createExecutionContext();
  uint32_t seed = 63;
  for (Dims shape : {Dims{1, 2, 4, 5}, Dims{3, 2, 9, 2}, Dims{1, 2, 1, 1}}) {
    SCOPED_TRACE(toString(shape));
    DeconvCase run = c;
    run.input = shape;
    auto x = test::randomFloats(static_cast<size_t>(shape.volume()), seed++);
    HostTensor expected = referenceDeconv(run, x, w, b);
    auto out = test::runContext(*context, {HostTensor::f32(shape, x)});
    EXPECT_EQ(out[0].dims, expected.dims);
    test::expectNear(out[0].f32(), expected.f32(), 1e-4f, 1e-4f);
  }
}

TEST(DeconvolutionTest, ShapeInference) {
  NetworkDefinition network;
  Tensor* in = network.addInput("x", DataType::kFLOAT, Dims{-1, 4, -1, 7});
  auto* layer = network.addDeconvolution(
      *in, *test::floatConstant(network, Dims{4, 3, 3, 2}, std::vector<float>(72, 1.0f)), nullptr);
  layer->setNbGroups(2);
  layer->setStrideNd(Dims{2, 3});
  layer->setPrePadding(Dims{1, 0});
  // K = 3 maps per group x 2 groups; width (7 - 1) * 3 + 2 = 20.
  EXPECT_EQ(layer->getOutput(0)->getDimensions(), (Dims{-1, 6, -1, 20}));
  EXPECT_EQ(layer->getOutput(0)->getDimensionExpression(2), "((x.2+-1)*2)+2");
}

TEST(DeconvolutionTest, InvalidSettingsAreRejectedNamingTheLayer) {
  NetworkDefinition network;
  Tensor* in = network.addInput("x", DataType::kFLOAT, Dims{1, 4, 3, 3});
  Tensor* kernel = test::floatConstant(network, Dims{4, 2, 2, 2}, std::vector<float>(32, 1.0f));
  Tensor* wrongKernel = test::floatConstant(network, Dims{3, 2, 2, 2}, std::vector<float>(24, 1.0f));
  Tensor* wrongBias = test::floatConstant(network, Dims{3}, {1, 2, 3});
  test::expectRejected(
      std::string("Deconvolution_") + std::to_string(network.getNbLayers()),
      [&] { network.addDeconvolution(*in, *wrongKernel, nullptr); }, "kernel channels", "input channels");
  auto* layer = network.addDeconvolution(*in, *kernel, nullptr);
  layer->setName("deconv");
  test::expectRejected(
      layer, [&] { layer->setNbGroups(3); }, "groups not dividing the channels", "divisible");
  test::expectRejected(
      layer,
      [&] {
        layer->setPrePadding(Dims{4, 0});
      },
      "padding eating the output");
  test::expectRejected(
      layer, [&] { layer->setStrideNd(Dims{1}); }, "one stride for two axes");
  test::expectRejected(
      layer,
      [&] {
        layer->setOutputPadding(Dims{-1, 0});
      },
      "negative output padding");
  test::expectRejected(
      layer, [&] { layer->setInput(2, *wrongBias); }, "bias of the wrong size", "bias");
  EXPECT_EQ(layer->getOutput(0)->getDimensions(), (Dims{1, 2, 4, 4}));
}

}  // namespace
}  // namespace kiln
