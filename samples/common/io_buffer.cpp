#include "io_buffer.h"

#include <algorithm>
#include <utility>

#ifdef KILN_HAVE_CUDA
#include <cuda_runtime.h>
#endif

namespace kiln::samples {

namespace {

#ifdef KILN_HAVE_CUDA
void checkCuda(cudaError_t status, const std::string& what, const std::string& buffer) {
  if (status != cudaSuccess) throw Error(ErrorCode::kRUNTIME, what + " failed: " + cudaGetErrorString(status), buffer);
}
#endif

}  // namespace

IoBuffer::IoBuffer(std::string name, size_t bytes, bool onDevice)
    : name_(std::move(name)), size_(bytes), onDevice_(onDevice), host_(std::max<size_t>(bytes, 1)) {
  if (!onDevice_) return;
#ifdef KILN_HAVE_CUDA
  checkCuda(cudaMalloc(&device_, std::max<size_t>(bytes, 1)), "cudaMalloc of " + std::to_string(bytes) + " bytes",
            name_);
#else
  throw Error(ErrorCode::kUNSUPPORTED, "a device buffer needs a build with CUDA", name_);
#endif
}

IoBuffer::IoBuffer(std::string name, size_t bytes, const Engine& engine)
    : IoBuffer(std::move(name), bytes, engine.isDeviceMemory()) {}

IoBuffer::~IoBuffer() { release(); }

IoBuffer::IoBuffer(IoBuffer&& other) noexcept
    : name_(std::move(other.name_)),
      size_(std::exchange(other.size_, 0)),
      onDevice_(std::exchange(other.onDevice_, false)),
      host_(std::move(other.host_)),
      device_(std::exchange(other.device_, nullptr)) {}

IoBuffer& IoBuffer::operator=(IoBuffer&& other) noexcept {
  if (this != &other) {
    release();
    name_ = std::move(other.name_);
    size_ = std::exchange(other.size_, 0);
    onDevice_ = std::exchange(other.onDevice_, false);
    host_ = std::move(other.host_);
    device_ = std::exchange(other.device_, nullptr);
  }
  return *this;
}

void IoBuffer::release() noexcept {
#ifdef KILN_HAVE_CUDA
  if (device_) cudaFree(device_);  // a failure here (a dead context) has nowhere to go
#endif
  device_ = nullptr;
}

size_t IoBuffer::checkedCount(size_t bytes, const char* direction) const {
  if (bytes == kAll) return size_;
  if (bytes > size_)
    throw Error(ErrorCode::kINVALID_ARGUMENT,
                std::string("copy ") + direction + " of " + std::to_string(bytes) + " bytes exceeds the buffer's " +
                    std::to_string(size_),
                name_);
  return bytes;
}

void IoBuffer::toDevice(size_t bytes) {
  size_t count = checkedCount(bytes, "to the device");
  if (!onDevice_ || count == 0) return;
#ifdef KILN_HAVE_CUDA
  checkCuda(cudaMemcpy(device_, host_.data(), count, cudaMemcpyHostToDevice), "copy to the device", name_);
#endif
}

void IoBuffer::toHost(size_t bytes) {
  size_t count = checkedCount(bytes, "to the host");
  if (!onDevice_ || count == 0) return;
#ifdef KILN_HAVE_CUDA
  checkCuda(cudaMemcpy(host_.data(), device_, count, cudaMemcpyDeviceToHost), "copy to the host", name_);
#endif
}

}  // namespace kiln::samples
