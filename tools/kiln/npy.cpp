#include "npy.h"

#include <cstring>
#include <fstream>
#include <regex>

#include "kiln/error.h"

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

[[noreturn]] void fail(const std::string& path, const std::string& message) {
  throw Error(ErrorCode::kIO, message, path);
}

}  // namespace

NpyArray readNpy(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path, "cannot open the file");
  char magic[6];
  uint8_t version[2];
  in.read(magic, 6);
  in.read(reinterpret_cast<char*>(version), 2);
  if (!in || std::memcmp(magic, "\x93NUMPY", 6) != 0) fail(path, "not a .npy file (bad magic)");
  uint32_t headerLength = 0;
  if (version[0] == 1) {
    uint16_t n = 0;
    in.read(reinterpret_cast<char*>(&n), 2);
    headerLength = n;
  } else if (version[0] == 2 || version[0] == 3) {
    in.read(reinterpret_cast<char*>(&headerLength), 4);
  } else {
    fail(path, "unsupported .npy version " + std::to_string(version[0]));
  }
  if (!in || headerLength > (1u << 20)) fail(path, "bad .npy header length");
  std::string header(headerLength, '\0');
  in.read(header.data(), headerLength);
  if (!in) fail(path, "truncated .npy header");
  std::smatch m;
  if (!std::regex_search(header, m, std::regex("'descr'\\s*:\\s*'([^']*)'"))) fail(path, "no dtype in the header");
  std::string descr = m[1];
  NpyArray array;
  bool known = false;
  for (const auto& d : kDescrs)
    if (descr == d.text) {
      array.type = d.type;
      known = true;
    }
  if (!known)
    fail(path, "unsupported dtype '" + descr + "' (use float32/64/16, int8/16/32/64, uint8/16/32/64 or bool)");
  if (std::regex_search(header, std::regex("'fortran_order'\\s*:\\s*True")))
    fail(path, "Fortran-ordered arrays are not supported; save with np.ascontiguousarray");
  if (!std::regex_search(header, m, std::regex("'shape'\\s*:\\s*\\(([^)]*)\\)"))) fail(path, "no shape in the header");
  std::string shape = m[1];
  const std::regex number("\\d+");
  std::sregex_iterator it(shape.begin(), shape.end(), number), end;
  for (; it != end; ++it) {
    if (array.dims.nbDims >= Dims::MAX_DIMS) fail(path, "rank above 8");
    array.dims.d[array.dims.nbDims++] = std::stoll(it->str());
  }
  size_t bytes = static_cast<size_t>(array.dims.volume()) * dataTypeSize(array.type);
  array.bytes.resize(bytes);
  in.read(reinterpret_cast<char*>(array.bytes.data()), static_cast<std::streamsize>(bytes));
  if (static_cast<size_t>(in.gcount()) != bytes)
    fail(path, "holds fewer bytes than its shape " + toString(array.dims) + " needs");
  return array;
}

void writeNpy(const std::string& path, const NpyArray& array) {
  const char* descr = nullptr;
  for (const auto& d : kDescrs)
    if (d.type == array.type) descr = d.text;
  if (!descr) fail(path, std::string("cannot write type ") + dataTypeName(array.type) + " as .npy");
  std::string shape;
  for (int32_t i = 0; i < array.dims.nbDims; ++i) shape += std::to_string(array.dims.d[i]) + ",";
  if (array.dims.nbDims > 1) shape.pop_back();
  std::string header = std::string("{'descr': '") + descr + "', 'fortran_order': False, 'shape': (" + shape + "), }";
  // Pad so that the data starts on a 64-byte boundary, ending the header with a newline.
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header.push_back('\n');
  std::ofstream out(path, std::ios::binary);
  if (!out) fail(path, "cannot create the file");
  uint16_t length = static_cast<uint16_t>(header.size());
  out.write("\x93NUMPY\x01\x00", 8);
  out.write(reinterpret_cast<const char*>(&length), 2);
  out.write(header.data(), static_cast<std::streamsize>(header.size()));
  out.write(reinterpret_cast<const char*>(array.bytes.data()), static_cast<std::streamsize>(array.bytes.size()));
  if (!out) fail(path, "write failed");
}

std::string npyFileName(const std::string& tensorName) {
  std::string file = tensorName + ".npy";
  for (char& c : file)
    if (c == '/' || c == '\\') c = '_';
  return file;
}

}  // namespace kiln::cli
