// Schemas of the normalization family: normalization (layer, instance, group) and local response normalization (shape
// rules in src/graph/infer_normalization.cpp). A normalization's fused residual is in ops/fused_prologue.h.
#pragma once

#include "ops/attrs.h"
#include "ops/op_schema.h"

namespace kiln::ops {

struct Normalization {
  static constexpr IntAttr kAxes{"axes"};  // bit mask of the normalized axes
  static constexpr IntAttr kGroups{"groups", 1};
  static constexpr FloatAttr kEpsilon{"epsilon", 1e-5};
  static constexpr OpSchema kSchema{
      .type = LayerType::kNORMALIZATION, .name = "Normalization", .keepsElementCount = true};
};

struct LRN {
  static constexpr IntAttr kWindow{"window"};  // channels
  static constexpr FloatAttr kAlpha{"alpha", 1e-4};
  static constexpr FloatAttr kBeta{"beta", 0.75};
  static constexpr FloatAttr kK{"k", 1.0};
  static constexpr OpSchema kSchema{.type = LayerType::kLRN, .name = "LRN"};
};

}  // namespace kiln::ops
