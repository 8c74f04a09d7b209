// One engine, eight contexts on eight threads, thousands of runs at shapes that vary within the profile: every
// output is bit-identical to a single-threaded run of the same shape and data. Its own program so that the
// ThreadSanitizer build (scripts/sanitize thread) needs to build only it and the library.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <functional>
#include <memory>
#include <thread>

#ifdef KILN_HAVE_CUDA
#include <cuda_runtime_api.h>
#endif

#include "kiln/kiln.h"
#include "kiln/onnx.h"

namespace kiln {
namespace {

constexpr int kThreads = 8;
constexpr int kRunsPerThread = 2000;

struct Case {
  Dims shape;
  std::vector<float> input;
  std::vector<uint8_t> expected;  // the output's bytes from a single-threaded run
};

// A PyTorch export with convolutions, pooling, a resize, shape arithmetic and a softmax; batch, height and width
// are dynamic.
std::unique_ptr<Engine> buildEngine(const std::string& backend) {
  Builder builder;
  auto network = builder.createNetwork();
  onnx::Parser(*network).parseFromFile(KILN_TEST_DATA_DIR "/pytorch_dynamic/model.onnx");
  OptimizationProfile profile;
  profile.setDimensions("input", OptProfileSelector::kMIN, Dims{1, 3, 8, 8});
  profile.setDimensions("input", OptProfileSelector::kOPT, Dims{2, 3, 16, 16});
  profile.setDimensions("input", OptProfileSelector::kMAX, Dims{4, 3, 24, 24});
  BuilderConfig config;
  config.setBackend(backend);
  config.addOptimizationProfile(profile);
  return Runtime().deserialize(builder.buildSerializedNetwork(*network, config));
}

constexpr const char* kOutput = "probabilities";

// Sets the input's shape and returns a host buffer the size of the output at it.
std::vector<uint8_t> outputBufferAt(ExecutionContext& context, const Dims& shape) {
  EXPECT_TRUE(context.setInputShape("input", shape).isOk());
  Dims outDims = context.getTensorShape(kOutput);
  int64_t count = 1;
  for (int32_t i = 0; i < outDims.nbDims; ++i) count *= outDims.d[i];
  return std::vector<uint8_t>(static_cast<size_t>(count) * sizeof(float));
}

#ifdef KILN_HAVE_CUDA
// Runs `input` at `shape` with device buffers on the context's own stream: the CUDA backend's way.
std::vector<uint8_t> runOnDevice(ExecutionContext& context, const Dims& shape, const std::vector<float>& input,
                                 cudaStream_t stream) {
  const char* output = kOutput;
  std::vector<uint8_t> out = outputBufferAt(context, shape);
  void *deviceIn = nullptr, *deviceOut = nullptr;
  EXPECT_EQ(cudaMalloc(&deviceIn, input.size() * sizeof(float)), cudaSuccess);
  EXPECT_EQ(cudaMalloc(&deviceOut, out.size()), cudaSuccess);
  EXPECT_EQ(cudaMemcpyAsync(deviceIn, input.data(), input.size() * sizeof(float), cudaMemcpyHostToDevice, stream),
            cudaSuccess);
  EXPECT_TRUE(context.setTensorAddress("input", deviceIn).isOk());
  EXPECT_TRUE(context.setTensorAddress(output, deviceOut).isOk());
  Status status = context.enqueueV3(stream);
  EXPECT_TRUE(status.isOk()) << (status.isOk() ? "" : status.error().what());
  EXPECT_EQ(cudaMemcpyAsync(out.data(), deviceOut, out.size(), cudaMemcpyDeviceToHost, stream), cudaSuccess);
  EXPECT_EQ(cudaStreamSynchronize(stream), cudaSuccess);
  cudaFree(deviceIn);
  cudaFree(deviceOut);
  return out;
}
#endif

// Runs `input` at `shape` on `context` and returns the output's bytes; fails the test on any error.
std::vector<uint8_t> run(ExecutionContext& context, const Dims& shape, std::vector<float> input) {
  const char* output = kOutput;
  std::vector<uint8_t> out = outputBufferAt(context, shape);
  EXPECT_TRUE(context.setTensorAddress("input", input.data()).isOk());
  EXPECT_TRUE(context.setTensorAddress(output, out.data()).isOk());
  Status status = context.executeV2();
  EXPECT_TRUE(status.isOk()) << (status.isOk() ? "" : status.error().what());
  return out;
}

std::vector<Case> makeCases(const Engine& engine, const std::string& backend = "cpu") {
  std::vector<Case> cases;
  uint32_t seed = 1;
  for (int64_t batch : {1, 3, 4})
    for (int64_t side : {8, 13, 24}) {
      Case c;
      c.shape = Dims{batch, 3, side, side + (side == 13 ? 3 : 0)};
      c.input.resize(static_cast<size_t>(batch * 3 * c.shape.d[2] * c.shape.d[3]));
      for (auto& v : c.input) v = static_cast<float>((seed = seed * 1664525u + 1013904223u) >> 8) / (1 << 24) - 0.5f;
      cases.push_back(std::move(c));
    }
  auto context = engine.createExecutionContext();
  for (auto& c : cases) {
#ifdef KILN_HAVE_CUDA
    if (backend == "cuda") {
      c.expected = runOnDevice(*context, c.shape, c.input, nullptr);
      continue;
    }
#endif
    (void)backend;
    c.expected = run(*context, c.shape, c.input);
  }
  return cases;
}

// One run of a case on a context, as one thread does it (host buffers, or device buffers on the thread's stream).
using RunCase = std::function<std::vector<uint8_t>(ExecutionContext&, const Case&)>;

// kThreads threads, each with a context of `engine` and the runner `perThread` makes for it, run kRunsPerThread
// cases each, in an order of their own: every output matches the single-threaded run's bytes.
void expectBitIdenticalUnderLoad(const Engine& engine, const std::vector<Case>& cases,
                                 const std::function<RunCase()>& perThread) {
  std::atomic<int> mismatches{0}, runs{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      auto context = engine.createExecutionContext();
      RunCase runCase = perThread();
      for (int i = 0; i < kRunsPerThread; ++i) {
        const Case& c = cases[(t * 5 + i * 7) % cases.size()];
        if (runCase(*context, c) != c.expected) ++mismatches;
        ++runs;
      }
    });
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(runs.load(), kThreads * kRunsPerThread);
  EXPECT_EQ(mismatches.load(), 0);
}

TEST(ConcurrentContexts, EightThreadsMatchASingleThreadedRunBitForBitOnTheCpu) {
  auto engine = buildEngine("cpu");
  expectBitIdenticalUnderLoad(*engine, makeCases(*engine), [] {
    return [](ExecutionContext& context, const Case& c) { return run(context, c.shape, c.input); };
  });
}

// The same on the GPU: each thread's context enqueues on a stream of its own (scripts/device-check runs it).
TEST(ConcurrentContexts, EightStreamsMatchASingleThreadedRunBitForBitOnCuda) {
#ifdef KILN_HAVE_CUDA
  const auto names = availableBackends();
  if (std::find(names.begin(), names.end(), "cuda") == names.end()) GTEST_SKIP() << "SKIPPED: no CUDA device";
  auto engine = buildEngine("cuda");
  expectBitIdenticalUnderLoad(*engine, makeCases(*engine, "cuda"), [] {
    cudaStream_t created = nullptr;
    EXPECT_EQ(cudaStreamCreate(&created), cudaSuccess);
    std::shared_ptr<CUstream_st> stream(created, cudaStreamDestroy);  // destroyed with the thread's runner
    return [stream](ExecutionContext& context, const Case& c) {
      return runOnDevice(context, c.shape, c.input, stream.get());
    };
  });
#else
  GTEST_SKIP() << "SKIPPED: built without the CUDA backend";
#endif
}

// Documented: a context keeps the engine's weights, so it still runs (the same results) once the Engine is gone.
TEST(ConcurrentContexts, AContextOutlivesItsEngine) {
  auto engine = buildEngine("cpu");
  const auto cases = makeCases(*engine);
  auto context = engine->createExecutionContext();
  engine.reset();
  for (const auto& c : cases) EXPECT_EQ(run(*context, c.shape, c.input), c.expected);
}

}  // namespace
}  // namespace kiln
