// Schemas of the element-wise family: binary operations, activations and unary operations
// (shape rules in src/graph/infer_elementwise.cpp).
#pragma once

#include "ops/attrs.h"
#include "ops/op_schema.h"

namespace kiln::ops {

struct ElementWise {
  static constexpr EnumAttr<ElementWiseOperation> kOp{"op"};
  static constexpr OpSchema kSchema{.type = LayerType::kELEMENTWISE, .name = "ElementWise"};
};

struct Activation {
  static constexpr EnumAttr<ActivationType> kOp{"op"};
  // Where one is absent, kernels take the default ActivationLayer documents for the type
  // (backends/common/activation_function.h).
  static constexpr FloatAttr kAlpha{"alpha", kOptional};
  static constexpr FloatAttr kBeta{"beta", kOptional};
  static constexpr OpSchema kSchema{.type = LayerType::kACTIVATION, .name = "Activation", .keepsElementCount = true};
};

struct Unary {
  static constexpr EnumAttr<UnaryOperation> kOp{"op"};
  static constexpr OpSchema kSchema{.type = LayerType::kUNARY, .name = "Unary", .keepsElementCount = true};
};

}  // namespace kiln::ops
