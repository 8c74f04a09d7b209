// Shape rules: N-D convolution (1-D, 2-D, 3-D) with stride, asymmetric or SAME padding, dilation and groups, and
// its transpose (deconvolution) with output padding.
#include "graph/infer.h"
#include "graph/sliding_window.h"
#include "ops/channels_last.h"
#include "ops/convolution.h"
#include "ops/fused_epilogue.h"

namespace kiln::graph {

namespace {

// dilation * (kernel - 1) + 1: the span of input elements one (possibly symbolic) kernel touches.
ExprId effectiveWindow(InferContext& ctx, ExprId window, int64_t dilation) {
  auto& e = ctx.exprs();
  return e.add(e.mul(e.sub(window, ctx.constant(1)), ctx.constant(dilation)), ctx.constant(1));
}

// The groups attribute; when it is unset and the sizes are known, channels / kernel channels if that divides the
// output maps. addConvolutionNd infers the layer as it is added, before setNbGroups can be called, so a grouped
// kernel must be accepted then (TensorRT checks this only when building). The kernel reads the inferred groups.
int64_t convolutionGroups(InferContext& ctx, ExprId channels, ExprId kernelChannels, ExprId outMaps) {
  if (ctx.attrs().has(ops::Convolution::kGroups)) {
    int64_t groups = ctx.attrs().get(ops::Convolution::kGroups);
    if (groups < 1) ctx.fail("number of groups must be >= 1, got " + std::to_string(groups));
    return groups;
  }
  auto c = ctx.constantValue(channels), k = ctx.constantValue(kernelChannels), m = ctx.constantValue(outMaps);
  if (!c || !k || !m || *k < 1 || *c <= *k || *c % *k != 0 || *m % (*c / *k) != 0) return 1;
  ctx.setDerived(ops::Convolution::kInferredGroups, {*c / *k});
  return *c / *k;
}

// Input N x C x spatial and a kernel of the same rank; returns the number of spatial axes.
size_t checkRanks(InferContext& ctx, const char* kernelLayout) {
  int32_t rank = ctx.rank(0);
  if (rank < 3 || rank > 5)
    ctx.fail("input must have rank 3, 4 or 5 (N, C and 1 to 3 spatial axes), not " + std::to_string(rank));
  if (ctx.rank(1) != rank)
    ctx.fail("kernel must have rank " + std::to_string(rank) + " (" + kernelLayout + "), not " +
             std::to_string(ctx.rank(1)));
  return static_cast<size_t>(rank - 2);
}

// The optional bias (input 2): one value per output map.
void checkBias(InferContext& ctx, ExprId outMaps) {
  if (!ctx.hasInput(2)) return;
  ctx.requireSameType(0, 2);
  if (ctx.rank(2) != 1) ctx.fail("bias must be 1-D, not rank " + std::to_string(ctx.rank(2)));
  ctx.requireEqual(ctx.input(2).dims[0], outMaps, "bias size must equal the number of output maps");
}

void inferConvolution(InferContext& ctx) {
  ctx.requireFloat(0);
  ctx.requireSameType(0, 1);
  size_t nbSpatial = checkRanks(ctx, "K, C/groups, kernel size");
  // A channels-last step (plan/channels_last.h) is the same convolution with its axes permuted.
  bool channelsLast = ops::isChannelsLast(ctx.attrs());
  auto toFirst = ops::toChannelsFirst(nbSpatial + 2);
  const auto x = channelsLast ? ops::permuted(ctx.input(0).dims, toFirst) : ctx.input(0).dims;
  const auto w = channelsLast ? ops::permuted(ctx.input(1).dims, toFirst) : ctx.input(1).dims;
  auto stride = spatialAttr(ctx, ops::SlidingWindow::kStride, nbSpatial, 1, 1);
  auto dilation = spatialAttr(ctx, ops::SlidingWindow::kDilation, nbSpatial, 1, 1);
  auto pre = spatialAttr(ctx, ops::SlidingWindow::kPrePadding, nbSpatial, 0, 0);
  auto post = spatialAttr(ctx, ops::SlidingWindow::kPostPadding, nbSpatial, 0, 0);
  PaddingMode mode = paddingMode(ctx);
  int64_t groups = convolutionGroups(ctx, x[1], w[1], w[0]);

  auto& e = ctx.exprs();
  ExprId g = ctx.constant(groups);
  ExprId outMaps = w[0];
  ctx.requireEqual(x[1], e.mul(w[1], g),
                   "input channels must equal kernel input channels x groups (" + std::to_string(groups) + ")");
  ctx.requireEqual(e.mod(outMaps, g), ctx.constant(0), "output maps must be divisible by the number of groups");
  checkBias(ctx, outMaps);

  std::vector<ExprId> out = {x[0], outMaps}, samePre, samePost;
  for (size_t i = 0; i < nbSpatial; ++i) {
    std::string axis = "spatial axis " + std::to_string(i);
    ctx.requireGreaterEqual(w[i + 2], ctx.constant(1), "kernel size must be >= 1 on " + axis);
    ExprId span = effectiveWindow(ctx, w[i + 2], dilation[i]);
    ExprId size;
    if (mode == PaddingMode::kEXPLICIT) {
      size = slidingOutputSize(ctx, x[i + 2], pre[i], post[i], span, stride[i], false);
    } else {
      AxisPadding pad = samePadding(ctx, x[i + 2], span, stride[i], mode == PaddingMode::kSAME_UPPER);
      samePre.push_back(pad.pre);
      samePost.push_back(pad.post);
      size = e.ceilDiv(x[i + 2], ctx.constant(stride[i]));
    }
    ctx.requireGreaterEqual(size, ctx.constant(1), "the dilated kernel is larger than the padded input on " + axis);
    out.push_back(size);
  }
  // The kernel reads the run-time padding of the SAME modes from these.
  if (mode != PaddingMode::kEXPLICIT) {
    ctx.setDerived(ops::AutoPadding::kSamePre, samePre);
    ctx.setDerived(ops::AutoPadding::kSamePost, samePost);
  }
  if (channelsLast) out = ops::permuted(out, ops::toChannelsLast(out.size()));
  // A fused residual (ops/fused_epilogue.h) is added element by element: the output's type and shape exactly.
  if (ctx.hasInput(ops::kResidualInput)) {
    ctx.requireSameType(0, ops::kResidualInput);
    ctx.requireShape(ops::kResidualInput, out, "the fused residual");
  }
  ctx.setOutput(0, ctx.input(0).type, out);
}

// ONNX ConvTranspose: out = stride * (in - 1) + output_padding + dilation * (kernel - 1) + 1 - pre - post.
void inferDeconvolution(InferContext& ctx) {
  if (ops::isChannelsLast(ctx.attrs())) ctx.fail("a deconvolution has no channels-last form");
  ctx.requireFloat(0);
  ctx.requireSameType(0, 1);
  const auto& x = ctx.input(0).dims;
  const auto& w = ctx.input(1).dims;
  size_t nbSpatial = checkRanks(ctx, "C, K/groups, kernel size");
  auto stride = spatialAttr(ctx, ops::SlidingWindow::kStride, nbSpatial, 1, 1);
  auto dilation = spatialAttr(ctx, ops::SlidingWindow::kDilation, nbSpatial, 1, 1);
  auto pre = spatialAttr(ctx, ops::SlidingWindow::kPrePadding, nbSpatial, 0, 0);
  auto post = spatialAttr(ctx, ops::SlidingWindow::kPostPadding, nbSpatial, 0, 0);
  auto outputPadding = spatialAttr(ctx, ops::Deconvolution::kOutputPadding, nbSpatial, 0, 0);
  int64_t groups = ctx.attrs().get(ops::Deconvolution::kGroups);
  if (groups < 1) ctx.fail("number of groups must be >= 1, got " + std::to_string(groups));

  auto& e = ctx.exprs();
  ExprId g = ctx.constant(groups);
  ctx.requireEqual(x[1], w[0], "input channels must equal the kernel's first dimension");
  ctx.requireEqual(e.mod(x[1], g), ctx.constant(0), "input channels must be divisible by the number of groups");
  ExprId outMaps = e.mul(w[1], g);
  checkBias(ctx, outMaps);

  std::vector<ExprId> out = {x[0], outMaps};
  for (size_t i = 0; i < nbSpatial; ++i) {
    std::string axis = "spatial axis " + std::to_string(i);
    ctx.requireGreaterEqual(w[i + 2], ctx.constant(1), "kernel size must be >= 1 on " + axis);
    ExprId span = effectiveWindow(ctx, w[i + 2], dilation[i]);
    ExprId full = e.add(e.mul(e.sub(x[i + 2], ctx.constant(1)), ctx.constant(stride[i])), span);
    ExprId size = e.add(full, ctx.constant(outputPadding[i] - pre[i] - post[i]));
    ctx.requireGreaterEqual(size, ctx.constant(1), "the padding leaves no output on " + axis);
    out.push_back(size);
  }
  ctx.setOutput(0, ctx.input(0).type, out);
}

}  // namespace

void registerConvolutionOps(OpTable& table) {
  table.add({LayerType::kCONVOLUTION, inferConvolution});
  table.add({LayerType::kDECONVOLUTION, inferDeconvolution});
}

}  // namespace kiln::graph
