#include "test_util.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace kiln::test {

std::unique_ptr<Engine> buildEngine(NetworkDefinition& network, const BuilderConfig& config) {
  Builder builder;
  auto plan = builder.buildSerializedNetwork(network, config);
  Runtime runtime;
  return runtime.deserialize(plan);
}

OptimizationProfile profileFor(const char* input, const Dims& min, const Dims& opt, const Dims& max) {
  OptimizationProfile profile;
  profile.setDimensions(input, OptProfileSelector::kMIN, min);
  profile.setDimensions(input, OptProfileSelector::kOPT, opt);
  profile.setDimensions(input, OptProfileSelector::kMAX, max);
  return profile;
}

std::vector<HostTensor> runContext(ExecutionContext& context, const std::vector<HostTensor>& inputs) {
  const Engine& engine = context.getEngine();
  std::vector<HostTensor> outputs;
  int32_t inputIndex = 0;
  for (int32_t i = 0; i < engine.getNbIOTensors(); ++i) {
    const char* name = engine.getIOTensorName(i);
    if (engine.getTensorIOMode(name) != TensorIOMode::kINPUT) continue;
    const HostTensor& in = inputs.at(inputIndex++);
    context.setInputShape(name, in.dims).check();
    context.setTensorAddress(name, const_cast<uint8_t*>(in.bytes.data())).check();
  }
  for (int32_t i = 0; i < engine.getNbIOTensors(); ++i) {
    const char* name = engine.getIOTensorName(i);
    if (engine.getTensorIOMode(name) != TensorIOMode::kOUTPUT) continue;
    HostTensor out;
    out.type = engine.getTensorDataType(name);
    out.dims = context.getTensorShape(name);
    out.bytes.resize(static_cast<size_t>(out.dims.volume()) * dataTypeSize(out.type) + 1);
    outputs.push_back(std::move(out));
  }
  int32_t outputIndex = 0;
  for (int32_t i = 0; i < engine.getNbIOTensors(); ++i) {
    const char* name = engine.getIOTensorName(i);
    if (engine.getTensorIOMode(name) != TensorIOMode::kOUTPUT) continue;
    context.setTensorAddress(name, outputs[outputIndex++].bytes.data()).check();
  }
  context.executeV2().check();
  for (auto& out : outputs) out.bytes.pop_back();  // the extra byte kept empty outputs addressable
  return outputs;
}

std::vector<HostTensor> runEngine(const Engine& engine, const std::vector<HostTensor>& inputs, int32_t profile) {
  auto context = engine.createExecutionContext();
  context->setOptimizationProfile(profile).check();
  return runContext(*context, inputs);
}

std::vector<HostTensor> buildAndRun(NetworkDefinition& network, const std::vector<HostTensor>& inputs) {
  BuilderConfig config;
  bool dynamic = false;
  for (int32_t i = 0; i < network.getNbInputs(); ++i) dynamic |= network.getInput(i)->getDimensions().hasDynamic();
  if (dynamic) {
    OptimizationProfile profile;
    for (int32_t i = 0; i < network.getNbInputs(); ++i) {
      const char* name = network.getInput(i)->getName();
      for (auto s : {OptProfileSelector::kMIN, OptProfileSelector::kOPT, OptProfileSelector::kMAX})
        profile.setDimensions(name, s, inputs.at(i).dims);
    }
    config.addOptimizationProfile(profile);
  }
  auto engine = buildEngine(network, config);
  return runEngine(*engine, inputs);
}

std::vector<float> randomFloats(size_t count, uint32_t seed, float lo, float hi) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(count);
  for (auto& x : v) x = dist(rng);
  return v;
}

void expectNear(const std::vector<float>& actual, const std::vector<float>& expected, float atol, float rtol) {
  ASSERT_EQ(actual.size(), expected.size());
  for (size_t i = 0; i < actual.size(); ++i) {
    if (std::isnan(expected[i])) {
      EXPECT_TRUE(std::isnan(actual[i])) << "at " << i;
      continue;
    }
    EXPECT_NEAR(actual[i], expected[i], atol + rtol * std::fabs(expected[i])) << "at index " << i;
  }
}

}  // namespace kiln::test
