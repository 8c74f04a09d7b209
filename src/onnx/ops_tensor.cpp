#include "onnx/import_context.h"

namespace kiln::onnx {

void registerTensorImporters(OpRegistry&) {}

}  // namespace kiln::onnx
