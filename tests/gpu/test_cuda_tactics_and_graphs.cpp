// The CUDA backend's build-time and run-time machinery: matrix multiplies with fused bias/activation epilogues,
// cuBLASLt algorithms timed per profile (and reused from a timing cache), CUDA graph replay per shape set, and two
// contexts of one engine running on two threads, profiled runs. Outputs are compared with the CPU backend's.
#include <cuda_runtime.h>
#include <gtest/gtest.h>

#include <thread>

#include "gpu_test_util.h"

namespace kiln {
namespace {

using gpu_test::as;
using gpu_test::DeviceRun;
using gpu_test::dims;
using gpu_test::markFloat;
using gpu_test::Stream;
using test::HostTensor;

Tensor* constant(NetworkDefinition& n, const Dims& shape, uint32_t seed, DataType type, float range = 0.25f) {
  return as(n,
            test::floatConstant(n, shape, test::randomFloats(static_cast<size_t>(shape.volume()), seed, -range, range)),
            type);
}

// x [-1, 16] -> (x W1 + b1, ReLU) -> (b2 + h W2, exact GELU) -> output; and x W3 with a ReLU and no bias.
void makeMlp(NetworkDefinition& n, DataType type) {
  Tensor* x = as(n, n.addInput("x", DataType::kFLOAT, dims({-1, 16})), type);
  auto mm = [&](Tensor* a, Tensor* w) {
    return n.addMatrixMultiply(*a, MatrixOperation::kNONE, *w, MatrixOperation::kNONE)->getOutput(0);
  };
  auto sum = [&](Tensor* a, Tensor* b) { return n.addElementWise(*a, *b, ElementWiseOperation::kSUM)->getOutput(0); };
  auto act = [&](Tensor* t, ActivationType a) { return n.addActivation(*t, a)->getOutput(0); };
  Tensor* h =
      act(sum(mm(x, constant(n, dims({16, 32}), 1, type)), constant(n, dims({32}), 2, type)), ActivationType::kRELU);
  markFloat(n, act(sum(constant(n, dims({1, 8}), 4, type), mm(h, constant(n, dims({32, 8}), 3, type))),
                   ActivationType::kGELU_ERF));
  markFloat(n, act(mm(x, constant(n, dims({16, 4}), 5, type)), ActivationType::kRELU));
}

class CudaEpilogue : public ::testing::TestWithParam<DataType> {};

TEST_P(CudaEpilogue, MatrixMultiplyBiasAndActivationsFuseIntoOneStepEach) {
  REQUIRE_CUDA();
  std::unique_ptr<Engine> gpu;
  gpu_test::compareBackends(
      makeMlp, GetParam(), dims({1, 16}), dims({33, 16}), {dims({1, 16}), dims({5, 16}), dims({33, 16})},
      [](size_t count, uint32_t seed) { return test::randomFloats(count, seed, -1.0f, 1.0f); }, &gpu);
  ASSERT_TRUE(gpu);
  for (int32_t i = 0; i < gpu->getNbLayers(); ++i) {
    std::string type = gpu->getLayerInformation(i).type;
    EXPECT_TRUE(type != "Activation" && type != "ElementWise") << "step " << i << " is " << type;
  }
}

INSTANTIATE_TEST_SUITE_P(Precisions, CudaEpilogue, ::testing::Values(DataType::kFLOAT, DataType::kHALF),
                         gpu_test::typeParamName);

std::unique_ptr<Engine> build(const char* backend, const std::vector<OptimizationProfile>& profiles,
                              TimingCache* cache = nullptr) {
  return gpu_test::buildProfiles(backend, makeMlp, DataType::kFLOAT, profiles, cache);
}

void expectSame(const std::vector<std::vector<float>>& actual, const std::vector<HostTensor>& expected) {
  ASSERT_EQ(actual.size(), expected.size());
  for (size_t i = 0; i < actual.size(); ++i) test::expectNear(actual[i], expected[i].f32(), 1e-5f, 1e-4f);
}

HostTensor input(int64_t rows, uint32_t seed) {
  return HostTensor::f32(dims({rows, 16}), test::randomFloats(static_cast<size_t>(rows * 16), seed, -1.0f, 1.0f));
}

TEST(CudaTactics, EachProfileGetsATimedCublasLtAlgorithmAndTheTimingCacheSkipsRetiming) {
  REQUIRE_CUDA();
  std::vector<OptimizationProfile> profiles{test::profileFor("x", dims({1, 16}), dims({4, 16}), dims({8, 16})),
                                            test::profileFor("x", dims({64, 16}), dims({256, 16}), dims({512, 16}))};
  TimingCache cache;
  auto gpu = build("cuda", profiles, &cache);
  EXPECT_GT(cache.misses(), 0);
  EXPECT_EQ(cache.hits(), 0);
  int32_t matmuls = 0;
  for (int32_t i = 0; i < gpu->getNbLayers(); ++i) {
    LayerInfo info = gpu->getLayerInformation(i);
    if (info.type != "MatrixMultiply") continue;
    ++matmuls;
    ASSERT_EQ(info.tactics.size(), 2u);
    for (const auto& t : info.tactics) EXPECT_EQ(t.rfind("cublasLt algo", 0), 0u) << info.name << ": '" << t << "'";
  }
  EXPECT_EQ(matmuls, 3);

  int64_t timed = cache.misses();
  auto again = build("cuda", profiles, &cache);
  EXPECT_EQ(cache.hits(), timed);
  EXPECT_EQ(cache.misses(), 0);

  // Both profiles compute what the CPU computes with the algorithms chosen for them.
  auto cpu = build("cpu", profiles);
  for (int32_t profile : {0, 1}) {
    auto context = again->createExecutionContext();
    context->setOptimizationProfile(profile).check();
    DeviceRun run(*again, *context, dims({profile == 0 ? 8 : 512, 16}));
    Stream stream;
    for (int64_t rows : profile == 0 ? std::vector<int64_t>{1, 8} : std::vector<int64_t>{64, 300, 512}) {
      SCOPED_TRACE("profile " + std::to_string(profile) + ", " + std::to_string(rows) + " rows");
      HostTensor x = input(rows, static_cast<uint32_t>(rows));
      expectSame(run.run(x, stream.s), test::runEngine(*cpu, {x}, profile));
    }
  }
}

TEST(CudaGraphs, ARunIsRecordedOnTheSecondComingOfItsShapesAndReplayedWithNewData) {
  REQUIRE_CUDA();
  std::vector<OptimizationProfile> profiles{test::profileFor("x", dims({1, 16}), dims({8, 16}), dims({16, 16}))};
  auto gpu = build("cuda", profiles);
  auto cpu = build("cpu", profiles);
  auto context = gpu->createExecutionContext();
  DeviceRun run(*gpu, *context, dims({16, 16}));
  Stream stream;
  uint32_t seed = 10;
  auto step = [&](int64_t rows, cudaStream_t s, int32_t graphsAfter) {
    SCOPED_TRACE(std::to_string(rows) + " rows, run with seed " + std::to_string(seed));
    HostTensor x = input(rows, seed++);
    expectSame(run.run(x, s), test::runEngine(*cpu, {x}));
    EXPECT_EQ(context->getNbRecordedGraphs(), graphsAfter);
  };
  step(4, stream.s, 0);  // first: eager
  step(4, stream.s, 1);  // second: recorded, then replayed
  step(4, stream.s, 1);  // replayed with new input values
  step(7, stream.s, 1);  // new shapes: eager
  step(7, stream.s, 2);
  step(4, nullptr, 2);  // executeV2 replays the same recording on the context's own stream
  context->setGraphReplay(false);
  EXPECT_EQ(context->getNbRecordedGraphs(), 0);
  step(7, stream.s, 0);
  step(7, stream.s, 0);
}

TEST(CudaGraphs, TwoContextsOfOneEngineRunOnTwoThreads) {
  REQUIRE_CUDA();
  std::vector<OptimizationProfile> profiles{test::profileFor("x", dims({1, 16}), dims({8, 16}), dims({64, 16}))};
  auto gpu = build("cuda", profiles);
  auto cpu = build("cpu", profiles);
  // References first (the CPU engine is used from this thread only).
  std::vector<HostTensor> inputs;
  std::vector<std::vector<HostTensor>> expected;
  for (int64_t rows : {3, 64, 17, 1}) {
    inputs.push_back(input(rows, static_cast<uint32_t>(100 + rows)));
    expected.push_back(test::runEngine(*cpu, {inputs.back()}));
  }
  auto worker = [&](size_t first, std::vector<std::vector<std::vector<float>>>& results) {
    auto context = gpu->createExecutionContext();
    DeviceRun run(*gpu, *context, dims({64, 16}));
    Stream stream;
    for (int32_t round = 0; round < 20; ++round)
      for (size_t k = 0; k < 2; ++k) results.push_back(run.run(inputs[first + k], stream.s));
  };
  std::vector<std::vector<std::vector<float>>> a, b;
  std::thread ta(worker, 0, std::ref(a)), tb(worker, 2, std::ref(b));
  ta.join();
  tb.join();
  ASSERT_EQ(a.size(), 40u);
  ASSERT_EQ(b.size(), 40u);
  for (size_t r = 0; r < 40; ++r) {
    expectSame(a[r], expected[r % 2]);
    expectSame(b[r], expected[2 + r % 2]);
  }
}

// A profiled run times each step on the GPU's clock (recorded into a graph with an event between steps on a stream
// that can record; eagerly with events between them on executeV2's), still computes, and is never replayed.
TEST(CudaProfiler, ProfiledRunsReportEveryStepInOrderAndStillCompute) {
  REQUIRE_CUDA();
  std::vector<OptimizationProfile> profiles{test::profileFor("x", dims({1, 16}), dims({8, 16}), dims({16, 16}))};
  auto gpu = build("cuda", profiles);
  auto cpu = build("cpu", profiles);
  std::vector<std::string> steps;
  for (int32_t l = 0; l < gpu->getNbLayers(); ++l) steps.push_back(gpu->getLayerInformation(l).name);
  ASSERT_GE(steps.size(), 2u);
  auto context = gpu->createExecutionContext();
  test::RecordingProfiler profiler;
  context->setProfiler(&profiler);
  DeviceRun run(*gpu, *context, dims({16, 16}));
  Stream stream;
  uint32_t seed = 40;
  for (cudaStream_t s : {stream.s, stream.s, static_cast<cudaStream_t>(nullptr)}) {
    SCOPED_TRACE(s ? "enqueueV3" : "executeV2");
    HostTensor x = input(5, seed++);
    size_t before = profiler.names.size();
    expectSame(run.run(x, s), test::runEngine(*cpu, {x}));
    ASSERT_EQ(profiler.names.size(), before + steps.size());
    for (size_t i = 0; i < steps.size(); ++i) {
      EXPECT_EQ(profiler.names[before + i], steps[i]);
      EXPECT_GE(profiler.times[before + i], 0.0f);
      EXPECT_LT(profiler.times[before + i], 1000.0f);  // a real elapsed time, not an uninitialized event pair
    }
  }
  EXPECT_EQ(context->getNbRecordedGraphs(), 0);
}

}  // namespace
}  // namespace kiln
