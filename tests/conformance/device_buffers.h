// Device memory for running the conformance suite on a GPU backend: inputs uploaded, outputs allocated and read
// back, everything freed with the owner. Without CUDA in this build every call fails as unsupported.
#pragma once

#include <cstddef>
#include <vector>

namespace kiln::conformance {

class DeviceBuffers {
 public:
  DeviceBuffers() = default;
  ~DeviceBuffers();
  DeviceBuffers(const DeviceBuffers&) = delete;
  DeviceBuffers& operator=(const DeviceBuffers&) = delete;

  // A device copy of `bytes` bytes at `host` (at least one byte allocated, so empty tensors get an address).
  void* upload(const void* host, size_t bytes);
  // Uninitialized device memory.
  void* allocate(size_t bytes);
  // Copies `bytes` bytes of device memory to `host` (waits for work queued before it).
  static void download(void* host, const void* device, size_t bytes);

 private:
  std::vector<void*> owned_;
};

}  // namespace kiln::conformance
