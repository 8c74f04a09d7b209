// Element-wise work the builder fuses in front of softmax and normalization steps: the contract between the fusion
// passes (src/builder/passes/fuse_softmax_scale_mask.cpp, fuse_residual_normalization.cpp) and the kernels that run
// the fused steps. Sibling of fused_epilogue.h, which covers the work fused after convolutions and matrix products.
//
// SoftMax (kSOFTMAX) over the last axis of its output: y = softmax(x * preScale + mask), where x is input 0 (attention
// scores), and
// - the attribute kPreScale, when present, is the scale (1 when absent), and
// - input 1, when present, is the mask: a tensor of x's type (e.g. [B,1,1,S] or [B,1,S,S] against scores [B,H,S,S]),
//   added after the scale.
// x and the mask broadcast (numpy rules) to the output's shape, as the element-wise sum they replace did; the "axis"
// attribute counts in the output's rank.
// The "log" attribute applies as before (log-softmax of the same sum). Kernels compute x * preScale + mask in the
// step's compute type (fp32 for fp16 and bf16) without rounding it to the element type in between.
//
// Normalization (kNORMALIZATION) over the last axis alone (axes mask = 1 << (rank - 1), one group, layer
// normalization): y = normalize(x + residual) * scale + bias, where input 3, when present, is the residual: a tensor
// of x's type and shape (no broadcast), added to x before the statistics are taken.
//
// The builder fuses only where the target backend's kernel factory accepts the fused step, so a backend that does not
// implement a prologue must reject the step (kUNSUPPORTED) rather than ignore the extra input or attribute.
#pragma once

#include "ops/attrs.h"

namespace kiln::ops {

inline constexpr FloatAttr kPreScale{"preScale", 1.0};
inline constexpr int32_t kSoftMaxMaskInput = 1;
inline constexpr int32_t kNormalizationResidualInput = 3;

// The factor a softmax step multiplies its input by before the mask and the softmax (1 when not fused).
inline double softMaxPreScale(const OpAttrs& attrs) { return attrs.get(kPreScale); }

}  // namespace kiln::ops
