// Element types and dimensions shared by every part of the public API.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>

namespace kiln {

enum class DataType : int32_t {
  kFLOAT = 0,
  kHALF = 1,
  kBF16 = 2,
  kINT8 = 3,
  kUINT8 = 4,
  kINT32 = 5,
  kINT64 = 6,
  kBOOL = 7,
  kDOUBLE = 8,  // fp64: host (CPU backend) only
  kINT16 = 9,
  kUINT16 = 10,
  kUINT32 = 11,
  kUINT64 = 12,
};

// Bytes per element of `type`.
size_t dataTypeSize(DataType type);
// "fp32", "fp16", "bf16", "int8", "uint8", "int32", "int64", "bool", "fp64", "int16", "uint16", "uint32", "uint64".
const char* dataTypeName(DataType type);
bool isFloatingPoint(DataType type);
// Signed or unsigned integers of any width; bool is not one.
bool isInteger(DataType type);
bool isUnsignedInteger(DataType type);
bool isValidDataType(int32_t value);

// Up to eight dimensions. In a network definition -1 marks a dimension known only at run time.
struct Dims {
  static constexpr int32_t MAX_DIMS = 8;
  int32_t nbDims = 0;
  int64_t d[MAX_DIMS] = {};

  Dims() = default;
  Dims(std::initializer_list<int64_t> values);

  bool operator==(const Dims& other) const;
  // Product of all dimensions; 1 for rank 0. Meaningless when a dimension is -1.
  int64_t volume() const;
  bool hasDynamic() const;
};

// "1x3x-1x-1"; "scalar" for rank 0.
std::string toString(const Dims& dims);

// Which of an optimization profile's three shapes (or shape-input values) a call sets or reads.
enum class OptProfileSelector : int32_t { kMIN = 0, kOPT = 1, kMAX = 2 };

// Weights handed to the network; the network copies them, so the caller's buffer may be freed afterwards.
struct Weights {
  DataType type = DataType::kFLOAT;
  const void* values = nullptr;
  int64_t count = 0;
};

}  // namespace kiln
