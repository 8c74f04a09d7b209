// Shape rule: N-D convolution (1-D, 2-D, 3-D) with stride, asymmetric padding, dilation and groups.
#include "graph/infer.h"
#include "graph/sliding_window.h"

namespace kiln::graph {


namespace {

// dilation * (kernel - 1) + 1: the span of input elements one (possibly symbolic) kernel touches.
ExprId effectiveWindow(InferContext& ctx, ExprId window, int64_t dilation) {
  auto& e = ctx.exprs();
  return e.add(e.mul(e.sub(window, ctx.constant(1)), ctx.constant(dilation)), ctx.constant(1));
}

// The "groups" attribute; when it is unset and the sizes are known, channels / kernel channels if that divides the
// output maps. addConvolutionNd infers the layer as it is added, before setNbGroups can be called, so a grouped
// kernel must be accepted then (TensorRT checks this only when building). The kernel reads "inferred_groups".
int64_t convolutionGroups(InferContext& ctx, ExprId channels, ExprId kernelChannels, ExprId outMaps) {
  if (ctx.attrs().has("groups")) {
    int64_t groups = ctx.attrs().getInt("groups");
    if (groups < 1) ctx.fail("number of groups must be >= 1, got " + std::to_string(groups));
    return groups;
  }
  auto c = ctx.constantValue(channels), k = ctx.constantValue(kernelChannels), m = ctx.constantValue(outMaps);
  if (!c || !k || !m || *k < 1 || *c <= *k || *c % *k != 0 || *m % (*c / *k) != 0) return 1;
  ctx.setDerivedInts("inferred_groups", {*c / *k});
  return *c / *k;
}

void inferConvolution(InferContext& ctx) {
  ctx.requireFloat(0);
  ctx.requireSameType(0, 1);
  const auto& x = ctx.input(0).dims;
  const auto& w = ctx.input(1).dims;
  int32_t rank = ctx.rank(0);
  if (rank < 3 || rank > 5)
    ctx.fail("input must have rank 3, 4 or 5 (N, C and 1 to 3 spatial axes), not " + std::to_string(rank));
  if (ctx.rank(1) != rank)
    ctx.fail("kernel must have rank " + std::to_string(rank) + " (K, C/groups, kernel size), not " +
             std::to_string(ctx.rank(1)));
  auto nbSpatial = static_cast<size_t>(rank - 2);
  auto stride = spatialAttr(ctx, "stride", nbSpatial, 1, 1);
  auto dilation = spatialAttr(ctx, "dilation", nbSpatial, 1, 1);
  auto pre = spatialAttr(ctx, "pre_padding", nbSpatial, 0, 0);
  auto post = spatialAttr(ctx, "post_padding", nbSpatial, 0, 0);
  int64_t groups = convolutionGroups(ctx, x[1], w[1], w[0]);

  auto& e = ctx.exprs();
  ExprId g = ctx.constant(groups);
  ExprId outMaps = w[0];
  ctx.requireEqual(x[1], e.mul(w[1], g),
                   "input channels must equal kernel input channels x groups (" + std::to_string(groups) + ")");
  ctx.requireEqual(e.mod(outMaps, g), ctx.constant(0), "output maps must be divisible by the number of groups");
  if (ctx.hasInput(2)) {
    ctx.requireSameType(0, 2);
    if (ctx.rank(2) != 1) ctx.fail("bias must be 1-D, not rank " + std::to_string(ctx.rank(2)));
    ctx.requireEqual(ctx.input(2).dims[0], outMaps, "bias size must equal the number of output maps");
  }

  std::vector<ExprId> out = {x[0], outMaps};
  for (size_t i = 0; i < nbSpatial; ++i) {
    std::string axis = "spatial axis " + std::to_string(i);
    ctx.requireGreaterEqual(w[i + 2], ctx.constant(1), "kernel size must be >= 1 on " + axis);
    ExprId span = effectiveWindow(ctx, w[i + 2], dilation[i]);
    ExprId size = slidingOutputSize(ctx, x[i + 2], pre[i], post[i], span, stride[i], false);
    ctx.requireGreaterEqual(size, ctx.constant(1), "the dilated kernel is larger than the padded input on " + axis);
    out.push_back(size);
  }
  ctx.setOutput(0, ctx.input(0).type, out);
}

}  // namespace

void registerConvolutionOps(OpTable& table) { table.add({LayerType::kCONVOLUTION, inferConvolution, {}}); }

}  // namespace kiln::graph
