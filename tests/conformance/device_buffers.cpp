#include "device_buffers.h"

#include <string>

#include "kiln/error.h"

#ifdef KILN_HAVE_CUDA
#include <cuda_runtime.h>
#endif

namespace kiln::conformance {

namespace {

#ifdef KILN_HAVE_CUDA
void check(cudaError_t status, const char* what) {
  if (status != cudaSuccess) throw Error(ErrorCode::kRUNTIME, std::string(what) + ": " + cudaGetErrorString(status), "device buffers");
}
#else
[[noreturn]] void noCuda() { throw Error(ErrorCode::kUNSUPPORTED, "this build has no CUDA", "device buffers"); }
#endif

}  // namespace

DeviceBuffers::~DeviceBuffers() {
#ifdef KILN_HAVE_CUDA
  for (void* p : owned_) cudaFree(p);
#endif
}

void* DeviceBuffers::allocate(size_t bytes) {
#ifdef KILN_HAVE_CUDA
  void* p = nullptr;
  check(cudaMalloc(&p, bytes == 0 ? 1 : bytes), "cudaMalloc");
  owned_.push_back(p);
  return p;
#else
  (void)bytes;
  noCuda();
#endif
}

void* DeviceBuffers::upload(const void* host, size_t bytes) {
  void* p = allocate(bytes);
#ifdef KILN_HAVE_CUDA
  if (bytes) check(cudaMemcpy(p, host, bytes, cudaMemcpyHostToDevice), "cudaMemcpy to the device");
#else
  (void)host;
#endif
  return p;
}

void DeviceBuffers::download(void* host, const void* device, size_t bytes) {
#ifdef KILN_HAVE_CUDA
  if (bytes) check(cudaMemcpy(host, device, bytes, cudaMemcpyDeviceToHost), "cudaMemcpy to the host");
#else
  (void)host, (void)device, (void)bytes;
  noCuda();
#endif
}

}  // namespace kiln::conformance
