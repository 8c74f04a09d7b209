// Schemas of the matrix family: matrix multiply, determinant (shape rules in src/graph/infer_matrix.cpp) and einsum
// (its shape rule in src/graph/infer_normalization.cpp).
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

struct Einsum {
  static constexpr StringAttr kEquation{"equation"};
  // Set by shape inference: each operand's and then the output's axis labels, concatenated, and their counts.
  static constexpr IntsAttr kLabels{"einsum_labels"};
  static constexpr IntsAttr kRanks{"einsum_ranks"};
  static constexpr OpSchema kSchema{.type = LayerType::kEINSUM, .name = "Einsum"};
};

}  // namespace kiln::ops
