// Schemas of the indexing family: slice and gather (shape rules in src/graph/infer_indexing.cpp).
#pragma once

#include "ops/attrs.h"
#include "ops/op_schema.h"

namespace kiln::ops {

// Start, size and stride come from the attributes, or from shape tensors on inputs 1, 2 and 3, which override them.
struct Slice {
  static constexpr IntsAttr kStart{"start", kOptional};
  static constexpr IntsAttr kSize{"size", kOptional};
  static constexpr IntsAttr kStride{"stride", kOptional};
  static constexpr EnumAttr<SampleMode> kMode{"mode", SampleMode::kSTRICT_BOUNDS};
  // Set by shape inference for the kernels, replacing the attributes of the same key in the plan's step: the start
  // and stride of each axis as expressions, whatever gave them.
  static constexpr ExprsAttr kDerivedStart{"start"};
  static constexpr ExprsAttr kDerivedStride{"stride"};
  static constexpr OpSchema kSchema{.type = LayerType::kSLICE, .name = "Slice", .valueInputs = {1, 2, 3}};
};

struct Gather {
  static constexpr IntAttr kAxis{"axis"};
  static constexpr EnumAttr<GatherMode> kMode{"mode", GatherMode::kDEFAULT};
  static constexpr IntAttr kBatchDims{"batch_dims", 0};  // kND: the leading axes data and indices share
  static constexpr OpSchema kSchema{.type = LayerType::kGATHER, .name = "Gather"};
};

}  // namespace kiln::ops
