// The Python-side engine and device array, shared by the runtime, context and device-array bindings.
#pragma once

#include <pybind11/pybind11.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "kiln/runtime.h"

namespace kiln::python {

namespace py = pybind11;

// kiln.Engine: a loaded plan together with its bytes, which kiln::Engine does not keep, for serialize().
struct PyEngine {
  std::unique_ptr<Engine> engine;
  std::vector<uint8_t> plan;
};

// kiln.DeviceArray: device memory (cudaMalloc) with a shape and a type, handed out through __dlpack__ and
// __cuda_array_interface__. In a build without CUDA, making one raises kiln.Error.
class DeviceArray {
 public:
  DeviceArray(const Dims& shape, DataType type);
  ~DeviceArray();
  DeviceArray(const DeviceArray&) = delete;
  DeviceArray& operator=(const DeviceArray&) = delete;

  void* data() const { return data_; }
  const Dims& shape() const { return shape_; }
  DataType type() const { return type_; }
  size_t bytes() const;
  // Copies a host array of the same size in (bytes == nbytes) or out.
  void copyFromHost(const void* host, size_t bytes);
  void copyToHost(void* host, size_t bytes) const;

 private:
  Dims shape_;
  DataType type_;
  void* data_ = nullptr;
};

// Waits for the device (the producers of foreign device arrays may still be writing them); nothing without CUDA.
void synchronizeDevice();

}  // namespace kiln::python
