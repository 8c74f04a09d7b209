// Importers of the normalization family (normalization and LRN layers): batch, instance, layer, group and
// mean-variance normalization, LRN.
#include "onnx/linear_common.h"

namespace kiln::onnx {

namespace {

using EW = ElementWiseOperation;

// Bits [first, rank).
uint32_t trailingAxes(int32_t first, int32_t rank) { return ((1u << rank) - 1) & ~((1u << first) - 1); }

// A per-channel parameter ([C], or [C, D1, ...]) given trailing 1s up to rank - 1, so that it broadcasts against an
// N x C x ... input on the channel axis.
Tensor* perChannel(ImportContext& ctx, const Node& node, Tensor& p, int32_t rank) {
  int32_t missing = rank - 1 - rankOf(p);
  if (missing < 0) ctx.invalid(node, "a per-channel parameter has rank " + std::to_string(rankOf(p)));
  if (missing == 0) return &p;
  Tensor* ones = ctx.constantInt64(std::vector<int64_t>(static_cast<size_t>(missing), 1));
  return reshapeTo(ctx, p, *ctx.network().addConcatenation({shapeOf(ctx, p), ones}, 0)->getOutput(0));
}

// Only the first output (Y) of a node in inference mode may be used.
void requireOnlyFirstOutput(ImportContext& ctx, const Node& node, const char* what) {
  for (int32_t i = 1; i < node.output_size(); ++i)
    if (!node.output(i).empty()) ctx.unsupported(node, what);
}

// "Y = (X - mean) / sqrt(var + epsilon) * scale + B", folded into Y = X * a + b per channel (a = scale /
// sqrt(var + epsilon), b = B - mean * a), which constant folding reduces to two element-wise layers for constant
// statistics.
Tensor* batchNormalize(ImportContext& ctx, const Node& node, Tensor& x, Tensor& mean, Tensor& var) {
  Tensor& scale = ctx.requiredInput(node, 1);
  Tensor& bias = ctx.requiredInput(node, 2);
  int32_t rank = rankOf(x);
  // spatial=0 (before opset 9) gives [C, D1, ...] statistics per activation; perChannel() aligns either form.
  Tensor* eps = scalarLike(ctx, var, ctx.getFloat(node, "epsilon", 1e-5f), rankOf(var));
  Tensor* a = binary(ctx, scale, *unary(ctx, *binary(ctx, var, *eps, EW::kSUM), UnaryOperation::kSQRT), EW::kDIV);
  Tensor* b = binary(ctx, bias, *binary(ctx, mean, *a, EW::kPROD), EW::kSUB);
  return binary(ctx, *binary(ctx, x, *perChannel(ctx, node, *a, rank), EW::kPROD), *perChannel(ctx, node, *b, rank),
                EW::kSUM);
}

// Training mode (opset 14 on): normalizes with the batch's statistics over every axis but the channels (the
// variance without Bessel's correction), and outputs "running_mean = input_mean * momentum + current_mean * (1 -
// momentum)" and the same for the variance.
void batchNormalizeTraining(ImportContext& ctx, const Node& node, Tensor& x, Tensor& runningMean, Tensor& runningVar) {
  int32_t rank = rankOf(x);
  uint32_t allButChannels = ((1u << rank) - 1) & ~2u;
  auto average = [&](Tensor& t) {
    return ctx.network().addReduce(t, ReduceOperation::kAVG, allButChannels, false)->getOutput(0);
  };
  Tensor* mean = average(x);
  Tensor* centered = binary(ctx, x, *perChannel(ctx, node, *mean, rank), EW::kSUB);
  Tensor* var = average(*binary(ctx, *centered, *centered, EW::kPROD));
  ctx.setOutput(node, 0, batchNormalize(ctx, node, x, *mean, *var));
  float momentum = ctx.getFloat(node, "momentum", 0.9f);
  auto update = [&](Tensor& running, Tensor& current) {
    Tensor* kept = binary(ctx, running, *scalarLike(ctx, running, momentum, 1), EW::kPROD);
    Tensor* added = binary(ctx, current, *scalarLike(ctx, current, 1.0f - momentum, 1), EW::kPROD);
    return binary(ctx, *kept, *ctx.cast(*added, running.getType()), EW::kSUM);
  };
  ctx.setOutput(node, 1, update(runningMean, *mean));
  ctx.setOutput(node, 2, update(runningVar, *var));
}

// "Output case #2: Y (test mode)": a node asking for Y only runs in test mode whatever is_test says (opsets 1-6);
// momentum only updates the running statistics of training, and consumed_inputs (opset 1) is an in-place hint.
// Before opset 14 training is asked for by the extra outputs (saved statistics), which are not supported.
void importBatchNormalization(ImportContext& ctx, const Node& node) {
  Tensor& x = ctx.requiredInput(node, 0);
  Tensor& mean = ctx.requiredInput(node, 3);
  Tensor& var = ctx.requiredInput(node, 4);
  if (rankOf(x) < 2) ctx.invalid(node, "the input must be N x C x ...");
  if (ctx.opset() >= 14 && ctx.getInt(node, "training_mode", 0) != 0)
    return batchNormalizeTraining(ctx, node, x, mean, var);
  requireOnlyFirstOutput(ctx, node, "training outputs (running or saved mean and variance) need training_mode=1");
  ctx.setOutput(node, 0, batchNormalize(ctx, node, x, mean, var));
}

NormalizationLayer* addNormalization(ImportContext& ctx, Tensor& x, Tensor& scale, Tensor& bias, uint32_t mask,
                                     float epsilon) {
  auto* layer = ctx.network().addNormalization(x, scale, bias, mask);
  layer->setEpsilon(epsilon);
  return layer;
}

// "y = scale * (x - mean) / sqrt(variance + epsilon) + B, where mean and variance are computed per instance per
// channel": the spatial axes of every (n, c). consumed_inputs (opset 1) is an in-place hint without effect here.
void importInstanceNormalization(ImportContext& ctx, const Node& node) {
  Tensor& x = ctx.requiredInput(node, 0);
  int32_t rank = rankOf(x);
  if (rank < 3) ctx.invalid(node, "the input must be N x C x D1 x ...");
  Tensor* scale = perChannel(ctx, node, ctx.requiredInput(node, 1), rank);
  Tensor* bias = perChannel(ctx, node, ctx.requiredInput(node, 2), rank);
  ctx.setOutput(node, 0,
                addNormalization(ctx, x, *scale, *bias, trailingAxes(2, rank), ctx.getFloat(node, "epsilon", 1e-5f))
                    ->getOutput(0));
}

// Normalizes over [axis, rank); the optional Mean and InvStdDev outputs ("the shape of Mean and InvStdDev is
// [d[0], ..., d[axis-1], 1, ..., 1]", of type stash_type) are computed as the spec's function body does.
void importLayerNormalization(ImportContext& ctx, const Node& node) {
  Tensor& x = ctx.requiredInput(node, 0);
  int32_t rank = rankOf(x);
  int64_t axisAttr = ctx.getInt(node, "axis", -1);
  if (axisAttr == rank) ctx.unsupported(node, "axis = rank (no normalized axes) is not supported");
  uint32_t mask = trailingAxes(ctx.axis(node, axisAttr, rank), rank);
  float epsilon = ctx.getFloat(node, "epsilon", 1e-5f);
  DataType stash = fromOnnxType(static_cast<int32_t>(ctx.getInt(node, "stash_type", 1)), "stash_type");
  if (stash != DataType::kFLOAT && stash != DataType::kDOUBLE)
    ctx.unsupported(node, std::string("stash_type ") + dataTypeName(stash) + " is not supported (fp32 or fp64)");
  Tensor* bias = ctx.input(node, 2);
  if (!bias) bias = scalarLike(ctx, x, 0.0f, 1);
  ctx.setOutput(node, 0, addNormalization(ctx, x, ctx.requiredInput(node, 1), *bias, mask, epsilon)->getOutput(0));
  bool wantMean = node.output_size() > 1 && !node.output(1).empty();
  bool wantInv = node.output_size() > 2 && !node.output(2).empty();
  if (!wantMean && !wantInv) return;
  Tensor* xs = ctx.cast(x, stash);
  Tensor* mean = ctx.network().addReduce(*xs, ReduceOperation::kAVG, mask, true)->getOutput(0);
  ctx.setOutput(node, 1, mean);
  if (!wantInv) return;
  Tensor* d = binary(ctx, *xs, *mean, EW::kSUB);
  Tensor* var =
      ctx.network().addReduce(*binary(ctx, *d, *d, EW::kPROD), ReduceOperation::kAVG, mask, true)->getOutput(0);
  Tensor* stdDev =
      unary(ctx, *binary(ctx, *var, *scalarLike(ctx, *var, epsilon, rank), EW::kSUM), UnaryOperation::kSQRT);
  ctx.setOutput(node, 2, unary(ctx, *stdDev, UnaryOperation::kRECIP));
}

// Opset 18 gives scale and bias per group; opset 21 per channel. Per-group values are spread over the channels of
// each group (which needs the channel count at build time).
Tensor* groupParameter(ImportContext& ctx, const Node& node, Tensor& p, Tensor& x, int64_t groups, bool perGroup) {
  if (!perGroup) return &p;
  int64_t channels = x.getDimensions().d[1];
  if (channels < 0) ctx.unsupported(node, "per-group scale and bias need the channel count at build time");
  if (channels % groups != 0) ctx.invalid(node, "the channels are not divisible by num_groups");
  std::vector<int64_t> group(static_cast<size_t>(channels));
  for (int64_t c = 0; c < channels; ++c) group[static_cast<size_t>(c)] = c / (channels / groups);
  return ctx.network().addGather(p, *ctx.constantInt64(group), 0)->getOutput(0);
}

OpImporter groupNormalization(bool perGroupParameters) {
  return [perGroupParameters](ImportContext& ctx, const Node& node) {
    Tensor& x = ctx.requiredInput(node, 0);
    int32_t rank = rankOf(x);
    if (rank < 2) ctx.invalid(node, "the input must be N x C x ...");
    if (!ctx.has(node, "num_groups")) ctx.invalid(node, "num_groups is required");
    int64_t groups = ctx.getInt(node, "num_groups", 1);
    if (groups < 1) ctx.invalid(node, "num_groups must be >= 1");
    // stash_type (opset 21) only sets the precision of the statistics, which the kernel keeps in fp64 anyway.
    int64_t stash = ctx.getInt(node, "stash_type", 1);
    if (stash != 1) ctx.unsupported(node, "stash_type " + std::to_string(stash) + " is not supported (only 1, fp32)");
    Tensor* scale = groupParameter(ctx, node, ctx.requiredInput(node, 1), x, groups, perGroupParameters);
    Tensor* bias = groupParameter(ctx, node, ctx.requiredInput(node, 2), x, groups, perGroupParameters);
    // The channels of a group always share statistics; with one group that is axis 1 itself. The layer is created
    // with the channel axis in the mask, valid before the groups are set, and then given its final axes.
    uint32_t mask = trailingAxes(2, rank) | (groups == 1 ? 2u : 0u);
    auto* layer = addNormalization(ctx, x, *perChannel(ctx, node, *scale, rank), *perChannel(ctx, node, *bias, rank),
                                   mask | 2u, ctx.getFloat(node, "epsilon", 1e-5f));
    layer->setNbGroups(groups);
    layer->setAxes(mask);
    ctx.setOutput(node, 0, layer->getOutput(0));
  };
}

// "(X-EX)/sqrt(E(X-EX)^2)"; the function body divides by std + 1e-9, which 1e-18 under the root matches where it
// matters (a constant input gives 0, not NaN). Opset 1 chooses the axes with across_channels and may only center.
OpImporter meanVarianceNormalization(bool legacy) {
  return [legacy](ImportContext& ctx, const Node& node) {
    Tensor& x = ctx.requiredInput(node, 0);
    int32_t rank = rankOf(x);
    uint32_t mask;
    bool normalizeVariance = true;
    if (legacy) {
      if (rank != 4) ctx.unsupported(node, "opset 1 MeanVarianceNormalization takes N x C x H x W inputs");
      mask = ctx.getInt(node, "across_channels", 0) != 0 ? 0xFu : 0xDu;
      normalizeVariance = ctx.getInt(node, "normalize_variance", 1) != 0;
    } else {
      std::vector<int64_t> axes = ctx.has(node, "axes") ? ctx.getInts(node, "axes") : std::vector<int64_t>{0, 2, 3};
      mask = axesMask(ctx, node, axes, rank);
    }
    if (mask == 0) ctx.invalid(node, "no axes to normalize over");
    Tensor* y;
    if (normalizeVariance) {
      Tensor* one = scalarLike(ctx, x, 1.0f, 1);
      Tensor* zero = scalarLike(ctx, x, 0.0f, 1);
      y = addNormalization(ctx, x, *one, *zero, mask, 1e-18f)->getOutput(0);
    } else {
      y = binary(ctx, x, *ctx.network().addReduce(x, ReduceOperation::kAVG, mask, true)->getOutput(0), EW::kSUB);
    }
    ctx.setOutput(node, 0, y);
  };
}

void importLRN(ImportContext& ctx, const Node& node) {
  Tensor& x = ctx.requiredInput(node, 0);
  if (!ctx.has(node, "size")) ctx.invalid(node, "size is required");
  auto* layer = ctx.network().addLRN(x, ctx.getInt(node, "size", 1), ctx.getFloat(node, "alpha", 1e-4f),
                                     ctx.getFloat(node, "beta", 0.75f), ctx.getFloat(node, "bias", 1.0f));
  ctx.setOutput(node, 0, layer->getOutput(0));
}

}  // namespace

void registerNormalizationImporters(OpRegistry& r) {
  r.add("BatchNormalization", 1, importBatchNormalization);
  r.add("InstanceNormalization", 1, importInstanceNormalization);
  r.add("LayerNormalization", 17, importLayerNormalization);
  r.add("GroupNormalization", 18, groupNormalization(true));
  r.add("GroupNormalization", 21, groupNormalization(false));
  r.add("MeanVarianceNormalization", 1, meanVarianceNormalization(true));
  r.add("MeanVarianceNormalization", 9, meanVarianceNormalization(false));
  r.add("LRN", 1, importLRN);
}

}  // namespace kiln::onnx
