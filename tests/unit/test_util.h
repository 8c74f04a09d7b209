// Helpers for tests: host tensors, and build-then-run on the CPU backend in one call.
#pragma once

#include <cstring>
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
  static HostTensor f32(const Dims& dims, const std::vector<float>& values) { return of(DataType::kFLOAT, dims, values); }
  static HostTensor i32(const Dims& dims, const std::vector<int32_t>& values) { return of(DataType::kINT32, dims, values); }
  static HostTensor i64(const Dims& dims, const std::vector<int64_t>& values) { return of(DataType::kINT64, dims, values); }

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

}  // namespace kiln::test
