// Schemas of the shape family: shuffle (transpose, reshape, transpose) and concatenation (shape rules in
// src/graph/infer_shape.cpp).
#pragma once

#include "ops/attrs.h"
#include "ops/op_schema.h"

namespace kiln::ops {

struct Shuffle {
  static constexpr IntsAttr kFirstPerm{"first_perm", kOptional};  // none when absent or empty
  static constexpr IntsAttr kReshape{"reshape", kOptional};       // unless input 1 gives the shape
  static constexpr IntsAttr kSecondPerm{"second_perm", kOptional};
  static constexpr BoolAttr kZeroIsPlaceholder{"zero_is_placeholder", true};  // a reshape's 0 copies the input's dim
  static constexpr OpSchema kSchema{
      .type = LayerType::kSHUFFLE, .name = "Shuffle", .valueInputs = {1}, .keepsElementCount = true};
};

struct Concatenation {
  static constexpr IntAttr kAxis{"axis"};
  static constexpr OpSchema kSchema{.type = LayerType::kCONCATENATION, .name = "Concatenation"};
};

}  // namespace kiln::ops
