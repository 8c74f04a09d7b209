// Helpers for tests: host tensors, and build-then-run on the CPU backend in one call.
#pragma once

#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "kiln/kiln.h"

namespace kiln::test {

struct HostTensor {
  DataType type = DataType::kFLOAT;
  Dims dims;
  std::vector<uint8_t> bytes;

  template <typename T>
  static HostTensor of(DataType type, const Dims& dims, const std::vector<T>& values) {
    HostTensor t;
    t.type = type;
    t.dims = dims;
    t.bytes.resize(values.size() * sizeof(T));
    if (!values.empty()) std::memcpy(t.bytes.data(), values.data(), t.bytes.size());
    return t;
  }
  static HostTensor f32(const Dims& dims, const std::vector<float>& values) {
    return of(DataType::kFLOAT, dims, values);
  }
  static HostTensor i32(const Dims& dims, const std::vector<int32_t>& values) {
    return of(DataType::kINT32, dims, values);
  }
  static HostTensor i64(const Dims& dims, const std::vector<int64_t>& values) {
    return of(DataType::kINT64, dims, values);
  }

  template <typename T>
  std::vector<T> as() const {
    std::vector<T> v(bytes.size() / sizeof(T));
    if (!v.empty()) std::memcpy(v.data(), bytes.data(), v.size() * sizeof(T));
    return v;
  }
  std::vector<float> f32() const { return as<float>(); }
};

// Builds `network` for the CPU with one profile whose min = opt = max = the shapes of `inputs` (in network input
// order), serializes, deserializes, runs once and returns the outputs in network output order.
std::vector<HostTensor> buildAndRun(NetworkDefinition& network, const std::vector<HostTensor>& inputs);

// Runs a loaded engine with `inputs` (network input order) on a fresh context using `profile`.
std::vector<HostTensor> runEngine(const Engine& engine, const std::vector<HostTensor>& inputs, int32_t profile = 0);
std::vector<HostTensor> runContext(ExecutionContext& context, const std::vector<HostTensor>& inputs);

// A profile giving one input its min/opt/max shapes.
OptimizationProfile profileFor(const char* input, const Dims& min, const Dims& opt, const Dims& max);

// Builds for the CPU with the given config and loads the plan.
std::unique_ptr<Engine> buildEngine(NetworkDefinition& network, const BuilderConfig& config);

// Deterministic pseudo-random values in [lo, hi).
std::vector<float> randomFloats(size_t count, uint32_t seed, float lo = -1.0f, float hi = 1.0f);

// EXPECT that two float vectors agree element-wise within atol + rtol*|expected|.
void expectNear(const std::vector<float>& actual, const std::vector<float>& expected, float atol = 1e-5f,
                float rtol = 1e-5f);

// ---- Networks, constants and host data ------------------------------------------------------------------------------

// A fresh network from Builder::createNetwork.
std::unique_ptr<NetworkDefinition> makeNetwork();

// A constant int64 tensor holding `values`: a vector of values.size(), or of shape `dims`.
Tensor* int64Constant(NetworkDefinition& network, const std::vector<int64_t>& values);
Tensor* int64Constant(NetworkDefinition& network, const std::vector<int64_t>& values, const Dims& dims);

// A constant fp32 tensor of shape `dims` holding `values`.
Tensor* floatConstant(NetworkDefinition& network, const Dims& dims, const std::vector<float>& values);

// A bool host tensor (one byte per element).
HostTensor boolTensor(const Dims& dims, const std::vector<uint8_t>& values);

// start, start + 1, ..., start + count - 1.
std::vector<float> iota(size_t count, float start = 0.0f);

// ---- Profiles, building and binding ---------------------------------------------------------------------------------

// Gives `input` its min/opt/max shapes in `profile` (which may already hold other inputs).
void setRange(OptimizationProfile& profile, const char* input, const Dims& min, const Dims& opt, const Dims& max);

// Gives the shape input `input` its shape (one axis of min.size() values) and its min/opt/max values in `profile`.
void setShapeValueRange(OptimizationProfile& profile, const char* input, const std::vector<int64_t>& min,
                        const std::vector<int64_t>& opt, const std::vector<int64_t>& max);

// y = x reshaped to the three values of the shape input "target" (of `targetType`), x a static 2x3x4 fp32 input.
std::unique_ptr<NetworkDefinition> reshapeByShapeInput(DataType targetType);

// Builds for the CPU with `profile` as the only optimization profile and loads the plan.
std::unique_ptr<Engine> buildWithProfile(NetworkDefinition& network, const OptimizationProfile& profile);

// Binds `inputs` (shapes and addresses, under `inputNames`) and a fresh output sized from the context's resolved
// shape, without running. The context keeps raw pointers, so `inputs` and the returned output must outlive the run.
HostTensor bindInputsAndOutput(ExecutionContext& context, const std::vector<HostTensor>& inputs,
                               const std::vector<const char*>& inputNames, const char* outputName, DataType outputType);

// ---- Errors ---------------------------------------------------------------------------------------------------------

// The kiln::Error that `f` throws; if it throws none, ADD_FAILURE (with `ifNone`) and a placeholder kRUNTIME error.
Error errorOf(const std::function<void()>& f, const char* ifNone = "no error");

// EXPECT that `change` throws a kiln::Error with code kINVALID_GRAPH whose object() names the layer (`layer`'s name
// once the change has failed, or the literal `object`), and, when `messageFragment` is given, whose message() holds
// it. `why` labels the failures (SCOPED_TRACE).
void expectRejected(const Layer* layer, const std::function<void()>& change, const char* why,
                    const char* messageFragment = nullptr);
void expectRejected(const std::string& object, const std::function<void()>& change, const char* why,
                    const char* messageFragment = nullptr);

// EXPECT that `f` throws a kiln::Error (of any code) whose object() is `object` and whose message() holds
// `messageFragment` on one line; for refusals of user input (files, arguments).
void expectRefused(const std::string& object, const std::function<void()>& f, const std::string& messageFragment);

// ---- Dims and multi-indices for naive references --------------------------------------------------------------------

Dims toDims(const std::vector<int64_t>& values);

// `values`, or `count` copies of `fill` when it is empty.
std::vector<int64_t> orFill(const std::vector<int64_t>& values, size_t count, int64_t fill);

// Advances a multi-index over `extent` in row-major order; false after the last one.
bool nextIndex(std::vector<int64_t>& index, const std::vector<int64_t>& extent);

// The row-major flat offset of `index` within `extent`.
int64_t flatIndex(const std::vector<int64_t>& index, const std::vector<int64_t>& extent);

// ---- Profiling -----------------------------------------------------------------------------------------------------

// Keeps every step time a profiled run reports, in order.
struct RecordingProfiler : Profiler {
  std::vector<std::string> names;
  std::vector<float> times;
  void reportLayerTime(const char* layerName, float ms) override {
    names.emplace_back(layerName);
    times.push_back(ms);
  }
};

// Builds with one profile covering the given shapes of a single input, and runs each.
std::vector<std::vector<HostTensor>> runAtShapes(NetworkDefinition& net,
                                                 const std::vector<std::vector<HostTensor>>& runs, const Dims& min,
                                                 const Dims& max);

}  // namespace kiln::test
