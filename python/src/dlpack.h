// The DLPack ABI (dmlc/dlpack v0.8, the stable structs): what __dlpack__ capsules hold. Declared here instead of
// depending on a header package; only the fields kiln reads and writes.
#pragma once

#include <cstdint>

namespace kiln::python::dlpack {

// DLDeviceType values kiln tells apart.
constexpr int32_t kCPU = 1;
constexpr int32_t kCUDA = 2;
constexpr int32_t kCUDAHost = 3;
constexpr int32_t kCUDAManaged = 13;
// DLDataTypeCode values.
constexpr uint8_t kInt = 0;
constexpr uint8_t kUInt = 1;
constexpr uint8_t kFloat = 2;
constexpr uint8_t kBfloat = 4;
constexpr uint8_t kBool = 6;

struct Device {
  int32_t deviceType;
  int32_t deviceId;
};
struct DataType {
  uint8_t code;
  uint8_t bits;
  uint16_t lanes;
};
struct Tensor {
  void* data;
  Device device;
  int32_t ndim;
  DataType dtype;
  int64_t* shape;
  int64_t* strides;  // null: compact row-major
  uint64_t byteOffset;
};
struct ManagedTensor {
  Tensor tensor;
  void* managerContext;
  void (*deleter)(ManagedTensor* self);
};

// The capsule names of the protocol: unused, and taken by a consumer.
constexpr const char* kCapsuleName = "dltensor";
constexpr const char* kUsedCapsuleName = "used_dltensor";

}  // namespace kiln::python::dlpack
