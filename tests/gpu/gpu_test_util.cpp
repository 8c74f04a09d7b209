#include "gpu_test_util.h"

#include <cmath>
#include <random>

namespace kiln::gpu_test {

void check(cudaError_t status) { ASSERT_EQ(status, cudaSuccess) << cudaGetErrorString(status); }

Dims dims(std::initializer_list<int64_t> values) { return test::toDims(std::vector<int64_t>(values)); }

std::unique_ptr<Engine> buildFor(const char* backend, NetworkDefinition& network, const OptimizationProfile& profile,
                                 std::vector<BuilderFlag> flags) {
  BuilderConfig config;
  for (BuilderFlag flag : flags) config.setFlag(flag);
  config.setBackend(backend);
  config.addOptimizationProfile(profile);
  return test::buildEngine(network, config);
}

std::vector<HostTensor> runOnDevice(const Engine& engine, const std::vector<HostTensor>& inputs, size_t offsetBytes) {
  auto context = engine.createExecutionContext();
  std::vector<void*> buffers;
  std::vector<HostTensor> outputs;
  std::vector<void*> outputBuffers;
  int32_t inputIndex = 0;
  for (int32_t i = 0; i < engine.getNbIOTensors(); ++i) {
    const char* name = engine.getIOTensorName(i);
    if (engine.getTensorIOMode(name) != TensorIOMode::kINPUT) continue;
    const HostTensor& in = inputs.at(inputIndex++);
    void* device = nullptr;
    check(cudaMalloc(&device, in.bytes.size() + offsetBytes + 1));
    buffers.push_back(device);
    auto* bound = static_cast<char*>(device) + offsetBytes;
    check(cudaMemcpy(bound, in.bytes.data(), in.bytes.size(), cudaMemcpyHostToDevice));
    context->setInputShape(name, in.dims).check();
    context->setTensorAddress(name, bound).check();
  }
  for (int32_t i = 0; i < engine.getNbIOTensors(); ++i) {
    const char* name = engine.getIOTensorName(i);
    if (engine.getTensorIOMode(name) != TensorIOMode::kOUTPUT) continue;
    HostTensor out;
    out.type = engine.getTensorDataType(name);
    out.dims = context->getTensorShape(name);
    out.bytes.resize(static_cast<size_t>(out.dims.volume()) * dataTypeSize(out.type));
    void* device = nullptr;
    check(cudaMalloc(&device, out.bytes.size() + offsetBytes + 1));
    buffers.push_back(device);
    auto* bound = static_cast<char*>(device) + offsetBytes;
    outputBuffers.push_back(bound);
    context->setTensorAddress(name, bound).check();
    outputs.push_back(std::move(out));
  }
  cudaStream_t stream = nullptr;
  check(cudaStreamCreate(&stream));
  context->enqueueV3(stream).check();
  check(cudaStreamSynchronize(stream));
  check(cudaStreamDestroy(stream));
  for (size_t i = 0; i < outputs.size(); ++i)
    check(cudaMemcpy(outputs[i].bytes.data(), outputBuffers[i], outputs[i].bytes.size(), cudaMemcpyDeviceToHost));
  for (void* p : buffers) check(cudaFree(p));
  return outputs;
}

std::unique_ptr<Engine> buildProfiles(const char* backend, const MakeNetwork& make, DataType type,
                                      const std::vector<OptimizationProfile>& profiles, TimingCache* cache,
                                      const std::vector<BuilderFlag>& flags) {
  auto network = test::makeNetwork();
  make(*network, type);
  BuilderConfig config;
  config.setBackend(backend);
  config.setTimingCache(cache);
  for (BuilderFlag flag : flags) config.setFlag(flag);
  for (const auto& p : profiles) config.addOptimizationProfile(p);
  return test::buildEngine(*network, config);
}

std::vector<float> exactHalfValues(size_t count, uint32_t seed) {
  std::vector<float> values = test::randomFloats(count, seed);
  for (float& v : values) v = std::round(v * 1024.0f) / 1024.0f;
  return values;
}

Tensor* weights(NetworkDefinition& n, const Dims& shape, uint32_t seed, DataType type) {
  return as(n, test::floatConstant(n, shape, exactHalfValues(static_cast<size_t>(shape.volume()), seed)), type);
}

std::vector<float> exactValues(size_t count, uint32_t seed) {
  std::mt19937 random(seed);
  std::uniform_int_distribution<int> pick(-128, 128);
  std::vector<float> values(count);
  for (float& v : values) v = static_cast<float>(pick(random)) / 64;
  return values;
}

Tensor* exactConstant(NetworkDefinition& n, const Dims& shape, uint32_t seed, DataType type) {
  return as(n, test::floatConstant(n, shape, exactValues(static_cast<size_t>(shape.volume()), seed)), type);
}

std::string typeParamName(const ::testing::TestParamInfo<DataType>& info) { return dataTypeName(info.param); }

int32_t stepsOfType(const Engine& engine, const std::string& type) {
  int32_t count = 0;
  for (int32_t i = 0; i < engine.getNbLayers(); ++i) count += engine.getLayerInformation(i).type == type;
  return count;
}

Tensor* as(NetworkDefinition& n, Tensor* tensor, DataType type) {
  return tensor->getType() == type ? tensor : n.addCast(*tensor, type)->getOutput(0);
}

void markFloat(NetworkDefinition& n, Tensor* tensor) { n.markOutput(*as(n, tensor, DataType::kFLOAT)); }

std::vector<float> distinctValues(size_t count, uint32_t seed) {
  std::vector<float> values(count);
  for (size_t i = 0; i < count; ++i) values[i] = (static_cast<float>(i) - static_cast<float>(count / 2)) / 1024.0f;
  std::shuffle(values.begin(), values.end(), std::mt19937(seed));
  return values;
}

void compareBackends(const MakeNetwork& make, DataType type, const Dims& min, const Dims& max,
                     const std::vector<Dims>& shapes, const MakeValues& values, std::unique_ptr<Engine>* cudaEngine) {
  std::vector<std::vector<HostTensor>> runs;
  uint32_t seed = 1;
  for (const Dims& shape : shapes)
    runs.push_back({HostTensor::f32(shape, values(static_cast<size_t>(shape.volume()), seed++))});
  compareBackendsOn(make, type, test::profileFor("x", min, max, max), runs, cudaEngine);
}

void compareBackendsOn(const MakeNetwork& make, DataType type, const OptimizationProfile& profile,
                       const std::vector<std::vector<HostTensor>>& runs, std::unique_ptr<Engine>* cudaEngine,
                       size_t offsetBytes) {
  auto cpuNetwork = test::makeNetwork();
  auto cudaNetwork = test::makeNetwork();
  make(*cpuNetwork, DataType::kFLOAT);
  make(*cudaNetwork, type);
  auto cpu = buildFor("cpu", *cpuNetwork, profile);
  auto built = buildFor("cuda", *cudaNetwork, profile);
  const Engine* gpu = built.get();
  if (cudaEngine) *cudaEngine = std::move(built);
  float tolerance = type == DataType::kFLOAT ? 1e-4f : 1e-2f;
  for (const std::vector<HostTensor>& inputs : runs) {
    SCOPED_TRACE(toString(inputs.at(0).dims));
    auto expected = test::runEngine(*cpu, inputs);
    auto actual = runOnDevice(*gpu, inputs, offsetBytes);
    ASSERT_EQ(actual.size(), expected.size());
    for (size_t i = 0; i < actual.size(); ++i) {
      SCOPED_TRACE("output " + std::to_string(i));
      ASSERT_EQ(toString(actual[i].dims), toString(expected[i].dims));
      ASSERT_EQ(actual[i].type, expected[i].type);
      if (expected[i].type == DataType::kFLOAT)
        test::expectNear(actual[i].f32(), expected[i].f32(), tolerance / 10, tolerance);
      else
        EXPECT_EQ(actual[i].bytes, expected[i].bytes);
    }
  }
}

DeviceRun::DeviceRun(const Engine& engine, ExecutionContext& context, const Dims& maxInput)
    : engine_(engine), context_(context) {
  context.setInputShape("x", maxInput).check();
  for (int32_t i = 0; i < engine.getNbIOTensors(); ++i) {
    const char* name = engine.getIOTensorName(i);
    size_t bytes =
        static_cast<size_t>(context.getTensorShape(name).volume()) * dataTypeSize(engine.getTensorDataType(name));
    void* p = nullptr;
    check(cudaMalloc(&p, std::max<size_t>(bytes, 1)));
    buffers_.push_back(p);
    context.setTensorAddress(name, p).check();
  }
}

DeviceRun::~DeviceRun() {
  for (void* p : buffers_) cudaFree(p);
}

std::vector<std::vector<float>> DeviceRun::run(const HostTensor& x, cudaStream_t stream) {
  context_.setInputShape("x", x.dims).check();
  check(cudaMemcpy(context_.getTensorAddress("x"), x.bytes.data(), x.bytes.size(), cudaMemcpyHostToDevice));
  if (stream) {
    context_.enqueueV3(stream).check();
    check(cudaStreamSynchronize(stream));
  } else {
    context_.executeV2().check();
  }
  std::vector<std::vector<float>> outputs;
  for (int32_t i = 0; i < engine_.getNbIOTensors(); ++i) {
    const char* name = engine_.getIOTensorName(i);
    if (engine_.getTensorIOMode(name) != TensorIOMode::kOUTPUT) continue;
    std::vector<float> out(static_cast<size_t>(context_.getTensorShape(name).volume()));
    check(cudaMemcpy(out.data(), context_.getTensorAddress(name), out.size() * sizeof(float), cudaMemcpyDeviceToHost));
    outputs.push_back(std::move(out));
  }
  return outputs;
}

// Multiples of 1/8 in [-4, 4): exact in fp16, as are their sums up to 256 in magnitude.
std::vector<float> eighths(size_t count, uint32_t seed) {
  std::vector<float> values = test::randomFloats(count, seed, -4.0f, 4.0f);
  for (float& v : values) v = std::round(v * 8.0f) / 8.0f;
  return values;
}

// x as int32, the multiples of 1/8 scaled to integers first (exact on both backends).
Tensor* integers(NetworkDefinition& n, Tensor* x) {
  auto* eight = as(n, test::floatConstant(n, dims({1}), {8.0f}), x->getType());
  auto* scaled = n.addElementWise(*x, *eight, ElementWiseOperation::kPROD)->getOutput(0);
  return n.addCast(*scaled, DataType::kINT32)->getOutput(0);
}

// An int32 copy of an int64 constant: the kernels take both index types.
Tensor* int32Constant(NetworkDefinition& n, const std::vector<int64_t>& values, const Dims& shape) {
  return n.addCast(*test::int64Constant(n, values, shape), DataType::kINT32)->getOutput(0);
}

// Marks `tensor`: floats as fp32, integers as they are.
void mark(NetworkDefinition& n, Tensor* tensor) {
  if (tensor->getType() == DataType::kINT32)
    n.markOutput(*tensor);
  else
    markFloat(n, tensor);
}

namespace eighths_input {
void compareBackends(const MakeNetwork& make, DataType type, const Dims& min, const Dims& max,
                     const std::vector<Dims>& shapes) {
  gpu_test::compareBackends(make, type, min, max, shapes, eighths);
}
}  // namespace eighths_input

namespace distinct_input {
void compareBackends(const MakeNetwork& make, DataType type, const Dims& min, const Dims& max,
                     const std::vector<Dims>& shapes, std::unique_ptr<Engine>* cudaEngine) {
  gpu_test::compareBackends(make, type, min, max, shapes, distinctValues, cudaEngine);
}
}  // namespace distinct_input

}  // namespace kiln::gpu_test
