// Float initializers of an ONNX model by name, for building the same network layer by layer with the API.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "kiln/types.h"

namespace kiln::samples {

struct NamedWeights {
  Dims dims;
  std::vector<float> values;
  Weights weights() const { return Weights{DataType::kFLOAT, values.data(), static_cast<int64_t>(values.size())}; }
};

// Throws kiln::Error naming the file for an unreadable model or a non-fp32 initializer.
std::map<std::string, NamedWeights> loadOnnxInitializers(const std::string& path);

}  // namespace kiln::samples
