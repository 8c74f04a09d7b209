// Shape rule: max and average pooling over the trailing 1 to 3 axes (window, stride, padding, dilation, ceil mode,
// global).
#include "core/checked_math.h"
#include "graph/infer.h"
#include "graph/sliding_window.h"
#include "ops/channels_last.h"
#include "ops/pooling.h"

namespace kiln::graph {

namespace {

// Global pooling: every spatial axis collapses to 1; the kernel takes the window from the input shape.
std::vector<ExprId> globalOutput(InferContext& ctx, const std::vector<ExprId>& x, size_t nbSpatial) {
  std::vector<ExprId> out = x;
  for (size_t i = x.size() - nbSpatial; i < x.size(); ++i) {
    ctx.requireGreaterEqual(x[i], ctx.constant(1), "global pooling over an empty axis " + std::to_string(i));
    out[i] = ctx.constant(1);
  }
  return out;
}

std::vector<ExprId> windowedOutput(InferContext& ctx, const std::vector<ExprId>& x,
                                   const std::vector<int64_t>& window) {
  size_t nbSpatial = window.size();
  auto stride = spatialAttr(ctx, ops::Pooling::kStride, nbSpatial, 1, 1);
  auto dilation = spatialAttr(ctx, ops::Pooling::kDilation, nbSpatial, 1, 1);
  auto pre = spatialAttr(ctx, ops::Pooling::kPrePadding, nbSpatial, 0, 0);
  auto post = spatialAttr(ctx, ops::Pooling::kPostPadding, nbSpatial, 0, 0);
  bool ceil = ctx.attrs().get(ops::Pooling::kCeilMode);
  PaddingMode mode = paddingMode(ctx);
  auto& e = ctx.exprs();
  std::vector<ExprId> out(x.begin(), x.end() - static_cast<std::ptrdiff_t>(nbSpatial)), samePre, samePost;
  for (size_t i = 0; i < nbSpatial; ++i) {
    std::string axis = "spatial axis " + std::to_string(i);
    if (window[i] < 1) ctx.fail("window size must be >= 1 on " + axis + ", got " + std::to_string(window[i]));
    // Attributes come from a model or a plan: a span beyond int64 is refused, not wrapped.
    std::optional<int64_t> span = core::tryMul(dilation[i], window[i] - 1);
    if (span) span = core::tryAdd(*span, int64_t{1});
    if (!span)
      ctx.fail("the dilated window (dilation " + std::to_string(dilation[i]) + ", window " + std::to_string(window[i]) +
               ") overflows 64-bit integers on " + axis);
    ExprId in = x[x.size() - nbSpatial + i];
    if (mode != PaddingMode::kEXPLICIT) {
      // SAME padding is below the window span by construction; the kernel reads it from same_pre / same_post.
      AxisPadding pad = samePadding(ctx, in, ctx.constant(*span), stride[i], mode == PaddingMode::kSAME_UPPER);
      samePre.push_back(pad.pre);
      samePost.push_back(pad.post);
      out.push_back(e.ceilDiv(in, ctx.constant(stride[i])));
      continue;
    }
    // A window lying wholly in the padding would have nothing to pool.
    if (pre[i] >= *span || post[i] >= *span)
      ctx.fail("padding must be smaller than the (dilated) window on " + axis + " (window span " +
               std::to_string(*span) + ")");
    ExprId size = slidingOutputSize(ctx, in, pre[i], post[i], ctx.constant(*span), stride[i], ceil && stride[i] > 1);
    if (ceil && stride[i] > 1) {
      // ONNX / PyTorch: the last window must start inside the input or the leading padding.
      ExprId lastStart = e.floorDiv(e.add(in, ctx.constant(pre[i] - 1)), ctx.constant(stride[i]));
      size = e.min(size, e.add(lastStart, ctx.constant(1)));
    }
    ctx.requireGreaterEqual(size, ctx.constant(1), "the window is larger than the padded input on " + axis);
    out.push_back(size);
  }
  if (mode != PaddingMode::kEXPLICIT) {
    ctx.setDerived(ops::Pooling::kSamePre, samePre);
    ctx.setDerived(ops::Pooling::kSamePost, samePost);
  }
  return out;
}

void inferPooling(InferContext& ctx) {
  // A channels-last step (plan/channels_last.h) pools the same axes of the input permuted to channels-first.
  bool channelsLast = ops::isChannelsLast(ctx.attrs());
  size_t rank = ctx.input(0).dims.size();
  if (channelsLast && (rank < 3 || ctx.layer().outputs.size() > 1))
    ctx.fail("channels-last pooling needs N, C and spatial axes, and has no indices output");
  const auto x = channelsLast ? ops::permuted(ctx.input(0).dims, ops::toChannelsFirst(rank)) : ctx.input(0).dims;
  auto op = static_cast<int64_t>(ctx.attrs().get(ops::Pooling::kOp));
  if (op != static_cast<int64_t>(PoolingType::kMAX) && op != static_cast<int64_t>(PoolingType::kAVERAGE))
    ctx.fail("unknown pooling type " + std::to_string(op));
  // Max pooling also takes 8-bit integers (as ONNX MaxPool from opset 12); an average needs floating point.
  DataType type = ctx.input(0).type;
  if (op == static_cast<int64_t>(PoolingType::kAVERAGE) || (type != DataType::kINT8 && type != DataType::kUINT8))
    ctx.requireFloat(0);
  bool global = ctx.attrs().get(ops::Pooling::kGlobal);
  auto window = ctx.attrs().get(ops::Pooling::kWindow);
  // The spatial axes are the trailing window.size() axes; a global pool without a window takes all but N and C.
  size_t nbSpatial = global && window.empty() ? (x.size() > 2 ? x.size() - 2 : 0) : window.size();
  if (nbSpatial < 1 || nbSpatial > 3)
    ctx.fail("pooling needs 1 to 3 spatial axes, got " + std::to_string(nbSpatial) + " (input rank " +
             std::to_string(x.size()) + ")");
  if (x.size() < nbSpatial + 1)
    ctx.fail("input of rank " + std::to_string(x.size()) + " has too few axes for a " + std::to_string(nbSpatial) +
             "-D window");
  auto out = global ? globalOutput(ctx, x, nbSpatial) : windowedOutput(ctx, x, window);
  if (channelsLast) {
    if (nbSpatial != rank - 2) ctx.fail("channels-last pooling must pool every axis but N and C");
    out = ops::permuted(out, ops::toChannelsLast(rank));
  }
  ctx.setOutput(0, ctx.input(0).type, out);
  // addMaxPoolingWithIndices: where each maximum came from, as int64 flat indices into the input.
  if (ctx.layer().outputs.size() > 1) {
    if (op != static_cast<int64_t>(PoolingType::kMAX)) ctx.fail("only max pooling has an indices output");
    ctx.setOutput(1, DataType::kINT64, out);
  }
}

}  // namespace

void registerPoolingOps(OpTable& table) { table.add({LayerType::kPOOLING, inferPooling}); }

}  // namespace kiln::graph
