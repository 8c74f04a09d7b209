#include "onnx/import_context.h"

namespace kiln::onnx {

void registerNormalizationImporters(OpRegistry&) {}

}  // namespace kiln::onnx
