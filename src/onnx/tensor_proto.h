// Reading ONNX TensorProto values (initializers, Constant nodes, test data) into kiln types.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "kiln/types.h"
#include "onnx/onnx_proto.h"

namespace kiln::onnx {

// kiln's type for an ONNX element type; throws kiln::Error (kUNSUPPORTED) naming `what` for the others.
DataType fromOnnxType(int32_t onnxType, const std::string& what);
const char* onnxTypeName(int32_t onnxType);

struct HostData {
  DataType type = DataType::kFLOAT;
  Dims dims;
  std::vector<uint8_t> bytes;
  int64_t count() const { return dims.volume(); }
};

// Decodes a tensor's values from raw_data, the typed fields, or external data found relative to `baseDir`.
// External locations that leave `baseDir`, short files and bad offsets are errors naming the tensor.
HostData readTensor(const ::onnx::TensorProto& tensor, const std::string& baseDir);

}  // namespace kiln::onnx
