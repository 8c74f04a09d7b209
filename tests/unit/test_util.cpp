#include "test_util.h"

#include <gtest/gtest.h>

#include <cmath>
#include <optional>
#include <random>

namespace kiln::test {

std::unique_ptr<Engine> buildEngine(NetworkDefinition& network, const BuilderConfig& config) {
  Builder builder;
  auto plan = builder.buildSerializedNetwork(network, config);
  Runtime runtime;
  return runtime.deserialize(plan);
}

void setRange(OptimizationProfile& profile, const char* input, const Dims& min, const Dims& opt, const Dims& max) {
  profile.setDimensions(input, OptProfileSelector::kMIN, min);
  profile.setDimensions(input, OptProfileSelector::kOPT, opt);
  profile.setDimensions(input, OptProfileSelector::kMAX, max);
}

OptimizationProfile profileFor(const char* input, const Dims& min, const Dims& opt, const Dims& max) {
  OptimizationProfile profile;
  setRange(profile, input, min, opt, max);
  return profile;
}

void setShapeValueRange(OptimizationProfile& profile, const char* input, const std::vector<int64_t>& min,
                        const std::vector<int64_t>& opt, const std::vector<int64_t>& max) {
  Dims shape{static_cast<int64_t>(min.size())};
  setRange(profile, input, shape, shape, shape);
  auto count = static_cast<int32_t>(min.size());
  profile.setShapeValues(input, OptProfileSelector::kMIN, min.data(), count);
  profile.setShapeValues(input, OptProfileSelector::kOPT, opt.data(), count);
  profile.setShapeValues(input, OptProfileSelector::kMAX, max.data(), count);
}

std::unique_ptr<NetworkDefinition> reshapeByShapeInput(DataType targetType) {
  auto network = makeNetwork();
  Tensor* x = network->addInput("x", DataType::kFLOAT, Dims{2, 3, 4});
  Tensor* target = network->addInput("target", targetType, Dims{3});
  network->markShapeInput(*target);
  ShuffleLayer* reshape = network->addShuffle(*x);
  reshape->setInput(1, *target);
  reshape->getOutput(0)->setName("y");
  network->markOutput(*reshape->getOutput(0));
  return network;
}

std::unique_ptr<Engine> buildWithProfile(NetworkDefinition& network, const OptimizationProfile& profile) {
  BuilderConfig config;
  config.addOptimizationProfile(profile);
  return buildEngine(network, config);
}

HostTensor bindInputsAndOutput(ExecutionContext& context, const std::vector<HostTensor>& inputs,
                               const std::vector<const char*>& inputNames, const char* outputName,
                               DataType outputType) {
  for (size_t i = 0; i < inputs.size(); ++i) {
    context.setInputShape(inputNames[i], inputs[i].dims).check();
    context.setTensorAddress(inputNames[i], const_cast<uint8_t*>(inputs[i].bytes.data())).check();
  }
  HostTensor out;
  out.type = outputType;
  out.dims = context.getTensorShape(outputName);
  out.bytes.resize(static_cast<size_t>(out.dims.volume()) * dataTypeSize(outputType) + 1);
  context.setTensorAddress(outputName, out.bytes.data()).check();
  return out;
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

std::unique_ptr<NetworkDefinition> makeNetwork() { return Builder().createNetwork(); }

Tensor* int64Constant(NetworkDefinition& network, const std::vector<int64_t>& values) {
  return int64Constant(network, values, Dims{static_cast<int64_t>(values.size())});
}

Tensor* int64Constant(NetworkDefinition& network, const std::vector<int64_t>& values, const Dims& dims) {
  return network.addConstant(dims, Weights{DataType::kINT64, values.data(), static_cast<int64_t>(values.size())})
      ->getOutput(0);
}

Tensor* floatConstant(NetworkDefinition& network, const Dims& dims, const std::vector<float>& values) {
  return network.addConstant(dims, Weights{DataType::kFLOAT, values.data(), static_cast<int64_t>(values.size())})
      ->getOutput(0);
}

HostTensor boolTensor(const Dims& dims, const std::vector<uint8_t>& values) {
  return HostTensor::of(DataType::kBOOL, dims, values);
}

std::vector<float> iota(size_t count, float start) {
  std::vector<float> v(count);
  for (size_t i = 0; i < count; ++i) v[i] = start + static_cast<float>(i);
  return v;
}

namespace {

// The kiln::Error that `f` throws, or nothing when it returns normally.
std::optional<Error> thrownBy(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e;
  }
  return std::nullopt;
}

// `object` is called once the change has failed, so that it reads the layer's name as the failure left it.
void expectRejectedNaming(const std::function<std::string()>& object, const std::function<void()>& change,
                          const char* why, const char* messageFragment) {
  SCOPED_TRACE(why);
  std::optional<Error> e = thrownBy(change);
  if (!e) {
    ADD_FAILURE() << "accepted";
    return;
  }
  EXPECT_EQ(e->code(), ErrorCode::kINVALID_GRAPH) << e->what();
  EXPECT_EQ(e->object(), object());
  if (messageFragment) {
    EXPECT_NE(e->message().find(messageFragment), std::string::npos) << e->what();
  }
}

}  // namespace

Error errorOf(const std::function<void()>& f, const char* ifNone) {
  if (std::optional<Error> e = thrownBy(f)) return *e;
  ADD_FAILURE() << ifNone;
  return Error(ErrorCode::kRUNTIME, "none");
}

void expectRefused(const std::string& object, const std::function<void()>& f, const std::string& messageFragment) {
  SCOPED_TRACE(messageFragment);
  Error error = errorOf(f, "no error");
  EXPECT_EQ(error.object(), object);
  EXPECT_NE(error.message().find(messageFragment), std::string::npos) << error.message();
  EXPECT_EQ(error.message().find('\n'), std::string::npos) << error.message();
}

void expectRejected(const Layer* layer, const std::function<void()>& change, const char* why,
                    const char* messageFragment) {
  expectRejectedNaming([layer] { return std::string(layer->getName()); }, change, why, messageFragment);
}

void expectRejected(const std::string& object, const std::function<void()>& change, const char* why,
                    const char* messageFragment) {
  expectRejectedNaming([&object] { return object; }, change, why, messageFragment);
}

Dims toDims(const std::vector<int64_t>& values) {
  Dims d;
  d.nbDims = static_cast<int32_t>(values.size());
  for (size_t i = 0; i < values.size(); ++i) d.d[i] = values[i];
  return d;
}

std::vector<int64_t> orFill(const std::vector<int64_t>& values, size_t count, int64_t fill) {
  return values.empty() ? std::vector<int64_t>(count, fill) : values;
}

bool nextIndex(std::vector<int64_t>& index, const std::vector<int64_t>& extent) {
  for (size_t i = index.size(); i-- > 0;) {
    if (++index[i] < extent[i]) return true;
    index[i] = 0;
  }
  return false;
}

int64_t flatIndex(const std::vector<int64_t>& index, const std::vector<int64_t>& extent) {
  int64_t f = 0;
  for (size_t i = 0; i < index.size(); ++i) f = f * extent[i] + index[i];
  return f;
}

// Builds with one profile covering the given shapes of a single input, and runs each.
std::vector<std::vector<HostTensor>> runAtShapes(NetworkDefinition& net,
                                                 const std::vector<std::vector<HostTensor>>& runs, const Dims& min,
                                                 const Dims& max) {
  auto engine = buildWithProfile(net, profileFor(net.getInput(0)->getName(), min, max, max));
  auto context = engine->createExecutionContext();
  std::vector<std::vector<HostTensor>> outs;
  for (const auto& inputs : runs) outs.push_back(runContext(*context, inputs));
  return outs;
}

}  // namespace kiln::test
