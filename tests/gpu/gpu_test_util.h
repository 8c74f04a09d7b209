// Helpers of the GPU tests: skipping without a CUDA device, building for a named backend, running a CUDA engine.
#pragma once

#include <cuda_runtime.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "test_util.h"

namespace kiln::gpu_test {

using test::HostTensor;

// Skips the test unless a CUDA device is present.
#define REQUIRE_CUDA()                                                                                       \
  do {                                                                                                       \
    const auto names = availableBackends();                                                                  \
    if (std::find(names.begin(), names.end(), "cuda") == names.end()) GTEST_SKIP() << "no CUDA device here"; \
  } while (0)

void check(cudaError_t status);

Dims dims(std::initializer_list<int64_t> values);

std::unique_ptr<Engine> buildFor(const char* backend, NetworkDefinition& network, const OptimizationProfile& profile,
                                 std::vector<BuilderFlag> flags = {});

// Runs a CUDA engine: inputs copied to device buffers, one enqueue on a stream, outputs copied back. Every input and
// output is bound `offsetBytes` past the start of its own allocation (4: addresses that no 16-byte access may use).
std::vector<HostTensor> runOnDevice(const Engine& engine, const std::vector<HostTensor>& inputs,
                                    size_t offsetBytes = 0);

// Builds a network computing in `type`; its input "x" is fp32 (cast at the edge with `as`).
using MakeNetwork = std::function<void(NetworkDefinition&, DataType type)>;
// `count` values of input "x" for one run (`seed` differs per run).
using MakeValues = std::function<std::vector<float>(size_t count, uint32_t seed)>;

// Builds `make`'s network in `type` for `backend` with these profiles, builder flags and timing cache.
std::unique_ptr<Engine> buildProfiles(const char* backend, const MakeNetwork& make, DataType type,
                                      const std::vector<OptimizationProfile>& profiles, TimingCache* cache = nullptr,
                                      const std::vector<BuilderFlag>& flags = {});

// `count` random multiples of 1/1024 in [-1, 1]: exact in fp16 and TF32.
std::vector<float> exactHalfValues(size_t count, uint32_t seed);

// A constant of exactHalfValues, in `type`.
Tensor* weights(NetworkDefinition& n, const Dims& shape, uint32_t seed, DataType type);

// `count` random multiples of 1/64 within [-2, 2]: exact in fp16 and bf16 (8 significant bits at most).
std::vector<float> exactValues(size_t count, uint32_t seed);

// A constant of exactValues, in `type`.
Tensor* exactConstant(NetworkDefinition& n, const Dims& shape, uint32_t seed, DataType type);

// fp32, fp16 and bf16, the floating-point types of the kernels with 16-byte vector paths, as test parameters, and
// the name of a type parameter ("fp32").
inline auto vectorPrecisions() { return ::testing::Values(DataType::kFLOAT, DataType::kHALF, DataType::kBF16); }
std::string typeParamName(const ::testing::TestParamInfo<DataType>& info);

// The number of steps of `engine` of layer type `type` ("SoftMax", "ElementWise", ...).
int32_t stepsOfType(const Engine& engine, const std::string& type);

// `tensor` in `type` (a cast when it has another type).
Tensor* as(NetworkDefinition& n, Tensor* tensor, DataType type);

// Marks `tensor` as an output in fp32.
void markFloat(NetworkDefinition& n, Tensor* tensor);

// `count` (at most 4096) distinct values in random order, multiples of 1/1024 within [-2, 2): exact in fp16, so
// neither the input's rounding nor ties (which maximum an index names) differ between the precisions.
std::vector<float> distinctValues(size_t count, uint32_t seed);

// Builds `make`'s network for the CPU in fp32 and for CUDA in `type`, with input "x" in [min, max]; runs each shape
// on both with `values` and compares the outputs: fp32 within 1e-4 relative (1e-2 when `type` is not fp32), other
// types bit for bit. The CUDA engine goes to `cudaEngine` when given (to inspect its plan).
void compareBackends(const MakeNetwork& make, DataType type, const Dims& min, const Dims& max,
                     const std::vector<Dims>& shapes, const MakeValues& values,
                     std::unique_ptr<Engine>* cudaEngine = nullptr);

// compareBackends with inputs of the caller's choosing: builds under `profile` and runs both engines once per entry
// of `runs` (the inputs in the networks' order), comparing the outputs in the same way; the CUDA engine's inputs and
// outputs bound `offsetBytes` into their buffers (runOnDevice).
void compareBackendsOn(const MakeNetwork& make, DataType type, const OptimizationProfile& profile,
                       const std::vector<std::vector<HostTensor>>& runs, std::unique_ptr<Engine>* cudaEngine = nullptr,
                       size_t offsetBytes = 0);

// A non-blocking stream, destroyed with the object.
struct Stream {
  cudaStream_t s = nullptr;
  Stream() { check(cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking)); }
  ~Stream() { cudaStreamDestroy(s); }
};

// Device buffers for input "x" and every output of an engine, sized at input shape `maxInput`; runs a context on them.
class DeviceRun {
 public:
  DeviceRun(const Engine& engine, ExecutionContext& context, const Dims& maxInput);
  ~DeviceRun();
  DeviceRun(const DeviceRun&) = delete;
  DeviceRun& operator=(const DeviceRun&) = delete;
  // Copies x in, runs (enqueueV3 on `stream`, or executeV2 when null), returns the outputs (fp32).
  std::vector<std::vector<float>> run(const HostTensor& x, cudaStream_t stream);

 private:
  const Engine& engine_;
  ExecutionContext& context_;
  std::vector<void*> buffers_;
};

// ---- Integer-exact inputs (the slice, gather, scatter, cumulative, LRN and grid sample tests) -------------------

// Multiples of 1/8 in [-4, 4): exact in fp16, as are their sums up to 256 in magnitude.
std::vector<float> eighths(size_t count, uint32_t seed);

// x as int32, the multiples of 1/8 scaled to integers first (exact on both backends).
Tensor* integers(NetworkDefinition& n, Tensor* x);

// An int32 copy of an int64 constant: the kernels take both index types.
Tensor* int32Constant(NetworkDefinition& n, const std::vector<int64_t>& values, const Dims& shape);

// Marks `tensor`: floats as fp32, integers as they are.
void mark(NetworkDefinition& n, Tensor* tensor);

// compareBackends with input "x" of eighths().
namespace eighths_input {
void compareBackends(const MakeNetwork& make, DataType type, const Dims& min, const Dims& max,
                     const std::vector<Dims>& shapes);
}  // namespace eighths_input

// compareBackends with input "x" of distinct values; the CUDA engine goes to `cudaEngine` when given.
namespace distinct_input {
void compareBackends(const MakeNetwork& make, DataType type, const Dims& min, const Dims& max,
                     const std::vector<Dims>& shapes, std::unique_ptr<Engine>* cudaEngine = nullptr);
}  // namespace distinct_input

}  // namespace kiln::gpu_test
