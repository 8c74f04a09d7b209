#include <cstring>
#include <vector>

#include "fuzz_support.h"

namespace kiln::fuzz {
namespace {

int64_t elementCount(const Dims& dims) {
  int64_t count = 1;
  for (int32_t i = 0; i < dims.nbDims; ++i) {
    if (dims.d[i] < 0 || (dims.d[i] > 0 && count > kMaxInputElements / dims.d[i])) return -1;
    count *= dims.d[i];
  }
  return count;
}

}  // namespace

void runAtMinShapes(const Engine& engine) {
  if (engine.getDeviceMemorySize(0) > kMaxActivationBytes) return;
  auto context = engine.createExecutionContext();
  std::vector<std::vector<uint8_t>> buffers;
  for (int32_t i = 0; i < engine.getNbIOTensors(); ++i) {
    const char* name = engine.getIOTensorName(i);
    if (engine.getTensorIOMode(name) != TensorIOMode::kINPUT) continue;
    Dims min = engine.getProfileShape(name, 0, OptProfileSelector::kMIN);
    if (min.nbDims < 0) min = engine.getTensorShape(name);
    if (!context->setInputShape(name, min)) return;
    int64_t count = elementCount(min);
    if (count < 0) return;
    std::vector<int64_t> values = engine.getProfileShapeValues(name, 0, OptProfileSelector::kMIN);
    size_t bytes = static_cast<size_t>(count) * dataTypeSize(engine.getTensorDataType(name));
    auto& buffer = buffers.emplace_back(std::max<size_t>(bytes, 8), uint8_t{1});
    if (engine.isShapeInferenceIO(name)) {
      // Shape inputs hold the profile's values, as int32 or int64.
      for (size_t v = 0; v < values.size() && v < static_cast<size_t>(count); ++v) {
        if (engine.getTensorDataType(name) == DataType::kINT32) {
          int32_t narrow = static_cast<int32_t>(values[v]);
          std::memcpy(buffer.data() + v * 4, &narrow, 4);
        } else {
          std::memcpy(buffer.data() + v * 8, &values[v], 8);
        }
      }
    }
    if (!context->setTensorAddress(name, buffer.data())) return;
  }
  if (!context->inferShapes()) return;
  for (int32_t i = 0; i < engine.getNbIOTensors(); ++i) {
    const char* name = engine.getIOTensorName(i);
    if (engine.getTensorIOMode(name) != TensorIOMode::kOUTPUT) continue;
    int64_t count = elementCount(context->getTensorShape(name));
    if (count < 0) return;
    auto& buffer = buffers.emplace_back(
        std::max<size_t>(static_cast<size_t>(count) * dataTypeSize(engine.getTensorDataType(name)), 8));
    if (!context->setTensorAddress(name, buffer.data())) return;
  }
  (void)context->executeV2();
}

}  // namespace kiln::fuzz
