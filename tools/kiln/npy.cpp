#include "npy.h"

#include <cstring>
#include <limits>

#include "file_io.h"
#include "kiln/error.h"
#include "npy_header.h"
#include "text_parsing.h"

namespace kiln::cli {

namespace {

struct Descr {
  const char* text;
  DataType type;
};
// Little-endian (or byte-sized) types only; '<' and '|' are what numpy writes on x86 and ARM.
constexpr Descr kDescrs[] = {{"<f4", DataType::kFLOAT},  {"<f8", DataType::kDOUBLE}, {"<f2", DataType::kHALF},
                             {"<i4", DataType::kINT32},  {"<i8", DataType::kINT64},  {"|i1", DataType::kINT8},
                             {"|u1", DataType::kUINT8},  {"<i2", DataType::kINT16},  {"<u2", DataType::kUINT16},
                             {"<u4", DataType::kUINT32}, {"<u8", DataType::kUINT64}, {"|b1", DataType::kBOOL}};

[[noreturn]] void fail(const std::string& name, const std::string& message) {
  throw Error(ErrorCode::kINVALID_ARGUMENT, message, name);
}

// The type of a dtype string: its byte order ('<', or '|' and '<' for one-byte types), kind and size.
DataType typeOfDescr(const std::string& descr, const std::string& name) {
  for (const auto& d : kDescrs) {
    bool byteSized = d.text[0] == '|';
    if (descr.size() == 3 && descr.substr(1) == d.text + 1 && (descr[0] == d.text[0] || (byteSized && descr[0] == '<')))
      return d.type;
    if (descr.size() == 3 && descr[0] == '>' && !byteSized && descr.substr(1) == d.text + 1)
      fail(name,
           "big-endian dtype '" + descr + "' is not supported; save with array.astype('<" + descr.substr(1) + "')");
  }
  fail(name, "unsupported dtype " + quotedForMessage(descr) +
                 " (use float32/64/16, int8/16/32/64, uint8/16/32/64 or bool, little-endian)");
}

// The payload bytes `dims` of `elementSize` need. Refuses shapes whose non-zero dimensions multiply past INT64_MAX
// bytes, so that any product of the dimensions (Dims::volume, byte counts) fits in int64.
size_t payloadBytes(const Dims& dims, size_t elementSize, const std::string& name) {
  int64_t bytes = static_cast<int64_t>(elementSize);
  bool empty = false;
  for (int32_t i = 0; i < dims.nbDims; ++i) {
    if (dims.d[i] == 0) {
      empty = true;
      continue;
    }
    if (dims.d[i] > std::numeric_limits<int64_t>::max() / bytes)
      fail(name, "shape " + toString(dims) + " is too large (more than 2^63 bytes)");
    bytes *= dims.d[i];
  }
  return empty ? 0 : static_cast<size_t>(bytes);
}

// numpy's Fortran order stores the first axis fastest; the runtime reads C order, the last axis fastest.
std::vector<uint8_t> fortranToC(const uint8_t* data, const Dims& dims, size_t elementSize) {
  int64_t count = dims.volume();
  std::vector<uint8_t> c(static_cast<size_t>(count) * elementSize);
  int64_t fortranStride[Dims::MAX_DIMS] = {};
  for (int32_t k = 0; k < dims.nbDims; ++k) fortranStride[k] = k == 0 ? 1 : fortranStride[k - 1] * dims.d[k - 1];
  int64_t index[Dims::MAX_DIMS] = {};  // the multi-index of the next element in C order
  for (int64_t i = 0; i < count; ++i) {
    int64_t fortranOffset = 0;
    for (int32_t k = 0; k < dims.nbDims; ++k) fortranOffset += index[k] * fortranStride[k];
    std::memcpy(c.data() + i * elementSize, data + fortranOffset * elementSize, elementSize);
    for (int32_t k = dims.nbDims - 1; k >= 0 && ++index[k] == dims.d[k]; --k) index[k] = 0;
  }
  return c;
}

}  // namespace

NpyArray parseNpy(const void* data, size_t size, const std::string& name) {
  const auto* bytes = static_cast<const uint8_t*>(data);
  if (size < 8 || std::memcmp(bytes, "\x93NUMPY", 6) != 0)
    fail(name, "not a .npy file (it does not start with \\x93NUMPY)");
  uint8_t major = bytes[6];
  uint8_t minor = bytes[7];
  size_t lengthBytes = major == 1 ? 2 : (major == 2 || major == 3) ? 4 : 0;
  if (lengthBytes == 0)
    fail(name, "unsupported .npy format version " + std::to_string(major) + "." + std::to_string(minor) +
                   " (1.0, 2.0 and 3.0 are known)");
  if (size < 8 + lengthBytes) fail(name, "the file ends inside the header length");
  uint64_t headerLength = 0;
  for (size_t i = 0; i < lengthBytes; ++i) headerLength |= static_cast<uint64_t>(bytes[8 + i]) << (8 * i);
  size_t headerStart = 8 + lengthBytes;
  if (headerLength > size - headerStart)
    fail(name, "the header length " + std::to_string(headerLength) + " runs past the end of the file (" +
                   std::to_string(size) + " bytes)");
  std::string_view headerText(reinterpret_cast<const char*>(bytes + headerStart), headerLength);
  NpyHeader header = parseNpyHeader(headerText, name);
  NpyArray array;
  array.type = typeOfDescr(header.descr, name);
  array.dims = header.shape;
  size_t elementSize = dataTypeSize(array.type);
  size_t needed = payloadBytes(array.dims, elementSize, name);
  size_t present = size - headerStart - headerLength;
  if (present != needed)
    fail(name, "shape " + toString(array.dims) + " of " + dataTypeName(array.type) + " needs " +
                   std::to_string(needed) + " bytes of data but the file holds " + std::to_string(present) +
                   (present < needed ? " (truncated)" : " (trailing bytes)"));
  const uint8_t* payload = bytes + headerStart + headerLength;
  if (header.fortranOrder && array.dims.nbDims > 1)
    array.bytes = fortranToC(payload, array.dims, elementSize);
  else
    array.bytes.assign(payload, payload + needed);
  // numpy reads any non-zero byte as True; the kernels expect 0 or 1.
  if (array.type == DataType::kBOOL)
    for (uint8_t& b : array.bytes) b = b != 0;
  return array;
}

NpyArray readNpy(const std::string& path) {
  std::vector<uint8_t> bytes = readFileBytes(path);
  return parseNpy(bytes.data(), bytes.size(), path);
}

void writeNpy(const std::string& path, const NpyArray& array) {
  const char* descr = nullptr;
  for (const auto& d : kDescrs)
    if (d.type == array.type) descr = d.text;
  if (!descr)
    throw Error(ErrorCode::kIO, std::string("cannot write type ") + dataTypeName(array.type) + " as .npy", path);
  std::string shape;
  for (int32_t i = 0; i < array.dims.nbDims; ++i) shape += std::to_string(array.dims.d[i]) + ",";
  if (array.dims.nbDims > 1) shape.pop_back();
  std::string header = std::string("{'descr': '") + descr + "', 'fortran_order': False, 'shape': (" + shape + "), }";
  // Pad so that the data starts on a 64-byte boundary, ending the header with a newline.
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header.push_back('\n');
  auto length = static_cast<uint16_t>(header.size());
  std::string file("\x93NUMPY\x01\x00", 8);
  file += static_cast<char>(length & 0xff);
  file += static_cast<char>(length >> 8);
  file += header;
  file.append(reinterpret_cast<const char*>(array.bytes.data()), array.bytes.size());
  writeFileBytes(path, file.data(), file.size(), "the array");
}

std::string npyFileName(const std::string& tensorName) {
  std::string file = tensorName + ".npy";
  for (char& c : file)
    if (c == '/' || c == '\\') c = '_';
  return file;
}

}  // namespace kiln::cli
