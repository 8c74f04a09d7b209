// Helpers shared by the sliding-window shape rules (convolution, pooling).
#pragma once

#include <cstdint>
#include <vector>

#include "graph/infer.h"
#include "ops/sliding_window.h"

namespace kiln::graph {

// A per-spatial-axis integer attribute: `fallback` on every axis when absent, else one value per axis >= minValue.
std::vector<int64_t> spatialAttr(const InferContext& ctx, const ops::IntsAttr& key, size_t nbSpatial, int64_t fallback,
                                 int64_t minValue);

// Number of window positions: round((in + pre + post - span) / stride) + 1, rounding down or (ceil) up.
ExprId slidingOutputSize(InferContext& ctx, ExprId in, int64_t pre, int64_t post, ExprId span, int64_t stride,
                         bool ceil);

// Padding of one spatial axis, constant (explicit) or an expression of the input size (SAME modes).
struct AxisPadding {
  ExprId pre, post;
};

// ONNX auto_pad SAME_UPPER / SAME_LOWER: total = max(0, (ceil(in / stride) - 1) * stride + span - in), split so the
// odd element goes at the end (upper) or the start (lower). The output size is then ceil(in / stride).
AxisPadding samePadding(InferContext& ctx, ExprId in, ExprId span, int64_t stride, bool upper);

// The padding mode attribute (ops::AutoPadding::kPaddingMode), validated.
PaddingMode paddingMode(const InferContext& ctx);

}  // namespace kiln::graph
