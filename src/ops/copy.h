// Schemas of the copy family: constants, identity, cast, shape, and materialized shape values
// (shape rules in src/graph/infer_copy.cpp).
#pragma once

#include "ops/attrs.h"
#include "ops/op_schema.h"

namespace kiln::ops {

struct Constant {
  static constexpr IntAttr kBlob{"blob"};  // which of the network's constant data (graph blobs)
  static constexpr IntsAttr kDims{"dims"};
  static constexpr EnumAttr<DataType> kType{"type"};
  static constexpr OpSchema kSchema{.type = LayerType::kCONSTANT, .name = "Constant", .outputType = &kType};
};

struct Identity {
  static constexpr OpSchema kSchema{.type = LayerType::kIDENTITY, .name = "Identity", .keepsElementCount = true};
};

struct Cast {
  static constexpr EnumAttr<DataType> kTo{"to"};
  static constexpr OpSchema kSchema{
      .type = LayerType::kCAST, .name = "Cast", .outputType = &kTo, .keepsElementCount = true};
};

struct Shape {
  static constexpr OpSchema kSchema{.type = LayerType::kSHAPE, .name = "Shape", .keepsFp32 = alwaysFp32};
};

// Internal: a shape-valued tensor materialized by the builder (fold-shape-values), its values evaluated at run time.
struct ShapeValues {
  static constexpr IntsAttr kDims{"dims"};
  static constexpr EnumAttr<DataType> kType{"type"};
  static constexpr ExprsAttr kValues{"values"};  // row-major
  static constexpr OpSchema kSchema{.type = LayerType::kSHAPE_VALUES, .name = "ShapeValues", .keepsFp32 = alwaysFp32};
};

}  // namespace kiln::ops
