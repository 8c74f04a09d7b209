// Schema of pooling: max and average over the trailing 1 to 3 axes (shape rule in src/graph/infer_pooling.cpp).
// Its channels-last form is in ops/channels_last.h.
#pragma once

#include "ops/attrs.h"
#include "ops/op_schema.h"
#include "ops/sliding_window.h"

namespace kiln::ops {

struct Pooling : SlidingWindow, AutoPadding {
  static constexpr EnumAttr<PoolingType> kOp{"op"};
  static constexpr IntsAttr kWindow{"window"};         // may be empty for a global pool
  static constexpr BoolAttr kGlobal{"global", false};  // every spatial axis pooled to 1
  static constexpr BoolAttr kCeilMode{"ceil_mode", false};
  static constexpr BoolAttr kExcludePadding{"exclude_padding", true};  // an average counts only input elements
  static constexpr BoolAttr kIndicesColumnMajor{"indices_column_major", false};  // of the indices output
  static constexpr OpSchema kSchema{.type = LayerType::kPOOLING, .name = "Pooling"};
};

}  // namespace kiln::ops
