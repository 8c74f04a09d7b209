// The CUDA backend: device memory, the build target (SM and library versions), and a kernel per layer type.
// Memory is allocated only when engines and contexts are created; kernels queue work on the enqueue stream.
#include <cudnn.h>

#include <mutex>
#include <vector>

#include "backends/cuda/cuda_kernel.h"
#include "backends/cuda/cuda_target.h"
#include "backends/cuda/launch_timing.h"

namespace kiln::cuda {

namespace {

const KernelTable& kernelTable() {
  static const KernelTable table = [] {
    KernelTable t;
    registerCopyKernels(t);
    registerElementwiseKernels(t);
    registerGenerationKernels(t);
    registerIndexingKernels(t);
    registerMatrixKernels(t);
    registerMatrixLoopKernels(t);
    registerNormalizationKernels(t);
    registerPoolingKernels(t);
    registerConvolutionKernels(t);
    registerRecurrenceKernels(t);
    registerReductionKernels(t);
    registerResizeKernels(t);
    registerShapeKernels(t);
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
  return CudaTarget{major * 10 + minor, runtime, static_cast<int64_t>(cublasLtGetVersion()),
                    static_cast<int64_t>(cudnnGetVersion())};
}

// An instantiated CUDA graph; destroying it while a replay is in flight is safe (CUDA frees it on completion).
class CudaGraph final : public backend::RecordedWork {
 public:
  explicit CudaGraph(cudaGraphExec_t exec) : exec_(exec) {}
  ~CudaGraph() override { cudaGraphExecDestroy(exec_); }
  void replay(void* stream) const override {
    KILN_CUDA_CHECK(cudaGraphLaunch(exec_, static_cast<cudaStream_t>(stream)), "cuda graph replay");
  }

 private:
  cudaGraphExec_t exec_;
};

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
    return (*factory)(spec);
  }
  // fp16 convolutions run on tensor cores, which read NHWC: in NCHW cuDNN transposes around every call. Channel
  // counts of a multiple of 8 (16 bytes) are what its NHWC tensor-core kernels are built for.
  bool prefersChannelsLast(DataType type, int64_t channels, int64_t maps) const override {
    return type == DataType::kHALF && channels % 8 == 0 && maps % 8 == 0;
  }
  int64_t channelsLastAlignment(DataType type) const override { return type == DataType::kHALF ? 8 : 1; }
  uint64_t memoryCapacity() const override {
    size_t freeBytes = 0, totalBytes = 0;
    return cudaMemGetInfo(&freeBytes, &totalBytes) == cudaSuccess ? totalBytes : 0;
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
  double medianLaunchTime(const std::function<void(void*)>& launch, int32_t iterations) const override {
    return cuda::medianLaunchTimes({launch}, iterations).front();
  }
  std::vector<double> medianLaunchTimes(const std::vector<std::function<void(void*)>>& launches,
                                        int32_t rounds) const override {
    return cuda::medianLaunchTimes(launches, rounds);
  }
  std::vector<double> timeEach(void* stream, size_t count, const std::function<void(size_t)>& run) const override {
    return cuda::timeEachStep(static_cast<cudaStream_t>(stream), count, run);
  }
  std::unique_ptr<backend::RecordedWork> record(void* stream, const std::function<void()>& enqueue) const override {
    auto s = static_cast<cudaStream_t>(stream);
    if (!s) return nullptr;  // the legacy default stream cannot be captured
    cudaStreamCaptureStatus status = cudaStreamCaptureStatusNone;
    KILN_CUDA_CHECK(cudaStreamIsCapturing(s, &status), "cuda graph capture");
    if (status != cudaStreamCaptureStatusNone) return nullptr;  // the caller records this run into its own graph
    // Thread-local mode: other threads' contexts keep working while this one records.
    KILN_CUDA_CHECK(cudaStreamBeginCapture(s, cudaStreamCaptureModeThreadLocal), "cuda graph capture");
    cudaGraph_t graph = nullptr;
    try {
      enqueue();
    } catch (...) {
      if (cudaStreamEndCapture(s, &graph) == cudaSuccess && graph) cudaGraphDestroy(graph);
      cudaGetLastError();  // capture errors are not sticky: clear them so later calls see their own
      throw;
    }
    KILN_CUDA_CHECK(cudaStreamEndCapture(s, &graph), "cuda graph capture");
    cudaGraphExec_t exec = nullptr;
    cudaError_t instantiated = cudaGraphInstantiate(&exec, graph, 0);
    cudaGraphDestroy(graph);
    KILN_CUDA_CHECK(instantiated, "cuda graph capture");
    return std::make_unique<CudaGraph>(exec);
  }
  void* createStream() const override {
    cudaStream_t s = nullptr;  // blocking: ordered with work on the legacy default stream
    KILN_CUDA_CHECK(cudaStreamCreate(&s), "cuda executeV2");
    return s;
  }
  void destroyStream(void* stream) const override { cudaStreamDestroy(static_cast<cudaStream_t>(stream)); }
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
