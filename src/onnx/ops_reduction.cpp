// Importers of the reduction family (reduce, softmax and top-k layers): reductions, softmax / log-softmax / hardmax,
// top-k, arg-max/min.
#include <cmath>

#include "onnx/linear_common.h"

namespace kiln::onnx {

namespace {

using EW = ElementWiseOperation;

// ---- Reductions -------------------------------------------------------------------------------------------------

// A reduce layer over `mask`; no axes (a scalar input, or noop_with_empty_axes) leaves x as it is.
Tensor* reduce(ImportContext& ctx, Tensor& x, ReduceOperation op, uint32_t mask, bool keep) {
  if (mask == 0) return &x;
  return ctx.network().addReduce(x, op, mask, keep)->getOutput(0);
}

// The axes to reduce: the axes attribute, or input 1 in the newer versions; all axes when absent or empty.
// "noop_with_empty_axes: ... If true, no reduction is applied, but other operations will be performed. For example,
// ReduceSumSquare acts as a vanilla Square." An empty mask means exactly that to the importers below.
uint32_t reductionMask(ImportContext& ctx, const Node& node, int32_t rank, bool axesFromInput) {
  std::vector<int64_t> axes;
  if (axesFromInput) {
    if (Tensor* t = ctx.input(node, 1)) {
      auto values = ctx.constantInts(t);
      if (!values) ctx.unsupported(node, "the axes input must be known at build time (a constant)");
      axes = *values;
    }
    if (axes.empty() && ctx.getInt(node, "noop_with_empty_axes", 0) != 0) return 0;
  } else {
    axes = ctx.getInts(node, "axes");
  }
  if (axes.empty()) return (1u << rank) - 1;
  return axesMask(ctx, node, axes, rank);
}

enum class Reduction { kSUM, kMEAN, kMAX, kMIN, kPROD, kL1, kL2, kLOG_SUM, kLOG_SUM_EXP, kSUM_SQUARE };

OpImporter reduction(Reduction kind, bool axesFromInput) {
  return [kind, axesFromInput](ImportContext& ctx, const Node& node) {
    Tensor& x = ctx.requiredInput(node, 0);
    uint32_t mask = reductionMask(ctx, node, rankOf(x), axesFromInput);
    bool keep = ctx.getInt(node, "keepdims", 1) != 0;
    auto sum = [&](Tensor& t) { return reduce(ctx, t, ReduceOperation::kSUM, mask, keep); };
    Tensor* y = nullptr;
    switch (kind) {
      case Reduction::kSUM: y = sum(x); break;
      case Reduction::kMEAN: y = reduce(ctx, x, ReduceOperation::kAVG, mask, keep); break;
      case Reduction::kMAX: y = reduce(ctx, x, ReduceOperation::kMAX, mask, keep); break;
      case Reduction::kMIN: y = reduce(ctx, x, ReduceOperation::kMIN, mask, keep); break;
      case Reduction::kPROD: y = reduce(ctx, x, ReduceOperation::kPROD, mask, keep); break;
      case Reduction::kL1: y = sum(*unary(ctx, x, UnaryOperation::kABS)); break;
      case Reduction::kL2: y = unary(ctx, *sum(*binary(ctx, x, x, EW::kPROD)), UnaryOperation::kSQRT); break;
      case Reduction::kSUM_SQUARE: y = sum(*binary(ctx, x, x, EW::kPROD)); break;
      case Reduction::kLOG_SUM: y = unary(ctx, *sum(x), UnaryOperation::kLOG); break;
      case Reduction::kLOG_SUM_EXP: {
        // max + log(sum(exp(x - max))): the same value, without overflow in exp.
        Tensor* m = reduce(ctx, x, ReduceOperation::kMAX, mask, true);
        Tensor* e = unary(ctx, *binary(ctx, x, *m, EW::kSUB), UnaryOperation::kEXP);
        Tensor* shift = keep ? m : reduce(ctx, x, ReduceOperation::kMAX, mask, false);
        y = binary(ctx, *unary(ctx, *sum(*e), UnaryOperation::kLOG), *shift, EW::kSUM);
        break;
      }
    }
    // A reduction over nothing passes x through; the output still needs a layer of its own to carry its name.
    if (y == &x) y = ctx.network().addIdentity(x)->getOutput(0);
    ctx.setOutput(node, 0, y);
  };
}

// ---- Softmax, LogSoftmax, Hardmax -------------------------------------------------------------------------------

enum class SoftmaxKind { kSOFTMAX, kLOG_SOFTMAX, kHARDMAX };

// One-hot of the first maximum along `axis` (ONNX Hardmax): the index from top-1, compared with an iota.
Tensor* hardmax(ImportContext& ctx, Tensor& x, int32_t axis) {
  int32_t rank = rankOf(x);
  Tensor* index = ctx.network().addTopK(x, TopKOperation::kMAX, 1, 1u << axis)->getOutput(1);
  // iota of shape [n, 1, ..., 1] (trailing from `axis`) broadcasts against the index's size-1 axis.
  Tensor* n = pickDims(ctx, *shapeOf(ctx, x), {axis});
  Tensor* ones = ctx.constantInt64(std::vector<int64_t>(static_cast<size_t>(rank - axis - 1), 1));
  Tensor* iotaDims = ctx.network().addConcatenation({n, ones}, 0)->getOutput(0);
  auto* fill = ctx.network().addFill(Dims{}, FillOperation::kLINSPACE, DataType::kINT32);
  fill->setInput(0, *iotaDims);
  fill->setAlpha(0);
  fill->setBeta(1);
  Tensor* hit = binary(ctx, *fill->getOutput(0), *index, EW::kEQUAL);
  return ctx.cast(*hit, x.getType());
}

Tensor* softmaxAlong(ImportContext& ctx, Tensor& x, int32_t axis, SoftmaxKind kind) {
  if (kind == SoftmaxKind::kHARDMAX) return hardmax(ctx, x, axis);
  auto* layer = ctx.network().addSoftMax(x);
  layer->setAxes(1u << axis);
  layer->setLog(kind == SoftmaxKind::kLOG_SOFTMAX);
  return layer->getOutput(0);
}

// Before opset 13 "the input is coerced into a 2-dimensional tensor" at `axis` (default 1) and normalized over the
// second dimension; from 13 on, the single axis `axis` (default -1).
OpImporter softmax(SoftmaxKind kind, bool coerce2D) {
  return [kind, coerce2D](ImportContext& ctx, const Node& node) {
    Tensor& x = ctx.requiredInput(node, 0);
    int32_t rank = rankOf(x);
    if (rank == 0) ctx.invalid(node, "the input must have rank >= 1");
    int32_t axis = ctx.axis(node, ctx.getInt(node, "axis", coerce2D ? 1 : -1), rank);
    Tensor* y;
    if (coerce2D && axis != rank - 1) {
      Tensor* flat = flattenTo2D(ctx, x, axis);
      y = reshapeTo(ctx, *softmaxAlong(ctx, *flat, 1, kind), *shapeOf(ctx, x));
    } else {
      y = softmaxAlong(ctx, x, axis, kind);
    }
    ctx.setOutput(node, 0, y);
  };
}

// ---- TopK, ArgMax, ArgMin ---------------------------------------------------------------------------------------

// x reversed along `axis`: a slice from n - 1 with stride -1 (dynamic-shape friendly).
Tensor* reverse(ImportContext& ctx, Tensor& x, int32_t axis) {
  int32_t rank = rankOf(x);
  std::vector<int64_t> unit(static_cast<size_t>(rank), 0);
  unit[axis] = 1;
  Dims zeros = toDims(std::vector<int64_t>(static_cast<size_t>(rank), 0));
  Dims stride = toDims(std::vector<int64_t>(static_cast<size_t>(rank), 1));
  stride.d[axis] = -1;
  Tensor* shape = shapeOf(ctx, x);
  // start = shape * unit - unit: n - 1 on the axis, 0 elsewhere.
  Tensor* start =
      binary(ctx, *binary(ctx, *shape, *ctx.constantInt64(unit), EW::kPROD), *ctx.constantInt64(unit), EW::kSUB);
  auto* slice = ctx.network().addSlice(x, zeros, zeros, stride);
  slice->setInput(1, *start);
  slice->setInput(2, *shape);
  return slice->getOutput(0);
}

// Index of the first (or, with select_last_index, the last) maximum or minimum along `axis`, as int64.
OpImporter argReduce(TopKOperation op) {
  return [op](ImportContext& ctx, const Node& node) {
    Tensor& x = ctx.requiredInput(node, 0);
    int32_t rank = rankOf(x);
    if (rank == 0) ctx.invalid(node, "the input must have rank >= 1");
    int32_t axis = ctx.axis(node, ctx.getInt(node, "axis", 0), rank);
    bool last = ctx.getInt(node, "select_last_index", 0) != 0;
    // Top-k keeps ties in index order, so the first of the reversed axis is the last of the original.
    Tensor* source = last ? reverse(ctx, x, axis) : &x;
    Tensor* index = ctx.network().addTopK(*source, op, 1, 1u << axis)->getOutput(1);
    index = ctx.cast(*index, DataType::kINT64);
    if (last) {
      Tensor* n = pickDims(ctx, *shapeOf(ctx, x), {axis});
      Tensor* lastIndex = binary(ctx, *n, *ctx.constantInt64({1}), EW::kSUB);
      index = binary(ctx, *lastIndex, *index, EW::kSUB);
    }
    if (ctx.getInt(node, "keepdims", 1) == 0) index = dropAxes(ctx, *index, {axis});
    ctx.setOutput(node, 0, index);
  };
}

// K from the attribute (opset 1) or input 1, which must be known at build time: it sets the output shape.
void importTopK(ImportContext& ctx, const Node& node, bool kFromInput) {
  Tensor& x = ctx.requiredInput(node, 0);
  int32_t rank = rankOf(x);
  if (rank == 0) ctx.invalid(node, "the input must have rank >= 1");
  int32_t axis = ctx.axis(node, ctx.getInt(node, "axis", -1), rank);
  // "sorted: Whether to return the elements in sorted order": always sorted, which satisfies either setting.
  auto op = ctx.getInt(node, "largest", 1) != 0 ? TopKOperation::kMAX : TopKOperation::kMIN;
  TopKLayer* layer;
  if (kFromInput) {
    Tensor& k = ctx.requiredInput(node, 1);
    if (!ctx.asShapeTensor(k))
      ctx.unsupported(node, "K must be known at build time (a constant, computed from shapes, or a graph input)");
    layer = ctx.network().addTopK(x, op, 1, 1u << axis);
    layer->setInput(1, k);
  } else {
    layer = ctx.network().addTopK(x, op, ctx.getInt(node, "k", 0), 1u << axis);
  }
  ctx.setOutput(node, 0, layer->getOutput(0));
  ctx.setOutput(node, 1, ctx.cast(*layer->getOutput(1), DataType::kINT64));
}

}  // namespace

void registerReductionImporters(OpRegistry& r) {
  // ReduceSum takes its axes as an input from opset 13, the other reductions from 18.
  const std::pair<const char*, Reduction> reductions[] = {
      {"ReduceSum", Reduction::kSUM},
      {"ReduceMean", Reduction::kMEAN},
      {"ReduceMax", Reduction::kMAX},
      {"ReduceMin", Reduction::kMIN},
      {"ReduceProd", Reduction::kPROD},
      {"ReduceL1", Reduction::kL1},
      {"ReduceL2", Reduction::kL2},
      {"ReduceLogSum", Reduction::kLOG_SUM},
      {"ReduceLogSumExp", Reduction::kLOG_SUM_EXP},
      {"ReduceSumSquare", Reduction::kSUM_SQUARE},
  };
  for (const auto& [name, kind] : reductions) {
    r.add(name, 1, reduction(kind, false));
    r.add(name, kind == Reduction::kSUM ? 13 : 18, reduction(kind, true));
  }

  r.add("Softmax", 1, softmax(SoftmaxKind::kSOFTMAX, true));
  r.add("Softmax", 13, softmax(SoftmaxKind::kSOFTMAX, false));
  r.add("LogSoftmax", 1, softmax(SoftmaxKind::kLOG_SOFTMAX, true));
  r.add("LogSoftmax", 13, softmax(SoftmaxKind::kLOG_SOFTMAX, false));
  r.add("Hardmax", 1, softmax(SoftmaxKind::kHARDMAX, true));
  r.add("Hardmax", 13, softmax(SoftmaxKind::kHARDMAX, false));

  r.add("TopK", 1, [](ImportContext& ctx, const Node& node) { importTopK(ctx, node, false); });
  r.add("TopK", 10, [](ImportContext& ctx, const Node& node) { importTopK(ctx, node, true); });
  r.add("ArgMax", 1, argReduce(TopKOperation::kMAX));
  r.add("ArgMin", 1, argReduce(TopKOperation::kMIN));
}

}  // namespace kiln::onnx
