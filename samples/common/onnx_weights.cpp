#include "onnx_weights.h"

#include <onnx/onnx_pb.h>

#include <cstring>
#include <fstream>

#include "kiln/error.h"

namespace kiln::samples {

std::map<std::string, NamedWeights> loadOnnxInitializers(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  ::onnx::ModelProto model;
  if (!in || !model.ParseFromIstream(&in)) throw Error(ErrorCode::kIO, "cannot read the ONNX model", path);
  std::map<std::string, NamedWeights> result;
  for (const auto& t : model.graph().initializer()) {
    if (t.data_type() != ::onnx::TensorProto::FLOAT)
      throw Error(ErrorCode::kUNSUPPORTED, "initializer '" + t.name() + "' is not fp32", path);
    NamedWeights w;
    w.dims.nbDims = t.dims_size();
    for (int i = 0; i < t.dims_size(); ++i) w.dims.d[i] = t.dims(i);
    w.values.resize(static_cast<size_t>(w.dims.volume()));
    if (t.has_raw_data() && t.raw_data().size() == w.values.size() * 4)
      std::memcpy(w.values.data(), t.raw_data().data(), t.raw_data().size());
    else if (t.float_data_size() == static_cast<int>(w.values.size()))
      std::copy(t.float_data().begin(), t.float_data().end(), w.values.begin());
    else
      throw Error(ErrorCode::kIO, "initializer '" + t.name() + "' holds the wrong number of values", path);
    result[t.name()] = std::move(w);
  }
  return result;
}

}  // namespace kiln::samples
