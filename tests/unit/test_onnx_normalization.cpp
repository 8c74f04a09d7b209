// ONNX importers for batch (inference and training mode), instance, layer, group and mean-variance normalization and
// LRN, on models built in memory. Expected values are worked by hand or computed by naive loops here.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>

#include "onnx_model_builder.h"

namespace kiln::test {
namespace {

// ---- Normalization ----------------------------------------------------------------------------------------------

TEST(OnnxNormalization, BatchNormalizationInferenceHandComputed) {
  // Channel 0: (1 - 0) / 1 * 2 + 0 = 2. Channel 1: (2 - 1) / 2 * 1 + 1 = 1.5.
  OnnxModel m(15);
  m.input("x", {1, 2, 1, 1}).floats("s", {2}, {2, 1}).floats("b", {2}, {0, 1});
  m.floats("mean", {2}, {0, 1}).floats("var", {2}, {1, 4});
  setFloat(m.outputNode("BatchNormalization", {"x", "s", "b", "mean", "var"}, {"y"}), "epsilon", 0);
  expectNear(m.run({HostTensor::f32(Dims{1, 2, 1, 1}, {1, 2})})[0].f32(), {2, 1.5f});
  // Opset 6, spatial = 0: statistics per activation ([C, W]).
  OnnxModel perActivation(6);
  perActivation.input("x", {1, 1, 2}).floats("s", {1, 2}, {1, 3}).floats("b", {1, 2}, {0, 0});
  perActivation.floats("mean", {1, 2}, {1, 0}).floats("var", {1, 2}, {4, 1});
  NodeProto& n = perActivation.outputNode("BatchNormalization", {"x", "s", "b", "mean", "var"}, {"y"});
  setInt(setFloat(setInt(n, "spatial", 0), "epsilon", 0), "is_test", 1);
  expectNear(perActivation.run({HostTensor::f32(Dims{1, 1, 2}, {5, 2})})[0].f32(), {2, 6});
  OnnxModel training(15);
  training.input("x", {1, 2}).floats("s", {2}, {1, 1}).floats("b", {2}, {0, 0});
  training.floats("mean", {2}, {0, 0}).floats("var", {2}, {1, 1});
  setInt(training.outputNode("BatchNormalization", {"x", "s", "b", "mean", "var"}, {"y"}), "training_mode", 1);
  // Training mode normalizes with the batch's own statistics: one value per channel becomes 0 (then the bias).
  expectNear(training.run({HostTensor::f32(Dims{1, 2}, {3, -5})})[0].f32(), {0, 0});
}

TEST(OnnxNormalization, InstanceNormalizationPerChannel) {
  // Channel 0 [1, 3] and channel 1 [2, 4]: each normalizes to [-1, 1], then scale and bias per channel.
  OnnxModel m(6);
  m.input("x", {1, 2, 2}).floats("s", {2}, {2, 5}).floats("b", {2}, {1, 7});
  setFloat(m.outputNode("InstanceNormalization", {"x", "s", "b"}, {"y"}), "epsilon", 0.0f);
  expectNear(m.run({HostTensor::f32(Dims{1, 2, 2}, {1, 3, 2, 4})})[0].f32(), {-1, 3, 2, 12});
}

TEST(OnnxNormalization, LayerNormalizationWithMeanAndInvStdDev) {
  // Rows [1, 3] and [2, 6]: means 2 and 4, variances 1 and 4; B is optional.
  OnnxModel m(17);
  m.input("x", {2, 2}).floats("w", {2}, {1, 2});
  setFloat(m.outputNode("LayerNormalization", {"x", "w"}, {"y", "mean", "inv"}), "epsilon", 0);
  auto out = m.run({HostTensor::f32(Dims{2, 2}, {1, 3, 2, 6})});
  expectNear(out[0].f32(), {-1, 2, -1, 2});
  EXPECT_EQ(out[1].dims, (Dims{2, 1}));
  expectNear(out[1].f32(), {2, 4});
  expectNear(out[2].f32(), {1, 0.5f});
}

TEST(OnnxNormalization, GroupNormalizationPerGroupAndPerChannelScale) {
  // Groups (1, 2) and (3, 5) normalize to [-1, 1] each.
  OnnxModel v18(18);
  v18.input("x", {1, 4, 1}).floats("s", {2}, {2, 3}).floats("b", {2}, {0, 1});
  setFloat(setInt(v18.outputNode("GroupNormalization", {"x", "s", "b"}, {"y"}), "num_groups", 2), "epsilon", 0);
  expectNear(v18.run({HostTensor::f32(Dims{1, 4, 1}, {1, 2, 3, 5})})[0].f32(), {-2, 2, -2, 4});
  OnnxModel v21(21);
  v21.input("x", {1, 4, 1}).floats("s", {4}, {1, 2, 3, 4}).floats("b", {4}, {0, 0, 0, 1});
  setFloat(setInt(v21.outputNode("GroupNormalization", {"x", "s", "b"}, {"y"}), "num_groups", 2), "epsilon", 0);
  expectNear(v21.run({HostTensor::f32(Dims{1, 4, 1}, {1, 2, 3, 5})})[0].f32(), {-1, 2, -3, 5});
}

TEST(OnnxNormalization, MeanVarianceNormalizationDefaultAxes) {
  // Axes 0, 2, 3 of [2, 1, 1, 2] = every value of the one channel: mean 4, variance 5.
  OnnxModel m(13);
  m.input("x", {2, 1, 1, 2});
  m.outputNode("MeanVarianceNormalization", {"x"}, {"y"});
  float s = std::sqrt(5.0f);
  expectNear(m.run({HostTensor::f32(Dims{2, 1, 1, 2}, {1, 3, 5, 7})})[0].f32(), {-3 / s, -1 / s, 1 / s, 3 / s});
}

TEST(OnnxNormalization, LRNAndEinsum) {
  OnnxModel lrn(13);
  lrn.input("x", {1, 3});
  NodeProto& n = setInt(lrn.outputNode("LRN", {"x"}, {"y"}), "size", 2);
  setFloat(setFloat(setFloat(n, "alpha", 2), "beta", 1), "bias", 1);
  expectNear(lrn.run({HostTensor::f32(Dims{1, 3}, {1, 2, 3})})[0].f32(), {1.0f / 6, 2.0f / 14, 3.0f / 10});
  OnnxModel einsum(12);
  einsum.input("a", {2, 3}).input("b", {3});
  setString(einsum.outputNode("Einsum", {"a", "b"}, {"y"}), "equation", "ij, j -> i");
  expectNear(
      einsum.run({HostTensor::f32(Dims{2, 3}, {1, 2, 3, 4, 5, 6}), HostTensor::f32(Dims{3}, {1, 0, -1})})[0].f32(),
      {-2, -2});
}

// ---- BatchNormalization training mode --------------------------------------------------------------------------

// One channel holding 1, 2, 3, 4: mean 2.5, variance (2.25 + 0.25 + 0.25 + 2.25) / 4 = 1.25. Running statistics
// 0 and 1 with momentum 0.9 become 0.25 and 0.9 + 0.125.
TEST(OnnxBatchNormalization, TrainingModeUsesBatchStatistics) {
  OnnxModel m(15);
  NodeProto& node =
      m.outputNode("BatchNormalization", {"x", "s", "b", "mean", "var"}, {"y", "running_mean", "running_var"});
  m.input("x", {2, 1, 2})
      .constant<float>("s", {1}, TensorProto::FLOAT, {2.0f})
      .constant<float>("b", {1}, TensorProto::FLOAT, {1.0f})
      .constant<float>("mean", {1}, TensorProto::FLOAT, {0.0f})
      .constant<float>("var", {1}, TensorProto::FLOAT, {1.0f});
  setInt(node, "training_mode", 1);
  auto out = m.run({HostTensor::f32({2, 1, 2}, {1, 2, 3, 4})});
  ASSERT_EQ(out.size(), 3u);
  float inv = 1.0f / std::sqrt(1.25f + 1e-5f);
  expectNear(out[0].f32(), {1 - 3 * inv, 1 - inv, 1 + inv, 1 + 3 * inv});
  expectNear(out[1].f32(), {0.25f});
  expectNear(out[2].f32(), {1.025f});
}

}  // namespace
}  // namespace kiln::test
