#include "onnx/tensor_proto.h"

#include <cstring>
#include <filesystem>
#include <fstream>

#include "core/checked_math.h"
#include "core/half.h"
#include "kiln/error.h"

namespace kiln::onnx {

namespace fs = std::filesystem;
using ::onnx::TensorProto;

DataType fromOnnxType(int32_t onnxType, const std::string& what) {
  switch (onnxType) {
    case TensorProto::FLOAT: return DataType::kFLOAT;
    case TensorProto::DOUBLE: return DataType::kDOUBLE;
    case TensorProto::FLOAT16: return DataType::kHALF;
    case TensorProto::BFLOAT16: return DataType::kBF16;
    case TensorProto::INT8: return DataType::kINT8;
    case TensorProto::UINT8: return DataType::kUINT8;
    case TensorProto::INT16: return DataType::kINT16;
    case TensorProto::UINT16: return DataType::kUINT16;
    case TensorProto::INT32: return DataType::kINT32;
    case TensorProto::UINT32: return DataType::kUINT32;
    case TensorProto::INT64: return DataType::kINT64;
    case TensorProto::UINT64: return DataType::kUINT64;
    case TensorProto::BOOL: return DataType::kBOOL;
    default: break;
  }
  if (!TensorProto::DataType_IsValid(onnxType))
    throw Error(ErrorCode::kINVALID_GRAPH, "element type " + std::to_string(onnxType) + " is not an ONNX element type",
                what);
  throw Error(ErrorCode::kUNSUPPORTED, std::string("element type ") + onnxTypeName(onnxType) + " is not supported",
              what);
}

const char* onnxTypeName(int32_t onnxType) {
  if (TensorProto::DataType_IsValid(onnxType))
    return TensorProto::DataType_Name(static_cast<TensorProto::DataType>(onnxType)).c_str();
  return "invalid";
}

namespace {

// The most elements a tensor of a file may have (8 TiB of fp64): beyond it dimensions are taken as hostile, whatever
// the data holds.
constexpr int64_t kMaxElements = int64_t{1} << 40;

[[noreturn]] void bad(const TensorProto& t, const std::string& message) {
  throw Error(ErrorCode::kINVALID_GRAPH, message, t.name().empty() ? "tensor" : t.name());
}

std::string externalField(const TensorProto& t, const std::string& key) {
  for (const auto& entry : t.external_data())
    if (entry.key() == key) return entry.value();
  return {};
}

// Reads `bytes` bytes into `out`, which grows to them only once the file is known to hold them.
void readExternal(const TensorProto& t, const std::string& baseDir, uint64_t bytes, std::vector<uint8_t>& out) {
  std::string location = externalField(t, "location");
  if (location.empty()) bad(t, "external data has no location");
  fs::path base = fs::weakly_canonical(fs::absolute(baseDir));
  fs::path file = fs::weakly_canonical(base / location);
  // The location must stay inside the model's folder: "../secret" or an absolute path is refused.
  auto rel = file.lexically_relative(base);
  if (fs::path(location).is_absolute() || rel.empty() || *rel.begin() == "..")
    throw Error(ErrorCode::kINVALID_GRAPH, "external data location '" + location + "' escapes the model's folder",
                t.name());
  int64_t offset = 0, length = static_cast<int64_t>(bytes);
  try {
    std::string o = externalField(t, "offset"), l = externalField(t, "length");
    if (!o.empty()) offset = std::stoll(o);
    if (!l.empty()) length = std::stoll(l);
  } catch (const std::exception&) {
    bad(t, "external data offset or length is not a number");
  }
  if (offset < 0 || length != static_cast<int64_t>(bytes))
    bad(t, "external data length " + std::to_string(length) + " does not match the " + std::to_string(bytes) +
               " bytes its shape and type need");
  // Only a regular file: opening a FIFO or a device would block or read without end, a directory reads nothing.
  std::error_code status;
  if (fs::exists(file, status) && !fs::is_regular_file(file, status))
    throw Error(ErrorCode::kINVALID_GRAPH, "external data location '" + location + "' is not a regular file", t.name());
  std::ifstream in(file, std::ios::binary);
  if (!in) throw Error(ErrorCode::kIO, "cannot open external data file '" + file.string() + "'", t.name());
  in.seekg(0, std::ios::end);
  int64_t size = in.tellg();
  if (offset > size || static_cast<int64_t>(bytes) > size - offset)
    throw Error(ErrorCode::kINVALID_GRAPH,
                "external data file '" + location + "' holds " + std::to_string(size) + " bytes; offset " +
                    std::to_string(offset) + " + " + std::to_string(bytes) + " lies past its end",
                t.name());
  out.resize(bytes);
  in.seekg(offset);
  in.read(reinterpret_cast<char*>(out.data()), static_cast<std::streamsize>(bytes));
  if (!in) throw Error(ErrorCode::kIO, "short read from external data file '" + location + "'", t.name());
}

// The values of a typed field as Dst, once the field is known to hold exactly `count` of them.
template <typename Dst, typename Field>
void copyField(const TensorProto& t, const Field& field, int64_t count, std::vector<uint8_t>& out) {
  if (field.size() != count)
    bad(t, "holds " + std::to_string(field.size()) + " values, shape needs " + std::to_string(count));
  out.resize(static_cast<size_t>(count) * sizeof(Dst));
  Dst* d = reinterpret_cast<Dst*>(out.data());
  for (int i = 0; i < field.size(); ++i) d[i] = static_cast<Dst>(field.Get(i));
}

}  // namespace

HostData readTensor(const TensorProto& t, const std::string& baseDir) {
  HostData data;
  std::string name = t.name().empty() ? "tensor" : t.name();
  data.type = fromOnnxType(t.data_type(), name);
  if (t.dims_size() > Dims::MAX_DIMS) bad(t, "rank " + std::to_string(t.dims_size()) + " exceeds 8");
  data.dims.nbDims = t.dims_size();
  for (int i = 0; i < t.dims_size(); ++i) {
    if (t.dims(i) < 0) bad(t, "negative dimension");
    data.dims.d[i] = t.dims(i);
  }
  // Sizes are checked, and compared with the data the file holds, before anything is allocated for them.
  core::SizeContext size{ErrorCode::kINVALID_GRAPH, "its size", name};
  int64_t count = core::checkedVolume(data.dims, size);
  if (count > kMaxElements)
    bad(t, "dimensions " + toString(data.dims) + " hold " + std::to_string(count) + " elements, more than the " +
               std::to_string(kMaxElements) + " an initializer may have");
  uint64_t bytes = core::checkedBytes(count, dataTypeSize(data.type), size);
  if (t.data_location() == TensorProto::EXTERNAL) {
    readExternal(t, baseDir, bytes, data.bytes);
    return data;
  }
  if (t.has_raw_data()) {
    if (t.raw_data().size() != bytes)
      bad(t, "raw data holds " + std::to_string(t.raw_data().size()) + " bytes, shape and type need " +
                 std::to_string(bytes));
    data.bytes.assign(t.raw_data().begin(), t.raw_data().end());
    return data;
  }
  std::vector<uint8_t>& out = data.bytes;
  switch (data.type) {
    case DataType::kFLOAT: copyField<float>(t, t.float_data(), count, out); break;
    case DataType::kDOUBLE: copyField<double>(t, t.double_data(), count, out); break;
    case DataType::kINT64: copyField<int64_t>(t, t.int64_data(), count, out); break;
    case DataType::kINT32: copyField<int32_t>(t, t.int32_data(), count, out); break;
    // Narrow types are stored one per int32 entry (fp16/bf16 as their bit patterns).
    case DataType::kINT8: copyField<int8_t>(t, t.int32_data(), count, out); break;
    case DataType::kINT16: copyField<int16_t>(t, t.int32_data(), count, out); break;
    case DataType::kUINT8:
    case DataType::kBOOL: copyField<uint8_t>(t, t.int32_data(), count, out); break;
    case DataType::kUINT16:
    case DataType::kHALF:
    case DataType::kBF16: copyField<uint16_t>(t, t.int32_data(), count, out); break;
    // uint32 and uint64 are stored in uint64_data.
    case DataType::kUINT32: copyField<uint32_t>(t, t.uint64_data(), count, out); break;
    case DataType::kUINT64: copyField<uint64_t>(t, t.uint64_data(), count, out); break;
  }
  return data;
}

}  // namespace kiln::onnx
