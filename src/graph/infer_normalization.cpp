// Shape rules: normalization (layer, instance, group), local response normalization.
#include "graph/infer.h"
#include "ops/fused_prologue.h"
#include "ops/normalization.h"

namespace kiln::graph {

namespace {

// Input `i` must broadcast to the dims `x` without changing them (ONNX unidirectional broadcasting).
void requireBroadcastsTo(InferContext& ctx, int32_t i, const std::vector<ExprId>& x, const char* what) {
  const auto& dims = ctx.input(i).dims;
  if (dims.size() > x.size())
    ctx.fail(std::string(what) + " has rank " + std::to_string(dims.size()) + ", above the input's " +
             std::to_string(x.size()));
  size_t offset = x.size() - dims.size();
  for (size_t a = 0; a < dims.size(); ++a) {
    if (ctx.constantValue(dims[a]) == 1) continue;
    ctx.requireEqual(dims[a], x[offset + a],
                     std::string(what) + " must be 1 or the input's size on axis " + std::to_string(offset + a));
  }
}

void inferNormalization(InferContext& ctx) {
  ctx.requireFloat(0);
  ctx.requireSameType(0, 1);
  ctx.requireSameType(0, 2);
  const auto& x = ctx.input(0).dims;
  auto rank = static_cast<int32_t>(x.size());
  int64_t mask = ctx.attrs().get(ops::Normalization::kAxes);
  int64_t groups = ctx.attrs().get(ops::Normalization::kGroups);
  if (ctx.attrs().get(ops::Normalization::kEpsilon) < 0) ctx.fail("epsilon must not be negative");
  if (mask < 0 || (mask >> rank) != 0)
    ctx.fail("the axes mask " + std::to_string(mask) + " names an axis beyond rank " + std::to_string(rank));
  if (groups < 1) ctx.fail("number of groups must be >= 1, got " + std::to_string(groups));
  // With groups the channels of a group are always normalized together; otherwise some axis must be.
  if (mask == 0 && groups == 1) ctx.fail("the axes mask is empty; at least one axis must be normalized");
  if (groups > 1) {
    if (rank < 2) ctx.fail("groups need a channel axis (1); the input has rank " + std::to_string(rank));
    ctx.requireEqual(ctx.exprs().mod(x[1], ctx.constant(groups)), ctx.constant(0),
                     "the channels must be divisible by the number of groups (" + std::to_string(groups) + ")");
  }
  requireBroadcastsTo(ctx, 1, x, "scale");
  requireBroadcastsTo(ctx, 2, x, "bias");
  // A fused residual (ops/fused_prologue.h) is added to the input: its type and shape exactly.
  if (ctx.hasInput(ops::kNormalizationResidualInput)) {
    ctx.requireSameType(0, ops::kNormalizationResidualInput);
    ctx.requireShape(ops::kNormalizationResidualInput, x, "the fused residual");
  }
  ctx.setOutput(0, ctx.input(0).type, x);
}

void inferLRN(InferContext& ctx) {
  ctx.requireFloat(0);
  if (ctx.rank(0) < 2) ctx.fail("the input needs a channel axis (1), not rank " + std::to_string(ctx.rank(0)));
  int64_t window = ctx.attrs().get(ops::LRN::kWindow);
  if (window < 1) ctx.fail("the window size must be >= 1, got " + std::to_string(window));
  ctx.setOutput(0, ctx.input(0).type, ctx.input(0).dims);
}

}  // namespace

void registerNormalizationOps(OpTable& table) {
  table.add({LayerType::kNORMALIZATION, inferNormalization});
  table.add({LayerType::kLRN, inferLRN});
}

}  // namespace kiln::graph
