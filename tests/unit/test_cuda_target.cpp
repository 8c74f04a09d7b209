// The CUDA backend's host-side rules, tested without a GPU: the plan target text, the mismatch check at load, and
// createKernel rejecting steps the backend has no kernel for.
#include <gtest/gtest.h>

#include "backends/backend.h"
#include "backends/cuda/cuda_target.h"

namespace kiln {
namespace {

using cuda::CudaTarget;

TEST(CudaTarget, FormatsAndParsesBack) {
  CudaTarget t{90, 13000, 130100};
  EXPECT_EQ(cuda::formatTarget(t), "sm_90 cudart 13000 cublasLt 130100");
  auto parsed = cuda::parseTarget("sm_90 cudart 13000 cublasLt 130100");
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(*parsed, t);
}

TEST(CudaTarget, RejectsOtherSpellings) {
  for (const char* text : {"", "sm_90", "x86_64", "sm_090 cudart 13000 cublasLt 130100", "sm_x cudart 1 cublasLt 1",
                           "sm_90 cudart 13000 cublasLt 130100 extra", "sm_90 cuda 13000 cublasLt 130100",
                           "sm_-90 cudart 13000 cublasLt 130100"})
    EXPECT_FALSE(cuda::parseTarget(text).has_value()) << text;
}

TEST(CudaTarget, SameTargetLoads) {
  EXPECT_EQ(cuda::targetMismatch("sm_90 cudart 13000 cublasLt 130100", {90, 13000, 130100}), "");
}

TEST(CudaTarget, OtherSmNamesBothArchitectures) {
  std::string why = cuda::targetMismatch("sm_80 cudart 13000 cublasLt 130100", {90, 13000, 130100});
  EXPECT_NE(why.find("built for sm_80"), std::string::npos) << why;
  EXPECT_NE(why.find("this GPU is sm_90"), std::string::npos) << why;
}

TEST(CudaTarget, OtherLibrariesNameBothTargets) {
  std::string why = cuda::targetMismatch("sm_90 cudart 12080 cublasLt 120900", {90, 13000, 130100});
  EXPECT_NE(why.find("'sm_90 cudart 12080 cublasLt 120900'"), std::string::npos) << why;
  EXPECT_NE(why.find("'sm_90 cudart 13000 cublasLt 130100'"), std::string::npos) << why;
}

TEST(CudaTarget, CpuPlanIsNotACudaTarget) {
  std::string why = cuda::targetMismatch("x86_64", {90, 13000, 130100});
  EXPECT_NE(why.find("'x86_64' is not a CUDA target"), std::string::npos) << why;
}

TEST(CudaTarget, CpuBackendNamesBothTargets) {
  const backend::Backend* cpu = backend::findBackend("cpu");
  ASSERT_NE(cpu, nullptr);
  EXPECT_EQ(cpu->targetMismatch(cpu->target()), "");
  std::string why = cpu->targetMismatch("sm_90 cudart 13000 cublasLt 130100");
  EXPECT_NE(why.find("'sm_90 cudart 13000 cublasLt 130100'"), std::string::npos) << why;
  std::string quoted = cpu->target();
  quoted.insert(quoted.begin(), '\'');
  quoted.push_back('\'');
  EXPECT_NE(why.find(quoted), std::string::npos) << why;
}

// Needs no GPU: kernels are chosen on the host.
TEST(CudaBackendKernels, RejectsLayersWithoutAKernelNamingStepAndType) {
  const backend::Backend* cuda = backend::findBackend("cuda");
  if (!cuda) GTEST_SKIP() << "this kiln build has no CUDA backend";
  EXPECT_FALSE(cuda->isHostMemory());
  plan::Plan plan;
  plan.tensors.resize(2);
  plan::Step step;
  step.type = LayerType::kEINSUM;  // no CUDA kernel yet
  step.name = "einsum_1";
  step.inputs = {0};
  step.outputs = {1};
  try {
    cuda->createKernel(backend::KernelSpec{plan, step});
    FAIL() << "an einsum kernel was created";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kUNSUPPORTED);
    EXPECT_EQ(e.object(), "einsum_1");
    EXPECT_NE(std::string(e.what()).find(layerTypeName(LayerType::kEINSUM)), std::string::npos) << e.what();
  }
}

TEST(CudaBackendKernels, RejectsSliceModesOtherThanStrict) {
  const backend::Backend* cuda = backend::findBackend("cuda");
  if (!cuda) GTEST_SKIP() << "this kiln build has no CUDA backend";
  plan::Plan plan;
  plan.tensors.resize(2);
  plan.tensors[0].dims = {0};
  plan::Step step;
  step.type = LayerType::kSLICE;
  step.name = "slice_1";
  step.inputs = {0};
  step.outputs = {1};
  step.attrs.set("start", graph::ExprList{{0}});
  step.attrs.set("stride", graph::ExprList{{0}});
  step.attrs.set("mode", static_cast<int64_t>(SampleMode::kWRAP));
  try {
    cuda->createKernel(backend::KernelSpec{plan, step});
    FAIL() << "a wrap-mode slice kernel was created";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kUNSUPPORTED);
    EXPECT_EQ(e.object(), "slice_1");
    EXPECT_NE(std::string(e.what()).find("strict-bounds"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace kiln
