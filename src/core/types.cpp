#include "kiln/types.h"

#include <sstream>

#include "core/checked_math.h"

namespace kiln {

size_t dataTypeSize(DataType type) {
  switch (type) {
    case DataType::kFLOAT: return 4;
    case DataType::kHALF: return 2;
    case DataType::kBF16: return 2;
    case DataType::kINT8: return 1;
    case DataType::kUINT8: return 1;
    case DataType::kINT32: return 4;
    case DataType::kINT64: return 8;
    case DataType::kBOOL: return 1;
    case DataType::kDOUBLE: return 8;
    case DataType::kINT16: return 2;
    case DataType::kUINT16: return 2;
    case DataType::kUINT32: return 4;
    case DataType::kUINT64: return 8;
  }
  return 0;
}

const char* dataTypeName(DataType type) {
  switch (type) {
    case DataType::kFLOAT: return "fp32";
    case DataType::kHALF: return "fp16";
    case DataType::kBF16: return "bf16";
    case DataType::kINT8: return "int8";
    case DataType::kUINT8: return "uint8";
    case DataType::kINT32: return "int32";
    case DataType::kINT64: return "int64";
    case DataType::kBOOL: return "bool";
    case DataType::kDOUBLE: return "fp64";
    case DataType::kINT16: return "int16";
    case DataType::kUINT16: return "uint16";
    case DataType::kUINT32: return "uint32";
    case DataType::kUINT64: return "uint64";
  }
  return "invalid";
}

bool isFloatingPoint(DataType type) {
  return type == DataType::kFLOAT || type == DataType::kHALF || type == DataType::kBF16 || type == DataType::kDOUBLE;
}

bool isInteger(DataType type) { return !isFloatingPoint(type) && type != DataType::kBOOL; }

bool isUnsignedInteger(DataType type) {
  return type == DataType::kUINT8 || type == DataType::kUINT16 || type == DataType::kUINT32 ||
         type == DataType::kUINT64;
}

bool isValidDataType(int32_t value) { return value >= 0 && value <= static_cast<int32_t>(DataType::kUINT64); }

Dims::Dims(std::initializer_list<int64_t> values) {
  for (int64_t v : values) {
    if (nbDims < MAX_DIMS) d[nbDims] = v;
    ++nbDims;
  }
  if (nbDims > MAX_DIMS) nbDims = MAX_DIMS + 1;  // marks an invalid Dims; rejected where used
}

bool Dims::operator==(const Dims& other) const {
  if (nbDims != other.nbDims) return false;
  for (int32_t i = 0; i < nbDims && i < MAX_DIMS; ++i)
    if (d[i] != other.d[i]) return false;
  return true;
}

int64_t Dims::volume() const {
  if (auto v = core::tryVolume(*this)) return *v;
  throw Error(ErrorCode::kINVALID_ARGUMENT, "the element count overflows 64-bit integers", toString(*this));
}

bool Dims::hasDynamic() const {
  for (int32_t i = 0; i < nbDims && i < MAX_DIMS; ++i)
    if (d[i] < 0) return true;
  return false;
}

std::string toString(const Dims& dims) {
  if (dims.nbDims < 0) return "unset";
  if (dims.nbDims == 0) return "scalar";
  std::ostringstream s;
  for (int32_t i = 0; i < dims.nbDims && i < Dims::MAX_DIMS; ++i) s << (i ? "x" : "") << dims.d[i];
  return s.str();
}

}  // namespace kiln
