// Schemas of the reduction family: reduce, top-k and softmax (shape rules in src/graph/infer_reduction.cpp).
// A softmax's fused scale and mask are in ops/fused_prologue.h.
#pragma once

#include "ops/attrs.h"
#include "ops/op_schema.h"

namespace kiln::ops {

struct Reduce {
  static constexpr EnumAttr<ReduceOperation> kOp{"op"};
  static constexpr IntAttr kAxes{"axes"};  // bit mask of the reduced axes
  static constexpr BoolAttr kKeepDims{"keep_dims"};
  // Sums and products over many elements lose too much in fp16; a maximum, minimum or average does not.
  static bool keepsFp32(const OpAttrs& attrs) {
    ReduceOperation op = attrs.get(kOp);
    return op == ReduceOperation::kSUM || op == ReduceOperation::kPROD;
  }
  static constexpr OpSchema kSchema{.type = LayerType::kREDUCE, .name = "Reduce", .keepsFp32 = keepsFp32};
};

struct TopK {
  static constexpr EnumAttr<TopKOperation> kOp{"op"};
  static constexpr IntAttr kK{"k"};        // unless input 1 gives it
  static constexpr IntAttr kAxes{"axes"};  // bit mask of the one axis
  static constexpr OpSchema kSchema{.type = LayerType::kTOPK, .name = "TopK", .valueInputs = {1}};
};

struct SoftMax {
  static constexpr IntAttr kAxis{"axis", -1};    // in the output's rank
  static constexpr BoolAttr kLog{"log", false};  // log-softmax
  static constexpr OpSchema kSchema{.type = LayerType::kSOFTMAX, .name = "SoftMax", .keepsElementCount = true};
};

}  // namespace kiln::ops
