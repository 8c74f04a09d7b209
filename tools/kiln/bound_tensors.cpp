#include "bound_tensors.h"

#include <cstring>

namespace kiln::cli {

namespace {

samples::IoBuffer ioBuffer(const Engine& engine, const std::string& name, size_t bytes) {
  return samples::IoBuffer(name, bytes, engine.isDeviceMemory() && !engine.isShapeInferenceIO(name.c_str()));
}

}  // namespace

NpyArray BoundTensor::toArray() {
  buffer.toHost();
  const auto* bytes = buffer.hostAs<uint8_t>();
  return NpyArray{type, dims, std::vector<uint8_t>(bytes, bytes + buffer.size())};
}

BoundTensor bindInput(const Engine& engine, ExecutionContext& context, const std::string& name, const NpyArray& array) {
  samples::IoBuffer buffer = ioBuffer(engine, name, array.bytes.size());
  if (!array.bytes.empty()) std::memcpy(buffer.host(), array.bytes.data(), array.bytes.size());
  buffer.toDevice();
  context.setTensorAddress(name.c_str(), buffer.binding()).check();
  return BoundTensor{array.type, array.dims, std::move(buffer)};
}

std::map<std::string, BoundTensor> bindOutputs(const Engine& engine, ExecutionContext& context) {
  context.inferShapes().check();
  std::map<std::string, BoundTensor> outputs;
  for (int32_t i = 0; i < engine.getNbIOTensors(); ++i) {
    std::string name = engine.getIOTensorName(i);
    if (engine.getTensorIOMode(name.c_str()) != TensorIOMode::kOUTPUT) continue;
    DataType type = engine.getTensorDataType(name.c_str());
    Dims dims = context.getTensorShape(name.c_str());
    if (dims.nbDims < 0 || dims.hasDynamic())
      throw Error(ErrorCode::kUNSUPPORTED, "output shape " + toString(dims) + " is not known before the run", name);
    samples::IoBuffer buffer = ioBuffer(engine, name, static_cast<size_t>(dims.volume()) * dataTypeSize(type));
    context.setTensorAddress(name.c_str(), buffer.binding()).check();
    outputs.emplace(name, BoundTensor{type, dims, std::move(buffer)});
  }
  return outputs;
}

}  // namespace kiln::cli
