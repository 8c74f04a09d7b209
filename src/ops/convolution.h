// Schemas of the convolution family: N-D convolution and deconvolution (shape rules in
// src/graph/infer_convolution.cpp). A convolution's fused residual and activation are in ops/fused_epilogue.h, its
// channels-last form in ops/channels_last.h.
#pragma once

#include "ops/attrs.h"
#include "ops/op_schema.h"
#include "ops/sliding_window.h"

namespace kiln::ops {

struct Convolution : SlidingWindow, AutoPadding {
  static constexpr IntAttr kGroups{"groups", 1};
  // Set by shape inference when "groups" is absent and the channels imply a grouped kernel (channels / kernel
  // channels): one value, which kernels read as the group count.
  static constexpr IntsAttr kInferredGroups{"inferred_groups", kOptional};
  static constexpr OpSchema kSchema{.type = LayerType::kCONVOLUTION, .name = "Convolution"};
};

// Explicit padding only: the padding modes do not apply.
struct Deconvolution : SlidingWindow {
  static constexpr IntAttr kGroups{"groups", 1};
  static constexpr IntsAttr kOutputPadding{"output_padding", kOptional};  // 0 on every axis when absent
  static constexpr OpSchema kSchema{.type = LayerType::kDECONVOLUTION, .name = "Deconvolution"};
};

}  // namespace kiln::ops
