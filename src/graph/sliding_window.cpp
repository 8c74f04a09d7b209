#include "graph/sliding_window.h"

namespace kiln::graph {

// A per-spatial-axis integer attribute: `fallback` on every axis when absent, else one value per axis >= minValue.
std::vector<int64_t> spatialAttr(const InferContext& ctx, const ops::IntsAttr& key, size_t nbSpatial, int64_t fallback,
                                 int64_t minValue) {
  auto values = ctx.attrs().get(key);
  if (values.empty()) return std::vector<int64_t>(nbSpatial, fallback);
  if (values.size() != nbSpatial)
    ctx.fail(std::string(key.name) + " has " + std::to_string(values.size()) + " values for " +
             std::to_string(nbSpatial) + " spatial axes");
  for (int64_t v : values)
    if (v < minValue)
      ctx.fail(std::string(key.name) + " values must be >= " + std::to_string(minValue) + ", got " + std::to_string(v));
  return values;
}

// Number of window positions: round((in + pre + post - span) / stride) + 1, rounding down or (ceil) up.
ExprId slidingOutputSize(InferContext& ctx, ExprId in, int64_t pre, int64_t post, ExprId span, int64_t stride,
                         bool ceil) {
  auto& e = ctx.exprs();
  ExprId room = e.sub(e.add(e.add(in, ctx.constant(pre)), ctx.constant(post)), span);  // pre + post may not fit
  ExprId steps = ceil ? e.ceilDiv(room, ctx.constant(stride)) : e.floorDiv(room, ctx.constant(stride));
  return e.add(steps, ctx.constant(1));
}

AxisPadding samePadding(InferContext& ctx, ExprId in, ExprId span, int64_t stride, bool upper) {
  auto& e = ctx.exprs();
  ExprId s = ctx.constant(stride);
  ExprId needed = e.sub(e.add(e.mul(e.sub(e.ceilDiv(in, s), ctx.constant(1)), s), span), in);
  ExprId total = e.max(needed, ctx.constant(0));
  ExprId half = upper ? e.floorDiv(total, ctx.constant(2)) : e.ceilDiv(total, ctx.constant(2));
  return {half, e.sub(total, half)};
}

PaddingMode paddingMode(const InferContext& ctx) {
  auto mode = static_cast<int64_t>(ctx.attrs().get(ops::AutoPadding::kPaddingMode));
  if (mode < static_cast<int64_t>(PaddingMode::kEXPLICIT) || mode > static_cast<int64_t>(PaddingMode::kSAME_LOWER))
    ctx.fail("unknown padding mode " + std::to_string(mode));
  return static_cast<PaddingMode>(mode);
}

}  // namespace kiln::graph
