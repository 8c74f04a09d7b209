// Helpers shared by the sliding-window shape rules (convolution, pooling).
#pragma once

#include <vector>

#include "graph/infer.h"

namespace kiln::graph {

// A per-spatial-axis integer attribute: `fallback` on every axis when absent, else one value per axis >= minValue.
std::vector<int64_t> spatialAttr(const InferContext& ctx, const char* key, size_t nbSpatial, int64_t fallback,
                                 int64_t minValue);

// Number of window positions: round((in + pre + post - span) / stride) + 1, rounding down or (ceil) up.
ExprId slidingOutputSize(InferContext& ctx, ExprId in, int64_t pre, int64_t post, ExprId span, int64_t stride,
                         bool ceil);

}  // namespace kiln::graph
