#include "onnx/import_context.h"

namespace kiln::onnx {

void registerMiscImporters(OpRegistry&) {}

}  // namespace kiln::onnx
