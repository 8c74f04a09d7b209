// A test backend that forwards everything to the CPU backend under a name of its own: a test overrides the one
// behaviour it studies (tactics and their timings, a layout preference, an injected failure) and registers it.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "backends/registry.h"

namespace kiln::test {

class CpuBackendWrapper : public backend::Backend {
 public:
  explicit CpuBackendWrapper(const char* name) : name_(name) {}
  const backend::Backend& cpu() const { return *backend::findBackend("cpu"); }

  const char* name() const override { return name_; }
  bool isHostMemory() const override { return cpu().isHostMemory(); }
  bool available(std::string* reason) const override { return cpu().available(reason); }
  std::string target() const override { return cpu().target(); }
  std::unique_ptr<backend::Kernel> createKernel(const backend::KernelSpec& spec) const override {
    return cpu().createKernel(spec);
  }
  uint64_t memoryCapacity() const override { return cpu().memoryCapacity(); }
  void* allocate(size_t bytes) const override { return cpu().allocate(bytes); }
  void release(void* p) const override { cpu().release(p); }
  void copyFromHost(void* dst, const void* src, size_t bytes) const override { cpu().copyFromHost(dst, src, bytes); }
  void copyFromHostAsync(void* dst, const void* src, size_t bytes, void* stream) const override {
    cpu().copyFromHostAsync(dst, src, bytes, stream);
  }
  void synchronize(void* stream) const override { cpu().synchronize(stream); }
  double medianLaunchTime(const std::function<void(void*)>& launch, int32_t iterations) const override {
    return cpu().medianLaunchTime(launch, iterations);
  }
  std::vector<double> timeEach(void* stream, size_t count, const std::function<void(size_t)>& run) const override {
    return cpu().timeEach(stream, count, run);
  }

 private:
  const char* name_;
};

// The CPU backend, whose allocations above `limit` bytes fail as the CPU's own do when memory runs out.
class LimitedMemoryBackend : public CpuBackendWrapper {
 public:
  LimitedMemoryBackend(const char* name, size_t limit) : CpuBackendWrapper(name), limit(limit) {}
  void* allocate(size_t bytes) const override {
    if (bytes > limit)
      throw Error(ErrorCode::kRUNTIME, "out of host memory allocating " + std::to_string(bytes) + " bytes", "cpu");
    return cpu().allocate(bytes);
  }
  size_t limit;
};

}  // namespace kiln::test
