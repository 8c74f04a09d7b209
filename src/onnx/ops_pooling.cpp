// Importers: pooling (max, average, Lp, global), reductions, softmax / log-softmax / hardmax, top-k, arg-max/min.
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

// ---- Pooling ----------------------------------------------------------------------------------------------------

// Number of spatial axes of an N x C x spatial input (1 to 3).
size_t spatialAxes(ImportContext& ctx, const Node& node, Tensor& x) {
  int32_t rank = rankOf(x);
  if (rank < 3 || rank > 5)
    ctx.unsupported(node, "pooling needs N x C x 1 to 3 spatial axes, not rank " + std::to_string(rank));
  return static_cast<size_t>(rank - 2);
}

// `withIndices` adds the max pooling's second output, the index of each maximum.
PoolingLayer* addPool(ImportContext& ctx, const Node& node, Tensor& x, PoolingType type, const WindowAttrs& w,
                      bool withIndices = false) {
  auto* pool = withIndices ? ctx.network().addMaxPoolingWithIndices(x, toDims(w.kernel))
                           : ctx.network().addPoolingNd(x, type, toDims(w.kernel));
  pool->setStrideNd(toDims(w.strides));
  pool->setPrePadding(toDims(w.pre));
  pool->setPostPadding(toDims(w.post));
  pool->setDilationNd(toDims(w.dilations));
  pool->setPaddingMode(w.mode);
  pool->setCeilMode(ctx.getInt(node, "ceil_mode", 0) != 0);
  return pool;
}

// The optional Indices output (opset 8 on) holds "the flatten 1-D view of the input tensor" index of each maximum;
// storage_order=1 counts the spatial part column-major.
void importMaxPool(ImportContext& ctx, const Node& node) {
  Tensor& x = ctx.requiredInput(node, 0);
  bool withIndices = node.output_size() > 1 && !node.output(1).empty();
  WindowAttrs w = readWindowAttrs(ctx, node, spatialAxes(ctx, node, x), {});
  auto* pool = addPool(ctx, node, x, PoolingType::kMAX, w, withIndices);
  if (withIndices) pool->setIndicesColumnMajor(ctx.getInt(node, "storage_order", 0) != 0);
  ctx.setOutput(node, 0, pool->getOutput(0));
  if (withIndices) ctx.setOutput(node, 1, pool->getOutput(1));
}

// MaxUnpool's output shape: the output_shape input, else "out_i = (in_i - 1) * strides[i] - (pads_begin[i] +
// pads_end[i]) + kernel_shape[i]" on each spatial axis after N and C.
Tensor* unpooledShape(ImportContext& ctx, const Node& node, Tensor& x, const WindowAttrs& w) {
  if (Tensor* shape = ctx.input(node, 2)) {
    if (!shape->isShapeTensor())
      ctx.unsupported(node, "output_shape must be known at build time (a constant or computed from shapes)");
    return ctx.cast(*shape, DataType::kINT64);
  }
  size_t nbSpatial = w.kernel.size();
  std::vector<int64_t> spatial(nbSpatial), offsets(nbSpatial);
  for (size_t i = 0; i < nbSpatial; ++i) {
    spatial[i] = static_cast<int64_t>(i) + 2;
    offsets[i] = w.kernel[i] - w.strides[i] - w.pre[i] - w.post[i];
  }
  Tensor* shape = shapeOf(ctx, x);
  Tensor* sizes = binary(ctx, *binary(ctx, *pickDims(ctx, *shape, spatial), *ctx.constantInt64(w.strides), EW::kPROD),
                         *ctx.constantInt64(offsets), EW::kSUM);
  return ctx.network().addConcatenation({pickDims(ctx, *shape, {0, 1}), sizes}, 0)->getOutput(0);
}

// Zeros of the output shape with every X value written at its index I into the flattened output (ONNX MaxUnpool).
void importMaxUnpool(ImportContext& ctx, const Node& node) {
  Tensor& x = ctx.requiredInput(node, 0);
  Tensor& indices = ctx.requiredInput(node, 1);
  if (indices.getType() != DataType::kINT64) ctx.invalid(node, "the indices must be int64");
  WindowAttrs w = readWindowAttrs(ctx, node, spatialAxes(ctx, node, x), {});
  if (w.mode != PaddingMode::kEXPLICIT) ctx.unsupported(node, "auto_pad SAME is not defined for MaxUnpool");
  Tensor* shape = unpooledShape(ctx, node, x, w);
  Tensor* count = ctx.network().addReduce(*shape, ReduceOperation::kPROD, 1, true)->getOutput(0);
  auto* zeros = ctx.network().addFill(Dims{}, FillOperation::kCONSTANT, x.getType());
  zeros->setInput(0, *count);
  zeros->setAlpha(0);
  Tensor* flat = ctx.network()
                     .addScatter(*zeros->getOutput(0), *ctx.reshape(indices, Dims{-1}), *ctx.reshape(x, Dims{-1}),
                                 ScatterMode::kELEMENT, 0)
                     ->getOutput(0);
  ctx.setOutput(node, 0, reshapeTo(ctx, *flat, *shape));
}

void importAveragePool(ImportContext& ctx, const Node& node) {
  Tensor& x = ctx.requiredInput(node, 0);
  WindowAttrs w = readWindowAttrs(ctx, node, spatialAxes(ctx, node, x), {});
  auto* pool = addPool(ctx, node, x, PoolingType::kAVERAGE, w);
  pool->setAverageCountExcludesPadding(ctx.getInt(node, "count_include_pad", 0) == 0);
  ctx.setOutput(node, 0, pool->getOutput(0));
}

// The exponent p of LpPool / GlobalLpPool: a float attribute in version 1, an int from version 2 (default 2).
float lpExponent(ImportContext& ctx, const Node& node, bool floatAttr) {
  float p = floatAttr ? ctx.getFloat(node, "p", 2.0f) : static_cast<float>(ctx.getInt(node, "p", 2));
  if (!(p > 0)) ctx.invalid(node, "p must be positive");
  return p;
}

// |x|^p, and its inverse y^(1/p); p = 1 and 2 avoid the power function.
Tensor* absPower(ImportContext& ctx, Tensor& x, float p) {
  if (p == 2.0f) return binary(ctx, x, x, EW::kPROD);
  Tensor* a = unary(ctx, x, UnaryOperation::kABS);
  if (p == 1.0f) return a;
  return binary(ctx, *a, *scalarLike(ctx, x, p, rankOf(x)), EW::kPOW);
}

Tensor* root(ImportContext& ctx, Tensor& y, float p) {
  if (p == 1.0f) return &y;
  if (p == 2.0f) return unary(ctx, y, UnaryOperation::kSQRT);
  return binary(ctx, y, *scalarLike(ctx, y, 1.0f / p, rankOf(y)), EW::kPOW);
}

// "Y = (sum over the window of |X|^p)^(1/p)": the window sum is the padding-inclusive average times the window size.
OpImporter lpPool(bool floatP) {
  return [floatP](ImportContext& ctx, const Node& node) {
    Tensor& x = ctx.requiredInput(node, 0);
    float p = lpExponent(ctx, node, floatP);
    WindowAttrs w = readWindowAttrs(ctx, node, spatialAxes(ctx, node, x), {});
    // A ceil-mode window running past the padding averages over fewer elements than the window holds.
    if (ctx.getInt(node, "ceil_mode", 0) != 0) ctx.unsupported(node, "ceil_mode is not supported");
    auto* pool = addPool(ctx, node, *absPower(ctx, x, p), PoolingType::kAVERAGE, w);
    pool->setAverageCountExcludesPadding(false);
    int64_t window = 1;
    for (int64_t k : w.kernel) window *= k;
    Tensor* sum =
        binary(ctx, *pool->getOutput(0), *scalarLike(ctx, x, static_cast<float>(window), rankOf(x)), EW::kPROD);
    ctx.setOutput(node, 0, root(ctx, *sum, p));
  };
}

OpImporter globalPool(PoolingType type) {
  return [type](ImportContext& ctx, const Node& node) {
    Tensor& x = ctx.requiredInput(node, 0);
    // The window of ones only sets the number of spatial axes; a global pool takes its size from the input.
    Dims ones = toDims(std::vector<int64_t>(spatialAxes(ctx, node, x), 1));
    auto* pool = ctx.network().addPoolingNd(x, type, ones);
    pool->setGlobal(true);
    ctx.setOutput(node, 0, pool->getOutput(0));
  };
}

// (sum over the spatial axes of |X|^p)^(1/p), keeping them as size 1.
OpImporter globalLpPool(bool floatP) {
  return [floatP](ImportContext& ctx, const Node& node) {
    Tensor& x = ctx.requiredInput(node, 0);
    float p = lpExponent(ctx, node, floatP);
    int32_t rank = rankOf(x);
    if (rank < 3) ctx.invalid(node, "the input must be N x C x spatial");
    uint32_t spatial = ((1u << rank) - 1) & ~3u;
    Tensor* sum = ctx.network().addReduce(*absPower(ctx, x, p), ReduceOperation::kSUM, spatial, true)->getOutput(0);
    ctx.setOutput(node, 0, root(ctx, *sum, p));
  };
}

}  // namespace

void registerPoolingImporters(OpRegistry& r) {
  r.add("MaxPool", 1, importMaxPool);
  r.add("AveragePool", 1, importAveragePool);
  r.add("MaxUnpool", 9, importMaxUnpool);
  r.add("LpPool", 1, lpPool(true));
  r.add("LpPool", 2, lpPool(false));
  r.add("GlobalAveragePool", 1, globalPool(PoolingType::kAVERAGE));
  r.add("GlobalMaxPool", 1, globalPool(PoolingType::kMAX));
  r.add("GlobalLpPool", 1, globalLpPool(true));
  r.add("GlobalLpPool", 2, globalLpPool(false));

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
