#include "onnx/import_context.h"

namespace kiln::onnx {

void registerPoolingImporters(OpRegistry&) {}

}  // namespace kiln::onnx
