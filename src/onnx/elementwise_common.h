// Helpers shared by the element-wise and copy importers, defined in ops_elementwise.cpp.
#pragma once

#include <cstdint>
#include <initializer_list>

#include "onnx/import_context.h"

namespace kiln::onnx {

// Each importer names every attribute it understands; any other attribute is reported instead of being ignored.
// Opsets 1-5 also carry consumed_inputs, a hint for in-place memory reuse that never changes a result.
void checkAttributes(const ImportContext& ctx, const Node& node, std::initializer_list<const char*> known);

// kiln's type for an ONNX type attribute; unsupported (naming the node) for types kiln lacks.
DataType kilnType(const ImportContext& ctx, const Node& node, int64_t onnxType, const char* what);

}  // namespace kiln::onnx
