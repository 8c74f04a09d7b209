#include "onnx/import_context.h"

namespace kiln::onnx {

void registerLinearImporters(OpRegistry&) {}

}  // namespace kiln::onnx
