// Normalization (layer, instance and group forms) and LRN layers: shape inference, and CPU results against
// hand-computed values and naive loops.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "kiln/kiln.h"
#include "test_util.h"

namespace kiln {
namespace {

using test::HostTensor;

// ---- Normalization ----------------------------------------------------------------------------------------------

// Naive reference: for every element, the mean and variance over the elements that agree with it on every axis
// outside `mask` and (with groups) lie in the same channel group; scale and bias broadcast (right-aligned).
std::vector<float> referenceNormalization(const Dims& shape, const std::vector<float>& x, uint32_t mask, int64_t groups,
                                          double epsilon, const Dims& scaleDims, const std::vector<float>& scale,
                                          const Dims& biasDims, const std::vector<float>& bias) {
  std::vector<int64_t> extent(shape.d, shape.d + shape.nbDims);
  int64_t perGroup = groups > 1 ? shape.d[1] / groups : 0;
  auto sameStatistic = [&](const std::vector<int64_t>& a, const std::vector<int64_t>& b) {
    for (int32_t i = 0; i < shape.nbDims; ++i) {
      if ((mask >> i) & 1) continue;
      if (i == 1 && groups > 1) {
        if (a[1] / perGroup != b[1] / perGroup) return false;
      } else if (a[i] != b[i]) {
        return false;
      }
    }
    return true;
  };
  auto broadcastRead = [&](const Dims& dims, const std::vector<float>& values, const std::vector<int64_t>& idx) {
    std::vector<int64_t> ext(dims.d, dims.d + dims.nbDims), at(ext.size());
    size_t offset = idx.size() - ext.size();
    for (size_t i = 0; i < ext.size(); ++i) at[i] = ext[i] == 1 ? 0 : idx[offset + i];
    return values[test::flatIndex(at, ext)];
  };
  std::vector<float> y(x.size());
  std::vector<int64_t> idx(extent.size(), 0);
  do {
    double sum = 0, sq = 0;
    int64_t count = 0;
    std::vector<int64_t> other(extent.size(), 0);
    do {
      if (!sameStatistic(idx, other)) continue;
      sum += x[test::flatIndex(other, extent)];
      ++count;
    } while (test::nextIndex(other, extent));
    double mean = sum / count;
    do {
      if (!sameStatistic(idx, other)) continue;
      double d = x[test::flatIndex(other, extent)] - mean;
      sq += d * d;
    } while (test::nextIndex(other, extent));
    int64_t at = test::flatIndex(idx, extent);
    double normalized = (x[at] - mean) / std::sqrt(sq / count + epsilon);
    y[at] = static_cast<float>(normalized * broadcastRead(scaleDims, scale, idx) + broadcastRead(biasDims, bias, idx));
  } while (test::nextIndex(idx, extent));
  return y;
}

struct NormCase {
  Dims input;
  uint32_t mask = 0;
  int64_t groups = 1;
  Dims scale, bias;
  double epsilon = 1e-5;
};

void checkNormalization(const NormCase& c, uint32_t seed) {
  auto x = test::randomFloats(static_cast<size_t>(c.input.volume()), seed, -2.0f, 3.0f);
  auto scale = test::randomFloats(static_cast<size_t>(c.scale.volume()), seed + 1, 0.5f, 2.0f);
  auto bias = test::randomFloats(static_cast<size_t>(c.bias.volume()), seed + 2);
  NetworkDefinition network;
  Tensor* in = network.addInput("x", DataType::kFLOAT, c.input);
  Tensor* s = test::floatConstant(network, c.scale, scale);
  Tensor* b = test::floatConstant(network, c.bias, bias);
  // Created with the channel axis in the mask (valid with one group), then given the case's settings.
  auto* layer = network.addNormalization(*in, *s, *b, c.mask | (c.groups > 1 ? 2u : 0u));
  layer->setNbGroups(c.groups);
  layer->setAxes(c.mask);
  layer->setEpsilon(c.epsilon);
  network.markOutput(*layer->getOutput(0));
  auto out = test::buildAndRun(network, {HostTensor::f32(c.input, x)});
  ASSERT_EQ(out[0].dims, c.input);
  test::expectNear(out[0].f32(),
                   referenceNormalization(c.input, x, c.mask, c.groups, c.epsilon, c.scale, scale, c.bias, bias), 1e-4f,
                   1e-4f);
}

TEST(NormalizationTest, LastAxisHandComputed) {
  // [1, 2, 3, 4]: mean 2.5, variance 1.25; scale 2 and bias 1 on every element.
  NetworkDefinition network;
  Tensor* in = network.addInput("x", DataType::kFLOAT, Dims{1, 4});
  auto* layer = network.addNormalization(*in, *test::floatConstant(network, Dims{1}, {2}),
                                         *test::floatConstant(network, Dims{1}, {1}), 2u);
  layer->setEpsilon(0);
  network.markOutput(*layer->getOutput(0));
  auto out = test::buildAndRun(network, {HostTensor::f32(Dims{1, 4}, {1, 2, 3, 4})});
  float s = 1.0f / std::sqrt(1.25f);
  test::expectNear(out[0].f32(), {-3 * s + 1, -s + 1, s + 1, 3 * s + 1});
  EXPECT_DOUBLE_EQ(layer->getEpsilon(), 0.0);
  EXPECT_EQ(layer->getAxes(), 2u);
}

TEST(NormalizationTest, LayerNormOverTrailingAxes) {
  checkNormalization({.input = {2, 3, 4, 5}, .mask = 0b1100, .scale = {4, 5}, .bias = {5}}, 11);
  checkNormalization({.input = {3, 7}, .mask = 0b11, .scale = {3, 7}, .bias = {1}, .epsilon = 0.1}, 12);
}

TEST(NormalizationTest, InstanceNormPerChannelScale) {
  checkNormalization({.input = {2, 3, 4, 5}, .mask = 0b1100, .scale = {3, 1, 1}, .bias = {3, 1, 1}}, 21);
  checkNormalization({.input = {2, 4, 6}, .mask = 0b100, .scale = {1, 4, 1}, .bias = {4, 1}}, 22);
}

TEST(NormalizationTest, GroupNormSplitsTheChannels) {
  checkNormalization({.input = {2, 6, 3, 2}, .mask = 0b1100, .groups = 3, .scale = {6, 1, 1}, .bias = {6, 1, 1}}, 31);
  // Groups with no other reduced axis: the channels of each group only.
  checkNormalization({.input = {3, 8}, .mask = 0, .groups = 2, .scale = {8}, .bias = {1}}, 32);
  // One channel per group is instance normalization.
  checkNormalization({.input = {1, 4, 5}, .mask = 0b100, .groups = 4, .scale = {4, 1}, .bias = {4, 1}}, 33);
}

TEST(NormalizationTest, NonContiguousAxes) {
  checkNormalization({.input = {2, 3, 4}, .mask = 0b101, .scale = {3, 1}, .bias = {1}}, 41);
}

TEST(NormalizationTest, DynamicShapeRunsAtSeveralSizes) {
  NetworkDefinition network;
  Tensor* in = network.addInput("x", DataType::kFLOAT, Dims{-1, 4, -1});
  auto scale = test::randomFloats(4, 51, 0.5f, 2.0f), bias = test::randomFloats(4, 52);
  auto* layer = network.addNormalization(*in, *test::floatConstant(network, Dims{4, 1}, scale),
                                         *test::floatConstant(network, Dims{4, 1}, bias), 6u);
  layer->setNbGroups(2);
  layer->setAxes(4u);
  network.markOutput(*layer->getOutput(0));
  auto engine = test::buildWithProfile(network, test::profileFor("x", Dims{1, 4, 1}, Dims{2, 4, 5}, Dims{3, 4, 9}));
  auto context = engine->createExecutionContext();
  uint32_t seed = 53;
  for (Dims shape : {Dims{2, 4, 5}, Dims{3, 4, 9}, Dims{1, 4, 2}}) {
    SCOPED_TRACE(toString(shape));
    auto x = test::randomFloats(static_cast<size_t>(shape.volume()), seed++);
    auto out = test::runContext(*context, {HostTensor::f32(shape, x)});
    test::expectNear(out[0].f32(), referenceNormalization(shape, x, 4u, 2, 1e-5, Dims{4, 1}, scale, Dims{4, 1}, bias),
                     1e-4f, 1e-4f);
  }
}

TEST(NormalizationTest, Float64) {
  NetworkDefinition network;
  Tensor* in = network.addInput("x", DataType::kDOUBLE, Dims{2, 3});
  std::vector<double> one = {1.0}, zero = {0.0};
  auto constant = [&](const std::vector<double>& v) {
    return network.addConstant(Dims{1}, Weights{DataType::kDOUBLE, v.data(), 1})->getOutput(0);
  };
  auto* layer = network.addNormalization(*in, *constant(one), *constant(zero), 2u);
  layer->setEpsilon(0);
  network.markOutput(*layer->getOutput(0));
  auto out = test::buildAndRun(network, {HostTensor::of<double>(DataType::kDOUBLE, Dims{2, 3}, {1, 2, 3, 5, 5, 8})});
  // Row 1: mean 2, variance 2/3. Row 2: mean 6, variance 2.
  double a = std::sqrt(1.5), b = 1 / std::sqrt(2.0);
  std::vector<double> expected = {-a, 0, a, -b, -b, 2 * b};
  auto y = out[0].as<double>();
  ASSERT_EQ(y.size(), expected.size());
  for (size_t i = 0; i < y.size(); ++i) EXPECT_NEAR(y[i], expected[i], 1e-12) << i;
}

TEST(NormalizationTest, InvalidSettingsAreRejectedNamingTheLayer) {
  NetworkDefinition network;
  Tensor* in = network.addInput("x", DataType::kFLOAT, Dims{2, 6, 4});
  Tensor* scale = test::floatConstant(network, Dims{6, 1}, std::vector<float>(6, 1.0f));
  Tensor* bias = test::floatConstant(network, Dims{1}, {0});
  Tensor* wrongScale = test::floatConstant(network, Dims{5, 1}, std::vector<float>(5, 1.0f));
  auto* layer = network.addNormalization(*in, *scale, *bias, 4u);
  layer->setName("norm");
  test::expectRejected(
      layer, [&] { layer->setAxes(8u); }, "axis beyond the rank", "beyond rank");
  test::expectRejected(
      layer, [&] { layer->setAxes(0u); }, "no axis", "empty");
  test::expectRejected(
      layer, [&] { layer->setNbGroups(4); }, "groups not dividing the channels", "divisible");
  test::expectRejected(
      layer, [&] { layer->setEpsilon(-1); }, "negative epsilon", "epsilon");
  test::expectRejected(
      layer, [&] { layer->setInput(1, *wrongScale); }, "scale not broadcasting", "scale");
  Tensor* ints = network.addInput("i", DataType::kINT32, Dims{2, 3});
  Tensor* intScale =
      network.addConstant(Dims{1}, Weights{DataType::kINT32, std::vector<int32_t>{1}.data(), 1})->getOutput(0);
  EXPECT_THROW(network.addNormalization(*ints, *intScale, *intScale, 2u), Error);
}

// ---- LRN --------------------------------------------------------------------------------------------------------

// Y[n, c] = X[n, c] / (k + alpha / size * sum over c' in [c - floor((size-1)/2), c + ceil((size-1)/2)] of X^2)^beta.
std::vector<float> referenceLRN(const Dims& shape, const std::vector<float>& x, int64_t size, double alpha, double beta,
                                double k) {
  int64_t channels = shape.d[1], plane = shape.volume() / (shape.d[0] * channels);
  std::vector<float> y(x.size());
  for (int64_t n = 0; n < shape.d[0]; ++n)
    for (int64_t c = 0; c < channels; ++c)
      for (int64_t p = 0; p < plane; ++p) {
        double sum = 0;
        for (int64_t j = c - (size - 1) / 2; j <= c + size / 2; ++j)
          if (j >= 0 && j < channels) sum += std::pow(x[(n * channels + j) * plane + p], 2.0);
        size_t at = static_cast<size_t>((n * channels + c) * plane + p);
        y[at] = static_cast<float>(x[at] / std::pow(k + alpha / size * sum, beta));
      }
  return y;
}

TEST(LRNTest, HandComputedWindowOfTwo) {
  // Channels [1, 2, 3] with size 2: windows {c, c+1} -> squares 5, 13, 9; alpha = size so Y = X / (1 + sum).
  NetworkDefinition network;
  Tensor* in = network.addInput("x", DataType::kFLOAT, Dims{1, 3});
  network.markOutput(*network.addLRN(*in, 2, 2.0, 1.0, 1.0)->getOutput(0));
  auto out = test::buildAndRun(network, {HostTensor::f32(Dims{1, 3}, {1, 2, 3})});
  test::expectNear(out[0].f32(), {1.0f / 6, 2.0f / 14, 3.0f / 10});
}

TEST(LRNTest, MatchesTheReference) {
  for (int64_t size : {1, 3, 4, 7}) {
    SCOPED_TRACE(size);
    Dims shape{2, 5, 3, 2};
    auto x = test::randomFloats(static_cast<size_t>(shape.volume()), 61 + static_cast<uint32_t>(size), -3, 3);
    NetworkDefinition network;
    Tensor* in = network.addInput("x", DataType::kFLOAT, shape);
    network.markOutput(*network.addLRN(*in, size, 0.3, 0.75, 2.0)->getOutput(0));
    auto out = test::buildAndRun(network, {HostTensor::f32(shape, x)});
    test::expectNear(out[0].f32(), referenceLRN(shape, x, size, 0.3, 0.75, 2.0), 1e-5f, 1e-4f);
  }
}

TEST(LRNTest, InvalidSettingsAreRejected) {
  NetworkDefinition network;
  Tensor* in = network.addInput("x", DataType::kFLOAT, Dims{1, 3, 2});
  EXPECT_THROW(network.addLRN(*in, 0, 1e-4, 0.75, 1.0), Error);
  Tensor* flat = network.addInput("flat", DataType::kFLOAT, Dims{3});
  EXPECT_THROW(network.addLRN(*flat, 3, 1e-4, 0.75, 1.0), Error);
}

}  // namespace
}  // namespace kiln
