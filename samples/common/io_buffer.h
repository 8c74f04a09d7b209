// Memory for one IO tensor of an engine, as TensorRT samples keep it in their BufferManager: a host copy the sample
// fills and reads, and, when the engine's IO lives on the device (Engine::isDeviceMemory), a device allocation of the
// same size that the context is bound to. On the CPU backend the host copy is the binding and the copies do nothing.
#pragma once

#include <cstddef>
#include <limits>
#include <string>
#include <vector>

#include "kiln/kiln.h"

namespace kiln::samples {

class IoBuffer {
 public:
  static constexpr size_t kAll = std::numeric_limits<size_t>::max();

  // `bytes` of host memory, and as many on the device when `onDevice`. `name` (the tensor's) names it in errors.
  // Throws kiln::Error when the device allocation fails, or when `onDevice` in a build without CUDA.
  IoBuffer(std::string name, size_t bytes, bool onDevice);
  // On the device exactly when `engine`'s IO is.
  IoBuffer(std::string name, size_t bytes, const Engine& engine);
  ~IoBuffer();
  IoBuffer(IoBuffer&& other) noexcept;
  IoBuffer& operator=(IoBuffer&& other) noexcept;
  IoBuffer(const IoBuffer&) = delete;
  IoBuffer& operator=(const IoBuffer&) = delete;

  const std::string& name() const { return name_; }
  size_t size() const { return size_; }
  bool onDevice() const { return onDevice_; }
  void* host() { return host_.data(); }
  const void* host() const { return host_.data(); }
  template <typename T>
  T* hostAs() {
    return reinterpret_cast<T*>(host_.data());
  }
  template <typename T>
  const T* hostAs() const {
    return reinterpret_cast<const T*>(host_.data());
  }
  // The address to give ExecutionContext::setTensorAddress: the device allocation, or the host copy.
  void* binding() { return onDevice() ? device_ : host(); }

  // Copies the first `bytes` (all by default: a dynamic shape often uses less than the buffer holds) of the host
  // copy to the device, or back; nothing to do on the host. Throws kiln::Error naming the buffer.
  void toDevice(size_t bytes = kAll);
  void toHost(size_t bytes = kAll);

 private:
  size_t checkedCount(size_t bytes, const char* direction) const;
  void release() noexcept;

  std::string name_;
  size_t size_ = 0;
  bool onDevice_ = false;
  std::vector<unsigned char> host_;  // at least one byte, so that an empty tensor still has an address to bind
  void* device_ = nullptr;
};

}  // namespace kiln::samples
