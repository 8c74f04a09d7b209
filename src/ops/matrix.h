// Schemas of the matrix family: matrix multiply and determinant (shape rules in src/graph/infer_matrix.cpp).
// A matrix multiply's fused bias and activation are in ops/fused_epilogue.h.
#pragma once

#include "ops/attrs.h"
#include "ops/op_schema.h"

namespace kiln::ops {

struct MatrixMultiply {
  static constexpr EnumAttr<MatrixOperation> kOp0{"op0"};  // applied to input 0
  static constexpr EnumAttr<MatrixOperation> kOp1{"op1"};  // applied to input 1
  static constexpr const EnumAttr<MatrixOperation>& operation(int32_t input) { return input == 0 ? kOp0 : kOp1; }
  static constexpr OpSchema kSchema{.type = LayerType::kMATRIX_MULTIPLY, .name = "MatrixMultiply"};
};

// A determinant is a sum of products: fp16 cannot hold it well.
struct Determinant {
  static constexpr OpSchema kSchema{.type = LayerType::kDETERMINANT, .name = "Determinant", .keepsFp32 = alwaysFp32};
};

}  // namespace kiln::ops
