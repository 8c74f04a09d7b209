// The CUDA backend's host-side rules, tested without a GPU: the plan target text, the mismatch check at load, and
// createKernel rejecting steps the backend has no kernel for.
#include <gtest/gtest.h>

#include "backends/cuda/cuda_target.h"
#include "backends/registry.h"

namespace kiln {
namespace {

using cuda::CudaTarget;

TEST(CudaTarget, FormatsAndParsesBack) {
  CudaTarget t{90, 13000, 130100, 91400};
  EXPECT_EQ(cuda::formatTarget(t), "sm_90 cudart 13000 cublasLt 130100 cudnn 91400");
  auto parsed = cuda::parseTarget("sm_90 cudart 13000 cublasLt 130100 cudnn 91400");
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(*parsed, t);
}

TEST(CudaTarget, RejectsOtherSpellings) {
  for (const char* text :
       {"", "sm_90", "x86_64", "sm_090 cudart 13000 cublasLt 130100 cudnn 91400", "sm_x cudart 1 cublasLt 1 cudnn 1",
        "sm_90 cudart 13000 cublasLt 130100 cudnn 91400 extra", "sm_90 cuda 13000 cublasLt 130100 cudnn 91400",
        "sm_-90 cudart 13000 cublasLt 130100 cudnn 91400",
        "sm_90 cudart 13000 cublasLt 130100" /* before the cuDNN version was recorded */})
    EXPECT_FALSE(cuda::parseTarget(text).has_value()) << text;
}

TEST(CudaTarget, SameTargetLoads) {
  EXPECT_EQ(cuda::targetMismatch("sm_90 cudart 13000 cublasLt 130100 cudnn 91400", {90, 13000, 130100, 91400}), "");
}

TEST(CudaTarget, OtherSmNamesBothArchitectures) {
  std::string why = cuda::targetMismatch("sm_80 cudart 13000 cublasLt 130100 cudnn 91400", {90, 13000, 130100, 91400});
  EXPECT_NE(why.find("built for sm_80"), std::string::npos) << why;
  EXPECT_NE(why.find("this GPU is sm_90"), std::string::npos) << why;
}

TEST(CudaTarget, OtherLibrariesNameBothTargets) {
  std::string why = cuda::targetMismatch("sm_90 cudart 12080 cublasLt 120900 cudnn 91400", {90, 13000, 130100, 91400});
  EXPECT_NE(why.find("'sm_90 cudart 12080 cublasLt 120900 cudnn 91400'"), std::string::npos) << why;
  EXPECT_NE(why.find("'sm_90 cudart 13000 cublasLt 130100 cudnn 91400'"), std::string::npos) << why;
}

// Convolution tactics are cuDNN algorithms: a plan (or a timing) made with another cuDNN is not used.
TEST(CudaTarget, OtherCudnnNamesBothTargets) {
  std::string why = cuda::targetMismatch("sm_90 cudart 13000 cublasLt 130100 cudnn 91900", {90, 13000, 130100, 91400});
  EXPECT_NE(why.find("'sm_90 cudart 13000 cublasLt 130100 cudnn 91900'"), std::string::npos) << why;
  EXPECT_NE(why.find("'sm_90 cudart 13000 cublasLt 130100 cudnn 91400'"), std::string::npos) << why;
}

TEST(CudaTarget, CpuPlanIsNotACudaTarget) {
  std::string why = cuda::targetMismatch("x86_64", {90, 13000, 130100, 91400});
  EXPECT_NE(why.find("'x86_64' is not a CUDA target"), std::string::npos) << why;
}

TEST(CudaTarget, CpuBackendNamesBothTargets) {
  const backend::Backend* cpu = backend::findBackend("cpu");
  ASSERT_NE(cpu, nullptr);
  EXPECT_EQ(cpu->targetMismatch(cpu->target()), "");
  std::string why = cpu->targetMismatch("sm_90 cudart 13000 cublasLt 130100 cudnn 91400");
  EXPECT_NE(why.find("'sm_90 cudart 13000 cublasLt 130100 cudnn 91400'"), std::string::npos) << why;
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
  step.type = LayerType::kONE_HOT;  // no CUDA kernel yet
  step.name = "one_hot_1";
  step.inputs = {0};
  step.outputs = {1};
  try {
    cuda->createKernel(backend::KernelSpec{plan, step});
    FAIL() << "a one-hot kernel was created";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kUNSUPPORTED);
    EXPECT_EQ(e.object(), "one_hot_1");
    EXPECT_NE(std::string(e.what()).find(layerTypeName(LayerType::kONE_HOT)), std::string::npos) << e.what();
  }
}

// createKernel for `step` over `plan`: "" when a kernel was created, else the message of its kUNSUPPORTED error
// (which must name the step).
std::string rejectionOf(const backend::Backend& cuda, const plan::Plan& plan, const plan::Step& step) {
  try {
    cuda.createKernel(backend::KernelSpec{plan, step});
    return "";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kUNSUPPORTED);
    EXPECT_EQ(e.object(), step.name);
    return e.what();
  }
}

// A plan of `types.size()` rank-1 tensors of those types; the step reads all but the last and writes the last.
struct OneStep {
  plan::Plan plan;
  plan::Step step;
  OneStep(LayerType type, const std::vector<DataType>& types) {
    plan.tensors.resize(types.size());
    for (size_t i = 0; i < types.size(); ++i) {
      plan.tensors[i].type = types[i];
      plan.tensors[i].dims = {0};
      if (i + 1 < types.size()) step.inputs.push_back(static_cast<int32_t>(i));
    }
    step.type = type;
    step.name = std::string(layerTypeName(type)) + "_1";
    step.outputs = {static_cast<int32_t>(types.size() - 1)};
  }
};

TEST(CudaBackendKernels, SlicesInEverySampleModeAndRejectsUnknownModes) {
  const backend::Backend* cuda = backend::findBackend("cuda");
  if (!cuda) GTEST_SKIP() << "this kiln build has no CUDA backend";
  OneStep s(LayerType::kSLICE, {DataType::kFLOAT, DataType::kFLOAT});
  s.step.attrs.set("start", ops::ExprList{{0}});
  s.step.attrs.set("stride", ops::ExprList{{0}});
  for (SampleMode mode :
       {SampleMode::kSTRICT_BOUNDS, SampleMode::kWRAP, SampleMode::kCLAMP, SampleMode::kFILL, SampleMode::kREFLECT}) {
    s.step.attrs.set("mode", static_cast<int64_t>(mode));
    EXPECT_EQ(rejectionOf(*cuda, s.plan, s.step), "") << static_cast<int>(mode);
  }
  s.step.attrs.set("mode", int64_t{7});
  EXPECT_NE(rejectionOf(*cuda, s.plan, s.step).find("unknown sample mode"), std::string::npos);
}

TEST(CudaBackendKernels, ScatterReductionsAndCumulativeSumsRejectBool) {
  const backend::Backend* cuda = backend::findBackend("cuda");
  if (!cuda) GTEST_SKIP() << "this kiln build has no CUDA backend";
  OneStep scatter(LayerType::kSCATTER, {DataType::kBOOL, DataType::kINT64, DataType::kBOOL, DataType::kBOOL});
  scatter.step.attrs.set("mode", static_cast<int64_t>(ScatterMode::kELEMENT));
  scatter.step.attrs.set("axis", int64_t{0});
  scatter.step.attrs.set("reduction", static_cast<int64_t>(ScatterReduction::kNONE));
  EXPECT_EQ(rejectionOf(*cuda, scatter.plan, scatter.step), "");  // plain writes move any type
  scatter.step.attrs.set("reduction", static_cast<int64_t>(ScatterReduction::kADD));
  EXPECT_NE(rejectionOf(*cuda, scatter.plan, scatter.step).find("scatter reductions on bool"), std::string::npos);
  scatter.plan.tensors[1].type = DataType::kFLOAT;
  scatter.step.attrs.set("reduction", static_cast<int64_t>(ScatterReduction::kNONE));
  EXPECT_NE(rejectionOf(*cuda, scatter.plan, scatter.step).find("int32 or int64"), std::string::npos);

  OneStep cumulative(LayerType::kCUMULATIVE, {DataType::kBOOL, DataType::kBOOL});
  cumulative.step.attrs.set("axis", int64_t{0});
  EXPECT_NE(rejectionOf(*cuda, cumulative.plan, cumulative.step).find("cumulative sums of bool"), std::string::npos);
  cumulative.plan.tensors[0].type = cumulative.plan.tensors[1].type = DataType::kHALF;
  EXPECT_EQ(rejectionOf(*cuda, cumulative.plan, cumulative.step), "");
}

TEST(CudaBackendKernels, GatherNDRejectsBatchAxesOutOfRange) {
  const backend::Backend* cuda = backend::findBackend("cuda");
  if (!cuda) GTEST_SKIP() << "this kiln build has no CUDA backend";
  OneStep gather(LayerType::kGATHER, {DataType::kFLOAT, DataType::kINT32, DataType::kFLOAT});
  gather.step.attrs.set("mode", static_cast<int64_t>(GatherMode::kND));
  gather.step.attrs.set("axis", int64_t{0});
  gather.step.attrs.set("batch_dims", int64_t{0});
  EXPECT_EQ(rejectionOf(*cuda, gather.plan, gather.step), "");
  gather.step.attrs.set("batch_dims", int64_t{1});  // the data has rank 1
  EXPECT_NE(rejectionOf(*cuda, gather.plan, gather.step).find("batch dimensions 1 are out of range"),
            std::string::npos);
}

TEST(CudaBackendKernels, DeterminantTakesFloatingPointTypes) {
  const backend::Backend* cuda = backend::findBackend("cuda");
  if (!cuda) GTEST_SKIP() << "this kiln build has no CUDA backend";
  for (DataType type : {DataType::kFLOAT, DataType::kDOUBLE, DataType::kHALF, DataType::kBF16}) {
    OneStep det(LayerType::kDETERMINANT, {type, type});
    EXPECT_EQ(rejectionOf(*cuda, det.plan, det.step), "") << dataTypeName(type);
  }
  OneStep det(LayerType::kDETERMINANT, {DataType::kINT32, DataType::kINT32});
  EXPECT_NE(rejectionOf(*cuda, det.plan, det.step).find("supports fp32, fp64, fp16 and bf16, not int32"),
            std::string::npos);
}

// The kernel passes each operand's strides along every label by value: at most 8 operands and 32 distinct labels.
TEST(CudaBackendKernels, EinsumTypesAndLimits) {
  const backend::Backend* cuda = backend::findBackend("cuda");
  if (!cuda) GTEST_SKIP() << "this kiln build has no CUDA backend";
  // "i,i->i" over `nbOperands` operands (label 0 everywhere).
  auto einsum = [](DataType type, size_t nbOperands) {
    OneStep s(LayerType::kEINSUM, std::vector<DataType>(nbOperands + 1, type));
    s.step.attrs.set("einsum_labels", std::vector<int64_t>(nbOperands + 1, 0));
    s.step.attrs.set("einsum_ranks", std::vector<int64_t>(nbOperands + 1, 1));
    return s;
  };
  for (DataType type :
       {DataType::kFLOAT, DataType::kDOUBLE, DataType::kHALF, DataType::kBF16, DataType::kINT32, DataType::kINT64}) {
    OneStep s = einsum(type, 2);
    EXPECT_EQ(rejectionOf(*cuda, s.plan, s.step), "") << dataTypeName(type);
  }
  OneStep bytes = einsum(DataType::kINT8, 2);
  EXPECT_NE(rejectionOf(*cuda, bytes.plan, bytes.step).find("not int8"), std::string::npos);
  OneStep eight = einsum(DataType::kFLOAT, 8), nine = einsum(DataType::kFLOAT, 9);
  EXPECT_EQ(rejectionOf(*cuda, eight.plan, eight.step), "");
  EXPECT_NE(rejectionOf(*cuda, nine.plan, nine.step).find("at most 8 operands, not 9"), std::string::npos);
  // One operand of rank 33 (labels 0..32) summed into its first label: 33 loops; one label fewer fits.
  OneStep wide = einsum(DataType::kFLOAT, 1);
  std::vector<int64_t> labels;
  for (int64_t l = 0; l < 33; ++l) labels.push_back(l);
  labels.push_back(0);
  wide.step.attrs.set("einsum_labels", labels);
  wide.step.attrs.set("einsum_ranks", std::vector<int64_t>{33, 1});
  EXPECT_NE(rejectionOf(*cuda, wide.plan, wide.step).find("at most 32 distinct labels, not 33"), std::string::npos);
  labels.erase(labels.end() - 2);
  wide.step.attrs.set("einsum_labels", labels);
  wide.step.attrs.set("einsum_ranks", std::vector<int64_t>{32, 1});
  EXPECT_EQ(rejectionOf(*cuda, wide.plan, wide.step), "");
}

}  // namespace
}  // namespace kiln
