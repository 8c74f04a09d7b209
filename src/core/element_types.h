// The C++ types that hold kiln's element types: the one list every type dispatch builds on, so a new element
// type is added here once instead of in each kernel.
#pragma once

#include <cstdint>

#include "kiln/types.h"

namespace kiln::core {

// Calls f(T{}) with the C++ integer type of `type`; false (f not called) for floating point and bool.
template <typename F>
bool dispatchInteger(DataType type, F&& f) {
  switch (type) {
    case DataType::kINT8: f(int8_t{}); return true;
    case DataType::kUINT8: f(uint8_t{}); return true;
    case DataType::kINT16: f(int16_t{}); return true;
    case DataType::kUINT16: f(uint16_t{}); return true;
    case DataType::kINT32: f(int32_t{}); return true;
    case DataType::kUINT32: f(uint32_t{}); return true;
    case DataType::kINT64: f(int64_t{}); return true;
    case DataType::kUINT64: f(uint64_t{}); return true;
    default: return false;
  }
}

// Calls f(T{}) for the types held as plain C++ arithmetic values: fp32, fp64 and every integer type; false for
// fp16, bf16 (bit patterns that need converting) and bool.
template <typename F>
bool dispatchArithmetic(DataType type, F&& f) {
  switch (type) {
    case DataType::kFLOAT: f(float{}); return true;
    case DataType::kDOUBLE: f(double{}); return true;
    default: return dispatchInteger(type, f);
  }
}

}  // namespace kiln::core
