#include "onnx/tensor_proto.h"

#include <cstring>
#include <filesystem>
#include <fstream>

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

[[noreturn]] void bad(const TensorProto& t, const std::string& message) {
  throw Error(ErrorCode::kINVALID_GRAPH, message, t.name().empty() ? "tensor" : t.name());
}

std::string externalField(const TensorProto& t, const std::string& key) {
  for (const auto& entry : t.external_data())
    if (entry.key() == key) return entry.value();
  return {};
}

void readExternal(const TensorProto& t, const std::string& baseDir, size_t bytes, uint8_t* out) {
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
  in.seekg(offset);
  in.read(reinterpret_cast<char*>(out), static_cast<std::streamsize>(bytes));
  if (!in) throw Error(ErrorCode::kIO, "short read from external data file '" + location + "'", t.name());
}

template <typename Dst, typename Field>
void copyField(const Field& field, uint8_t* out) {
  Dst* d = reinterpret_cast<Dst*>(out);
  for (int i = 0; i < field.size(); ++i) d[i] = static_cast<Dst>(field.Get(i));
}

}  // namespace

HostData readTensor(const TensorProto& t, const std::string& baseDir) {
  HostData data;
  std::string name = t.name().empty() ? "tensor" : t.name();
  data.type = fromOnnxType(t.data_type(), name);
  if (t.dims_size() > Dims::MAX_DIMS) bad(t, "rank " + std::to_string(t.dims_size()) + " exceeds 8");
  data.dims.nbDims = t.dims_size();
  int64_t count = 1;
  for (int i = 0; i < t.dims_size(); ++i) {
    if (t.dims(i) < 0) bad(t, "negative dimension");
    data.dims.d[i] = t.dims(i);
    count *= t.dims(i);
    if (count > (int64_t{1} << 40)) bad(t, "implausibly large tensor");
  }
  size_t elementSize = dataTypeSize(data.type);
  size_t bytes = static_cast<size_t>(count) * elementSize;
  data.bytes.resize(bytes);
  if (t.data_location() == TensorProto::EXTERNAL) {
    readExternal(t, baseDir, bytes, data.bytes.data());
    return data;
  }
  if (t.has_raw_data()) {
    if (t.raw_data().size() != bytes)
      bad(t, "raw data holds " + std::to_string(t.raw_data().size()) + " bytes, shape and type need " +
                 std::to_string(bytes));
    if (bytes) std::memcpy(data.bytes.data(), t.raw_data().data(), bytes);
    return data;
  }
  auto need = [&](int size) {
    if (size != count) bad(t, "holds " + std::to_string(size) + " values, shape needs " + std::to_string(count));
  };
  uint8_t* out = data.bytes.data();
  switch (data.type) {
    case DataType::kFLOAT:
      need(t.float_data_size());
      copyField<float>(t.float_data(), out);
      break;
    case DataType::kDOUBLE:
      need(t.double_data_size());
      copyField<double>(t.double_data(), out);
      break;
    case DataType::kINT64:
      need(t.int64_data_size());
      copyField<int64_t>(t.int64_data(), out);
      break;
    case DataType::kINT32:
      need(t.int32_data_size());
      copyField<int32_t>(t.int32_data(), out);
      break;
    // Narrow types are stored one per int32 entry (fp16/bf16 as their bit patterns).
    case DataType::kINT8:
      need(t.int32_data_size());
      copyField<int8_t>(t.int32_data(), out);
      break;
    case DataType::kINT16:
      need(t.int32_data_size());
      copyField<int16_t>(t.int32_data(), out);
      break;
    case DataType::kUINT8:
    case DataType::kBOOL:
      need(t.int32_data_size());
      copyField<uint8_t>(t.int32_data(), out);
      break;
    case DataType::kUINT16:
    case DataType::kHALF:
    case DataType::kBF16:
      need(t.int32_data_size());
      copyField<uint16_t>(t.int32_data(), out);
      break;
    // uint32 and uint64 are stored in uint64_data.
    case DataType::kUINT32:
      need(t.uint64_data_size());
      copyField<uint32_t>(t.uint64_data(), out);
      break;
    case DataType::kUINT64:
      need(t.uint64_data_size());
      copyField<uint64_t>(t.uint64_data(), out);
      break;
  }
  return data;
}

}  // namespace kiln::onnx
