// The CUDA backend: device memory, the build target (SM and library versions), and a kernel per layer type.
// Memory is allocated only when engines and contexts are created; kernels queue work on the enqueue stream.
#include <mutex>

#include "backends/cuda/cuda_kernel.h"
#include "backends/cuda/cuda_target.h"
#include "plan/fused_epilogue.h"

namespace kiln::cuda {

namespace {

const KernelTable& kernelTable() {
  static const KernelTable table = [] {
    KernelTable t;
    registerElementwiseKernels(t);
    registerLayoutKernels(t);
    registerReductionKernels(t);
    registerMatrixKernels(t);
    registerGenerationKernels(t);
    registerConvolutionKernels(t);
    registerPoolingKernels(t);
    registerNormalizationKernels(t);
    registerResizeKernels(t);
    return t;
  }();
  return table;
}

// The current device's target. Throws when there is no device.
CudaTarget currentTarget() {
  int device = 0, major = 0, minor = 0, runtime = 0;
  KILN_CUDA_CHECK(cudaGetDevice(&device), "cuda");
  KILN_CUDA_CHECK(cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, device), "cuda");
  KILN_CUDA_CHECK(cudaDeviceGetAttribute(&minor, cudaDevAttrComputeCapabilityMinor, device), "cuda");
  KILN_CUDA_CHECK(cudaRuntimeGetVersion(&runtime), "cuda");
  return CudaTarget{major * 10 + minor, runtime, static_cast<int64_t>(cublasLtGetVersion())};
}

class CudaBackend : public backend::Backend {
 public:
  const char* name() const override { return "cuda"; }
  bool isHostMemory() const override { return false; }
  bool available(std::string* reason) const override {
    int count = 0;
    cudaError_t status = cudaGetDeviceCount(&count);
    if (status == cudaSuccess && count > 0) return true;
    if (reason)
      *reason = status == cudaSuccess ? std::string("no CUDA device")
                                      : std::string("no CUDA device (") + cudaGetErrorString(status) + ")";
    return false;
  }
  std::string target() const override { return formatTarget(currentTarget()); }
  std::string targetMismatch(const std::string& planTarget) const override {
    return cuda::targetMismatch(planTarget, currentTarget());
  }
  std::unique_ptr<Kernel> createKernel(const KernelSpec& spec) const override {
    const KernelFactory* factory = kernelTable().find(spec.step.type);
    if (!factory) spec.unsupported("the CUDA backend has no kernel for this layer type yet");
    // The cuBLASLt epilogue for a fused bias and activation (plan/fused_epilogue.h) is not implemented yet: refusing
    // the fused step keeps the builder from fusing, where the matrix kernel would ignore the epilogue.
    if (spec.step.type == LayerType::kMATRIX_MULTIPLY && (spec.hasInput(2) || plan::postActivation(spec.step.attrs)))
      spec.unsupported("the CUDA matrix multiply has no fused bias or activation epilogue yet");
    return (*factory)(spec);
  }
  void* allocate(size_t bytes) const override {
    void* p = nullptr;
    if (cudaError_t status = cudaMalloc(&p, bytes); status != cudaSuccess)
      throw Error(ErrorCode::kRUNTIME,
                  "cudaMalloc of " + std::to_string(bytes) + " bytes failed: " + cudaGetErrorString(status), "cuda");
    return p;
  }
  void release(void* p) const override { cudaFree(p); }  // an error here (a dead context) has nowhere to go
  void copyFromHost(void* dst, const void* src, size_t bytes) const override {
    if (bytes) KILN_CUDA_CHECK(cudaMemcpy(dst, src, bytes, cudaMemcpyHostToDevice), "cuda weights upload");
  }
  void copyFromHostAsync(void* dst, const void* src, size_t bytes, void* stream) const override {
    if (bytes)
      KILN_CUDA_CHECK(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyHostToDevice, static_cast<cudaStream_t>(stream)),
                      "cuda shape-input upload");
  }
  void synchronize(void* stream) const override {
    KILN_CUDA_CHECK(cudaStreamSynchronize(static_cast<cudaStream_t>(stream)), "cuda executeV2");
  }
};

}  // namespace

cublasLtHandle_t cublasLtHandle() {
  static cublasLtHandle_t handle = [] {
    cublasLtHandle_t h = nullptr;
    KILN_CUBLAS_CHECK(cublasLtCreate(&h), "cuda");
    return h;
  }();
  return handle;
}

}  // namespace kiln::cuda

namespace kiln::backend {
std::unique_ptr<Backend> makeCudaBackend() { return std::make_unique<cuda::CudaBackend>(); }
}  // namespace kiln::backend
