// cuDNN algorithms as tactics: every convolution and deconvolution step of an fp32, fp32-with-TF32 and fp16 network
// gets an algorithm timed at each of two profiles' opt shapes (fp32 without TF32 on FMA math only), a rebuild with the
// same timing cache times nothing, and both profiles compute what the CPU computes at shapes across their ranges, run
// eagerly and then replayed from a CUDA graph. Inputs and weights are multiples of 1/1024 in [-1, 1], exact in fp16
// and TF32, so the reduced precisions differ from the CPU only in rounding (the output, and the transforms of FFT and
// Winograd algorithms): each output within 1e-2 relative plus 1e-2 of its largest magnitude (1e-4 for fp32).
#include <cuda_runtime.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "gpu_test_util.h"

namespace kiln {
namespace {

using gpu_test::as;
using gpu_test::dims;
using gpu_test::markFloat;
using gpu_test::weights;

struct Precision {
  const char* name;
  DataType type;
  bool tf32;
};

// Three branches from x [-1, 8, -1, -1]: a 3x3 convolution with bias and ReLU (cudnnConvolutionBiasActivationForward),
// a stride-2 2x2 SAME_UPPER convolution (asymmetric on odd sizes: the input is staged in the workspace) and a stride-2
// deconvolution with asymmetric padding and a bias (its output cropped from the workspace).
void makeConvolutions(NetworkDefinition& n, DataType type) {
  Tensor* x = as(n, n.addInput("x", DataType::kFLOAT, dims({-1, 8, -1, -1})), type);
  auto* conv = n.addConvolution(*x, *weights(n, dims({16, 8, 3, 3}), 51, type), weights(n, dims({16}), 52, type));
  conv->setPaddingNd(dims({1, 1}));
  markFloat(n, n.addActivation(*conv->getOutput(0), ActivationType::kRELU)->getOutput(0));
  auto* same = n.addConvolution(*x, *weights(n, dims({8, 8, 2, 2}), 53, type), nullptr);
  same->setPaddingMode(PaddingMode::kSAME_UPPER);
  same->setStrideNd(dims({2, 2}));
  markFloat(n, same->getOutput(0));
  auto* deconv = n.addDeconvolution(*x, *weights(n, dims({8, 8, 3, 3}), 54, type), weights(n, dims({8}), 55, type));
  deconv->setStrideNd(dims({2, 2}));
  deconv->setPrePadding(dims({1, 0}));
  deconv->setPostPadding(dims({0, 1}));
  markFloat(n, deconv->getOutput(0));
}

// Each output within tolerance * (|expected| + its largest |expected|).
void expectClose(const std::vector<std::vector<float>>& actual, const std::vector<test::HostTensor>& expected,
                 float tolerance) {
  ASSERT_EQ(actual.size(), expected.size());
  for (size_t i = 0; i < actual.size(); ++i) {
    SCOPED_TRACE("output " + std::to_string(i));
    std::vector<float> values = expected[i].f32();
    float scale = 0.0f;
    for (float v : values) scale = std::max(scale, std::fabs(v));
    test::expectNear(actual[i], values, tolerance * scale, tolerance);
  }
}

std::unique_ptr<Engine> build(const char* backend, const Precision& precision,
                              const std::vector<OptimizationProfile>& profiles, TimingCache* cache = nullptr) {
  std::vector<BuilderFlag> flags;
  if (precision.tf32) flags.push_back(BuilderFlag::kTF32);
  return gpu_test::buildProfiles(backend, makeConvolutions, precision.type, profiles, cache, flags);
}

class CudaConvolutionTactics : public ::testing::TestWithParam<Precision> {};

INSTANTIATE_TEST_SUITE_P(Precisions, CudaConvolutionTactics,
                         ::testing::Values(Precision{"fp32", DataType::kFLOAT, false},
                                           Precision{"tf32", DataType::kFLOAT, true},
                                           Precision{"fp16", DataType::kHALF, false}),
                         [](const auto& info) { return std::string(info.param.name); });

TEST_P(CudaConvolutionTactics, EachProfileGetsATimedCudnnAlgorithmAndTheTimingCacheSkipsRetiming) {
  REQUIRE_CUDA();
  const Precision& precision = GetParam();
  std::vector<Dims> maxShapes{dims({4, 8, 16, 16}), dims({8, 8, 40, 40})};
  std::vector<OptimizationProfile> profiles{
      test::profileFor("x", dims({1, 8, 5, 5}), dims({2, 8, 12, 12}), maxShapes[0]),
      test::profileFor("x", dims({4, 8, 20, 20}), dims({8, 8, 32, 32}), maxShapes[1])};
  TimingCache cache;
  auto gpu = build("cuda", precision, profiles, &cache);
  EXPECT_GT(cache.misses(), 0);
  EXPECT_EQ(cache.hits(), 0);
  int32_t convolutions = 0;
  for (int32_t i = 0; i < gpu->getNbLayers(); ++i) {
    LayerInfo info = gpu->getLayerInformation(i);
    std::string prefix = info.type == "Convolution"     ? "cudnn fwd "
                         : info.type == "Deconvolution" ? "cudnn bwd-data "
                                                        : "";
    if (prefix.empty()) continue;
    ++convolutions;
    ASSERT_EQ(info.tactics.size(), 2u) << info.name;
    for (const auto& t : info.tactics) {
      SCOPED_TRACE(info.name + ": '" + t + "'");
      EXPECT_EQ(t.rfind(prefix, 0), 0u);
      // fp32 stays off tensor cores unless TF32 is allowed; nothing converts fp32 data to fp16.
      if (precision.type == DataType::kFLOAT && !precision.tf32) {
        EXPECT_EQ(t.substr(t.rfind(' ')), " fma");
      }
      EXPECT_EQ(t.find("conversion"), std::string::npos);
    }
  }
  EXPECT_EQ(convolutions, 3);

  int64_t timed = cache.misses();
  auto again = build("cuda", precision, profiles, &cache);
  EXPECT_EQ(cache.hits(), timed);
  EXPECT_EQ(cache.misses(), 0);
  for (int32_t i = 0; i < gpu->getNbLayers(); ++i)
    EXPECT_EQ(again->getLayerInformation(i).tactics, gpu->getLayerInformation(i).tactics) << "step " << i;

  // Both profiles compute what the CPU computes, with the algorithms chosen for them and, at other shapes, wherever
  // those are valid; the second run of a shape is recorded as a CUDA graph, the third replays it.
  auto cpu = build("cpu", Precision{"fp32", DataType::kFLOAT, false}, profiles);
  float tolerance = precision.type == DataType::kFLOAT && !precision.tf32 ? 1e-4f : 1e-2f;
  std::vector<std::vector<Dims>> shapes{{dims({1, 8, 5, 5}), dims({3, 8, 11, 16}), maxShapes[0]},
                                        {dims({8, 8, 32, 32}), dims({5, 8, 40, 21}), dims({4, 8, 20, 20})}};
  uint32_t seed = 60;
  for (int32_t profile : {0, 1}) {
    auto context = again->createExecutionContext();
    context->setOptimizationProfile(profile).check();
    gpu_test::DeviceRun run(*again, *context, maxShapes[static_cast<size_t>(profile)]);
    gpu_test::Stream stream;
    for (const Dims& shape : shapes[static_cast<size_t>(profile)]) {
      auto x = test::HostTensor::f32(shape, gpu_test::exactHalfValues(static_cast<size_t>(shape.volume()), seed++));
      auto expected = test::runEngine(*cpu, {x}, profile);
      for (int32_t repeat = 0; repeat < 3; ++repeat) {
        SCOPED_TRACE("profile " + std::to_string(profile) + ", " + toString(shape) + ", run " + std::to_string(repeat));
        expectClose(run.run(x, stream.s), expected, tolerance);
      }
    }
    EXPECT_GT(context->getNbRecordedGraphs(), 0);
  }
}

}  // namespace
}  // namespace kiln
