// The CPU backend: host memory, and a kernel per layer type from the per-family tables.
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>

#include "backends/cpu/cpu_kernel.h"

namespace kiln::cpu {

void failStep(const std::string& step, const std::string& message) { throw Error(ErrorCode::kRUNTIME, message, step); }

namespace {

const KernelTable& kernelTable() {
  static const KernelTable table = [] {
    KernelTable t;
    registerCopyKernels(t);
    registerElementwiseKernels(t);
    registerMatrixKernels(t);
    registerConvolutionKernels(t);
    registerPluginKernels(t);
    registerPoolingKernels(t);
    registerReductionKernels(t);
    registerShapeKernels(t);
    registerResizeKernels(t);
    registerIndexingKernels(t);
    registerGenerationKernels(t);
    registerNormalizationKernels(t);
    registerRecurrenceKernels(t);
    return t;
  }();
  return table;
}

class CpuBackend : public backend::Backend {
 public:
  const char* name() const override { return "cpu"; }
  bool isHostMemory() const override { return true; }
  bool available(std::string*) const override { return true; }
  std::string target() const override {
#if defined(__x86_64__)
    return "x86_64";
#elif defined(__aarch64__)
    return "aarch64";
#else
    return "host";
#endif
  }
  std::unique_ptr<Kernel> createKernel(const KernelSpec& spec) const override {
    const KernelFactory* factory = kernelTable().find(spec.step.type);
    if (!factory) spec.unsupported("the CPU backend has no kernel for this layer type");
    return (*factory)(spec);
  }
  uint64_t memoryCapacity() const override {
    long pages = sysconf(_SC_PHYS_PAGES), pageSize = sysconf(_SC_PAGESIZE);
    return pages > 0 && pageSize > 0 ? static_cast<uint64_t>(pages) * static_cast<uint64_t>(pageSize) : 0;
  }
  void* allocate(size_t bytes) const override {
    // 64-byte alignment suits vector loads and BLAS; a size that cannot be rounded up to it cannot be had either.
    void* p = bytes <= SIZE_MAX - 63 ? std::aligned_alloc(64, (bytes + 63) / 64 * 64) : nullptr;
    if (!p)
      throw Error(ErrorCode::kRUNTIME, "out of host memory allocating " + std::to_string(bytes) + " bytes", "cpu");
    return p;
  }
  void release(void* p) const override { std::free(p); }
  void copyFromHost(void* dst, const void* src, size_t bytes) const override {
    if (bytes) std::memcpy(dst, src, bytes);
  }
  void copyFromHostAsync(void* dst, const void* src, size_t bytes, void*) const override {
    copyFromHost(dst, src, bytes);
  }
  void synchronize(void*) const override {}  // kernels run inline: nothing is ever pending
  std::vector<double> timeEach(void*, size_t count, const std::function<void(size_t)>& run) const override {
    std::vector<double> ms;
    for (size_t i = 0; i < count; ++i) {
      auto start = std::chrono::steady_clock::now();
      run(i);
      ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    }
    return ms;
  }
  double medianLaunchTime(const std::function<void(void*)>& launch, int32_t iterations) const override {
    launch(nullptr);  // warm-up: caches, lazily built tables
    std::vector<double> ms;
    for (int32_t i = 0; i < iterations; ++i) {
      auto start = std::chrono::steady_clock::now();
      launch(nullptr);
      ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    }
    return backend::median(ms);
  }
};

}  // namespace

}  // namespace kiln::cpu

namespace kiln::backend {
std::unique_ptr<Backend> makeCpuBackend() { return std::make_unique<cpu::CpuBackend>(); }
}  // namespace kiln::backend
