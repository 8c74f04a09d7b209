// The `kiln._kiln` extension module: kiln's C++ API with TensorRT's Python names. The `kiln` package re-exports it.
#include "bindings.h"

PYBIND11_MODULE(_kiln, module) {
  namespace kp = kiln::python;
  module.doc() = "kiln: build plans from ONNX models or the layer API and run them (numpy and DLPack tensors).";
  kp::bindErrors(module);
  kp::bindTypes(module);
  kp::bindLogger(module);
  kp::bindLayerEnums(module);
  kp::bindLayers(module);
  kp::bindNetwork(module);
  kp::bindOnnxParser(module);
  kp::bindBuilder(module);
  kp::bindRuntime(module);
  kp::bindDeviceArray(module);
  kp::bindContext(module);
}
