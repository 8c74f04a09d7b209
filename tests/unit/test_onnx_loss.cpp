// ONNX importers for NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss, on one-node models built in memory:
// every reduction, weights, ignore_index (inside and outside [0, C)), dynamic shapes, the log_prob output, and the
// inputs that must be rejected. Expected values are the ONNX operator documentation's examples or worked by hand.
#include <gtest/gtest.h>

#include <cmath>
#include <optional>

#include "onnx_model_builder.h"

namespace kiln::test {
namespace {

// One loss node: inputs "input" and "target" (-1 marks a dynamic dimension), the weight as an initializer.
struct LossModel {
  std::string op = "NegativeLogLikelihoodLoss";
  int64_t opset = 13;
  std::vector<int64_t> inputDims, targetDims;
  int32_t targetType = TensorProto::INT64;
  std::vector<float> weight;  // none when empty
  std::string reduction = "mean";
  std::optional<int64_t> ignoreIndex;
  bool logProb = false;  // SoftmaxCrossEntropyLoss's second output

  OnnxModel model() const {
    OnnxModel m(opset);
    m.input("input", inputDims).input("target", targetDims, targetType);
    std::vector<std::string> inputs = {"input", "target"};
    if (!weight.empty()) {
      inputs.push_back("weight");
      m.floats("weight", {static_cast<int64_t>(weight.size())}, weight);
    }
    std::vector<std::string> outputs = {"loss"};
    if (logProb) outputs.push_back("log_prob");
    NodeProto& node = m.outputNode(op, inputs, outputs);
    setString(node, "reduction", reduction);
    if (ignoreIndex) setInt(node, "ignore_index", *ignoreIndex);
    return m;
  }

  std::vector<HostTensor> run(const std::vector<float>& input, const std::vector<int64_t>& target) const {
    return model().run({HostTensor::f32(toDims(inputDims), input), targetTensor(targetDims, target)});
  }

  HostTensor targetTensor(const std::vector<int64_t>& dims, const std::vector<int64_t>& values) const {
    if (targetType == TensorProto::INT64) return HostTensor::i64(toDims(dims), values);
    return HostTensor::i32(toDims(dims), std::vector<int32_t>(values.begin(), values.end()));
  }

  Error importError() const { return model().importError(); }
};

// The operator documentation's examples: N, C, d1 = 2, 3, 2.
const std::vector<float> kInput = {1, 2, 2, 2, 3, 2, 0, 1, 2, 2, 1, 2};
const std::vector<int64_t> kTarget = {2, 1, 0, 2};
const std::vector<float> kWeight = {0.2f, 0.3f, 0.1f};

LossModel exampleModel(const std::string& reduction) {
  LossModel m;
  m.inputDims = {2, 3, 2};
  m.targetDims = {2, 2};
  m.reduction = reduction;
  return m;
}

float scalarLoss(const LossModel& m, const std::vector<int64_t>& target = kTarget) {
  auto out = m.run(kInput, target);
  EXPECT_EQ(out[0].dims.nbDims, 0);
  return out[0].f32().at(0);
}

TEST(OnnxNegativeLogLikelihoodLoss, DocumentationExamples) {
  LossModel none = exampleModel("none");
  auto out = none.run(kInput, kTarget);
  EXPECT_EQ(toString(out[0].dims), "2x2");
  EXPECT_EQ(out[0].f32(), (std::vector<float>{-3, -2, 0, -2}));
  // Weighted: the losses scaled by weight[target] = 0.1, 0.3, 0.2, 0.1.
  LossModel sum = exampleModel("sum");
  sum.weight = kWeight;
  EXPECT_NEAR(scalarLoss(sum), -1.1f, 1e-6f);
  LossModel mean = exampleModel("mean");
  mean.weight = kWeight;
  EXPECT_NEAR(scalarLoss(mean), -1.1f / 0.7f, 1e-6f);
  // Without weights the mean is over the 4 samples.
  EXPECT_NEAR(scalarLoss(exampleModel("mean")), -7.0f / 4, 1e-6f);
}

// Opset 12 and int32 targets go through the same importer.
TEST(OnnxNegativeLogLikelihoodLoss, Opset12AndInt32Targets) {
  LossModel m = exampleModel("sum");
  m.opset = 12;
  m.targetType = TensorProto::INT32;
  EXPECT_NEAR(scalarLoss(m), -7.0f, 1e-6f);
}

// ignore_index 1 drops sample (0, 1): its loss is 0 and it leaves the mean's denominator.
TEST(OnnxNegativeLogLikelihoodLoss, IgnoreIndexWithWeightsAndMean) {
  LossModel m = exampleModel("mean");
  m.ignoreIndex = 1;
  m.weight = kWeight;
  // (-3 * 0.1 + 0 - 0 * 0.2 - 2 * 0.1) / (0.1 + 0.2 + 0.1)
  EXPECT_NEAR(scalarLoss(m), -0.5f / 0.4f, 1e-6f);
  m.weight.clear();
  EXPECT_NEAR(scalarLoss(m), -5.0f / 3, 1e-6f);  // three samples left
  m.reduction = "sum";
  EXPECT_NEAR(scalarLoss(m), -5.0f, 1e-6f);
}

// An ignore_index outside [0, C) may appear in the target; it is never used as an index.
TEST(OnnxNegativeLogLikelihoodLoss, IgnoreIndexOutsideTheClasses) {
  const std::vector<int64_t> target = {2, -1, 0, 2};
  LossModel none = exampleModel("none");
  none.ignoreIndex = -1;
  none.weight = kWeight;
  expectNear(none.run(kInput, target)[0].f32(), {-0.3f, 0, 0, -0.2f}, 1e-6f, 0);
  LossModel mean = exampleModel("mean");
  mean.ignoreIndex = -1;
  mean.weight = kWeight;
  EXPECT_NEAR(scalarLoss(mean, target), -0.5f / 0.4f, 1e-6f);
  LossModel high = exampleModel("mean");
  high.ignoreIndex = 10;
  EXPECT_NEAR(scalarLoss(high, {10, 10, 0, 10}), 0.0f, 1e-6f);  // one sample left: -input[1, 0, 0] = -0
}

// Every sample ignored: the mean is 0 / 0, as in the reference.
TEST(OnnxNegativeLogLikelihoodLoss, MeanOfNothingIsNaN) {
  LossModel m = exampleModel("mean");
  m.ignoreIndex = 1;
  EXPECT_TRUE(std::isnan(scalarLoss(m, {1, 1, 1, 1})));
}

// N and d1 dynamic: one engine serves two shapes.
TEST(OnnxNegativeLogLikelihoodLoss, DynamicShapes) {
  LossModel m;
  m.inputDims = {-1, 3, -1};
  m.targetDims = {-1, -1};
  m.weight = kWeight;
  m.ignoreIndex = 0;
  m.reduction = "none";
  auto network = m.model().import();
  EXPECT_EQ(toString(network->getOutput(0)->getDimensions()), "-1x-1");
  OptimizationProfile profile;
  setRange(profile, "input", {1, 3, 1}, {2, 3, 2}, {4, 3, 4});
  setRange(profile, "target", {1, 1}, {2, 2}, {4, 4});
  auto engine = buildWithProfile(*network, profile);
  auto ctx = engine->createExecutionContext();
  auto out = runContext(*ctx, {HostTensor::f32({2, 3, 2}, kInput), HostTensor::i64({2, 2}, kTarget)});
  EXPECT_EQ(toString(out[0].dims), "2x2");
  expectNear(out[0].f32(), {-0.3f, -0.6f, 0, -0.2f}, 1e-6f, 0);
  // input (1, 3, 3): classes 1, 0 (ignored) and 2 read 4, -, 9.
  out = runContext(*ctx, {HostTensor::f32({1, 3, 3}, iota(9, 1)), HostTensor::i64({1, 3}, {1, 0, 2})});
  EXPECT_EQ(toString(out[0].dims), "1x3");
  expectNear(out[0].f32(), {-4 * 0.3f, 0, -9 * 0.1f}, 1e-6f, 0);
  // A target shaped unlike the input, or a class outside [0, C) that is not ignored, fails the run.
  auto runError = [&](const HostTensor& input, const HostTensor& target) {
    return std::string(errorOf([&] { runContext(*ctx, {input, target}); }).what());
  };
  for (Dims targetDims : {Dims{2, 1}, Dims{1, 4}}) {
    std::string e = runError(HostTensor::f32({2, 3, 2}, kInput), HostTensor::i64(targetDims, {1, 2, 0, 1}));
    EXPECT_TRUE(e.find("target against input") != std::string::npos) << e;
  }
  for (int64_t badClass : {-1, 3})
    EXPECT_NE(runError(HostTensor::f32({1, 3, 1}, {1, 2, 3}), HostTensor::i64({1, 1}, {badClass})).find("out of range"),
              std::string::npos);
}

TEST(OnnxNegativeLogLikelihoodLoss, RejectedModels) {
  auto expectInvalid = [](const LossModel& m, const char* fragment) {
    Error e = m.importError();
    EXPECT_EQ(e.code(), ErrorCode::kINVALID_GRAPH) << e.what();
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
  };
  LossModel shape = exampleModel("none");
  shape.targetDims = {2, 3};
  expectInvalid(shape, "without the class axis");
  LossModel rank = exampleModel("none");
  rank.targetDims = {2};
  expectInvalid(rank, "without the class axis");
  LossModel weight = exampleModel("none");
  weight.weight = {1, 2};
  expectInvalid(weight, "one per class");
  LossModel reduction = exampleModel("avg");
  expectInvalid(reduction, "reduction 'avg'");
  LossModel target = exampleModel("none");
  target.targetType = TensorProto::FLOAT;
  expectInvalid(target, "int32 or int64");
  LossModel scalar = exampleModel("none");
  scalar.inputDims = {3};
  scalar.targetDims = {};
  expectInvalid(scalar, "(N, C)");
}

// x = [[0, 0], [0, ln 3]]: log-probabilities [[-ln 2, -ln 2], [-ln 4, ln 3/4]].
TEST(OnnxSoftmaxCrossEntropyLoss, LogProbAndReductions) {
  const float ln2 = std::log(2.0f), ln4 = std::log(4.0f), ln34 = std::log(0.75f);
  const std::vector<float> x = {0, 0, 0, std::log(3.0f)};
  for (int64_t opset : {12, 13}) {
    SCOPED_TRACE(opset);
    LossModel m;
    m.op = "SoftmaxCrossEntropyLoss";
    m.opset = opset;
    m.inputDims = {2, 2};
    m.targetDims = {2};
    m.reduction = "none";
    m.logProb = true;
    auto out = m.run(x, {0, 1});
    ASSERT_EQ(out.size(), 2u);
    expectNear(out[0].f32(), {ln2, -ln34}, 1e-6f, 1e-6f);
    EXPECT_EQ(toString(out[1].dims), "2x2");
    expectNear(out[1].f32(), {-ln2, -ln2, -ln4, ln34}, 1e-6f, 1e-6f);
    m.logProb = false;
    m.reduction = "mean";
    m.weight = {3, 1};
    EXPECT_NEAR(m.run(x, {0, 1})[0].f32().at(0), (3 * ln2 - ln34) / 4, 1e-6f);
    m.ignoreIndex = 0;
    EXPECT_NEAR(m.run(x, {0, 1})[0].f32().at(0), -ln34, 1e-6f);
  }
}

}  // namespace
}  // namespace kiln::test
