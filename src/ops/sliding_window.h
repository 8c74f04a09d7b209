// Attribute keys the sliding-window ops share (convolution, deconvolution, pooling): one value per spatial axis, in
// spatial-axis order, the window itself being a pooling attribute or a convolution's kernel shape.
#pragma once

#include "ops/attrs.h"

namespace kiln::ops {

struct SlidingWindow {
  static constexpr IntsAttr kStride{"stride", kOptional};             // 1 on every axis when absent
  static constexpr IntsAttr kPrePadding{"pre_padding", kOptional};    // 0 on every axis when absent
  static constexpr IntsAttr kPostPadding{"post_padding", kOptional};  // 0 on every axis when absent
  static constexpr IntsAttr kDilation{"dilation", kOptional};         // 1 on every axis when absent
};

// The padding modes of convolution and pooling: the SAME modes pad from the input size at run time.
struct AutoPadding {
  static constexpr EnumAttr<PaddingMode> kPaddingMode{"padding_mode", PaddingMode::kEXPLICIT};
  // Set by shape inference for the SAME modes: each spatial axis's padding as expressions of the input shape.
  static constexpr ExprsAttr kSamePre{"same_pre", kOptional};
  static constexpr ExprsAttr kSamePost{"same_post", kOptional};
};

}  // namespace kiln::ops
