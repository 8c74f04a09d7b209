// Importers of the pooling family (pooling layers): max, average, Lp and global pooling, MaxUnpool.
#include <cmath>

#include "onnx/linear_common.h"

namespace kiln::onnx {

namespace {

using EW = ElementWiseOperation;

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
}

}  // namespace kiln::onnx
