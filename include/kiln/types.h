// Element types and dimensions shared by every part of the public API.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>

namespace kiln {

// The type of a tensor's elements. The values are stored in plans, so they never change.
enum class DataType : int32_t {
  kFLOAT = 0,    // fp32
  kHALF = 1,     // fp16 (IEEE half precision)
  kBF16 = 2,     // bfloat16: fp32's exponent, 7 mantissa bits
  kINT8 = 3,     // signed 8-bit integer
  kUINT8 = 4,    // unsigned 8-bit integer
  kINT32 = 5,    // signed 32-bit integer
  kINT64 = 6,    // signed 64-bit integer
  kBOOL = 7,     // one byte per element, 0 or 1
  kDOUBLE = 8,   // fp64: host (CPU backend) only
  kINT16 = 9,    // signed 16-bit integer
  kUINT16 = 10,  // unsigned 16-bit integer
  kUINT32 = 11,  // unsigned 32-bit integer
  kUINT64 = 12,  // unsigned 64-bit integer
};

// Bytes per element of `type`; 0 for a value that is not a DataType.
size_t dataTypeSize(DataType type);
// "fp32", "fp16", "bf16", "int8", "uint8", "int32", "int64", "bool", "fp64", "int16", "uint16", "uint32", "uint64";
// "invalid" for a value that is not a DataType.
const char* dataTypeName(DataType type);
// True for fp32, fp16, bf16 and fp64.
bool isFloatingPoint(DataType type);
// Signed or unsigned integers of any width; bool is not one.
bool isInteger(DataType type);
// True for uint8, uint16, uint32 and uint64.
bool isUnsignedInteger(DataType type);
// True when `value` is one of DataType's values (for types read from files or other languages).
bool isValidDataType(int32_t value);

// Up to eight dimensions. In a network definition -1 marks a dimension known only at run time.
struct Dims {
  // The most dimensions a tensor may have.
  static constexpr int32_t MAX_DIMS = 8;
  int32_t nbDims = 0;        // the rank; -1 where a call answers "not set", MAX_DIMS + 1 for too many values
  int64_t d[MAX_DIMS] = {};  // the sizes of the first nbDims axes, in elements

  // Rank 0 (a scalar).
  Dims() = default;
  // The listed sizes, e.g. Dims{1, 3, 224, 224}. More than MAX_DIMS values give nbDims = MAX_DIMS + 1, which the
  // calls taking Dims reject (with a kiln::Error, or a failed Status at run time).
  Dims(std::initializer_list<int64_t> values);

  // Same rank and the same sizes.
  bool operator==(const Dims& other) const;
  // Product of all dimensions (elements); 1 for rank 0. Meaningless when a dimension is -1. Throws kiln::Error
  // (kINVALID_ARGUMENT) when the product does not fit in int64.
  int64_t volume() const;
  // True when a dimension is negative (-1: known only at run time).
  bool hasDynamic() const;
};

// "1x3x-1x-1"; "scalar" for rank 0, "unset" for nbDims < 0.
std::string toString(const Dims& dims);

// Which of an optimization profile's three shapes (or shape-input values) a call sets or reads.
enum class OptProfileSelector : int32_t {
  kMIN = 0,  // the smallest shape the profile accepts
  kOPT = 1,  // the shape kernels are chosen and timed for
  kMAX = 2,  // the largest shape the profile accepts; memory is planned for it
};

// Weights handed to the network; the network copies them, so the caller's buffer may be freed afterwards.
struct Weights {
  DataType type = DataType::kFLOAT;  // the type of each value
  const void* values = nullptr;      // `count` values of `type`; may be null when count is 0
  int64_t count = 0;                 // the number of values (elements, not bytes)
};

}  // namespace kiln
