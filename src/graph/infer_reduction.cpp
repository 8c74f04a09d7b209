// Shape rules: reduce, top-k and softmax.
#include <bit>

#include "graph/broadcast.h"
#include "graph/infer.h"
#include "ops/fused_prologue.h"
#include "ops/reduction.h"

namespace kiln::graph {

namespace {

// The kernels handle floating point, int32 and int64 data.
void requireNumeric(InferContext& ctx) {
  DataType t = ctx.input(0).type;
  if (!isFloatingPoint(t) && t != DataType::kINT32 && t != DataType::kINT64)
    ctx.fail(std::string("input type ") + dataTypeName(t) + " is not supported (floating point, int32 or int64)");
}

// Checks a reduction axes bitmask against the input rank; TensorRT requires at least one axis.
uint32_t axesMask(InferContext& ctx, const ops::IntAttr& key, int32_t rank) {
  int64_t mask = ctx.attrs().get(key);
  if (mask == 0) ctx.fail("the axes mask is empty; at least one axis must be reduced");
  if (mask < 0 || (mask >> rank) != 0)
    ctx.fail("the axes mask " + std::to_string(mask) + " names an axis beyond rank " + std::to_string(rank));
  return static_cast<uint32_t>(mask);
}

// Reducing a shape tensor (e.g. ReduceProd of a Shape output = the element count) folds into expressions.
std::optional<std::vector<ExprId>> reduceValues(InferContext& ctx, ReduceOperation op, const TensorNode& in,
                                                uint32_t mask, int64_t outVolume) {
  std::vector<int64_t> dims;
  if (!in.values || op == ReduceOperation::kAVG || !ctx.constantValues(in.dims, dims)) return std::nullopt;
  auto& e = ctx.exprs();
  std::vector<std::optional<ExprId>> acc(static_cast<size_t>(outVolume));
  for (size_t flat = 0; flat < in.values->size(); ++flat) {
    // The output element of an input element: its coordinates with the reduced axes dropped.
    int64_t rem = static_cast<int64_t>(flat), outIndex = 0, outStride = 1;
    for (int32_t a = static_cast<int32_t>(dims.size()) - 1; a >= 0; --a) {
      int64_t coord = rem % dims[a];
      rem /= dims[a];
      if (!((mask >> a) & 1)) {
        outIndex += coord * outStride;
        outStride *= dims[a];
      }
    }
    ExprId v = (*in.values)[flat];
    auto& slot = acc[outIndex];
    if (!slot)
      slot = v;
    else if (op == ReduceOperation::kSUM)
      slot = e.add(*slot, v);
    else if (op == ReduceOperation::kPROD)
      slot = e.mul(*slot, v);
    else if (op == ReduceOperation::kMAX)
      slot = e.max(*slot, v);
    else
      slot = e.min(*slot, v);
  }
  std::vector<ExprId> out;
  for (const auto& slot : acc) {
    if (!slot) return std::nullopt;  // an empty reduction: no identity for min/max, and too rare to bother
    out.push_back(*slot);
  }
  return out;
}

void inferReduce(InferContext& ctx) {
  ReduceOperation op = ctx.attrs().get(ops::Reduce::kOp);
  if (op < ReduceOperation::kSUM || op > ReduceOperation::kAVG) ctx.fail("unknown reduce operation");
  requireNumeric(ctx);
  const TensorNode& in = ctx.input(0);
  int32_t rank = ctx.rank(0);
  uint32_t mask = axesMask(ctx, ops::Reduce::kAxes, rank);
  bool keep = ctx.attrs().get(ops::Reduce::kKeepDims);
  std::vector<ExprId> out;
  int64_t outVolume = 1;
  for (int32_t i = 0; i < rank; ++i) {
    if ((mask >> i) & 1) {
      if (keep) out.push_back(ctx.constant(1));
    } else {
      out.push_back(in.dims[i]);
      outVolume *= ctx.constantValue(in.dims[i]).value_or(0);
    }
  }
  ctx.setOutput(0, in.type, out, reduceValues(ctx, op, in, mask, outVolume));
}

// k comes from the attribute, or from input 1 (a one-element shape tensor, as ONNX TopK's K input).
ExprId topKCount(InferContext& ctx) {
  if (!ctx.hasInput(1)) {
    int64_t k = ctx.attrs().get(ops::TopK::kK);
    if (k <= 0) ctx.fail("k must be positive, not " + std::to_string(k));
    return ctx.constant(k);
  }
  const TensorNode& t = ctx.input(1);
  if (t.type != DataType::kINT32 && t.type != DataType::kINT64) ctx.fail("the k tensor must be int32 or int64");
  if (t.dims.size() > 1 || t.values->size() != 1) ctx.fail("the k tensor must hold exactly one value");
  ExprId k = t.values->front();
  ctx.requireGreaterEqual(k, ctx.constant(1), "k must be positive");
  return k;
}

void inferTopK(InferContext& ctx) {
  TopKOperation op = ctx.attrs().get(ops::TopK::kOp);
  if (op != TopKOperation::kMAX && op != TopKOperation::kMIN) ctx.fail("unknown top-k operation");
  requireNumeric(ctx);
  const TensorNode& in = ctx.input(0);
  uint32_t mask = axesMask(ctx, ops::TopK::kAxes, ctx.rank(0));
  if (std::popcount(mask) != 1) ctx.fail("the axes mask must have exactly one bit set");
  int32_t axis = std::countr_zero(mask);
  ExprId k = topKCount(ctx);
  ctx.requireGreaterEqual(in.dims[axis], k, "k exceeds the size of axis " + std::to_string(axis));
  std::vector<ExprId> out = in.dims;
  out[axis] = k;
  ctx.setOutput(0, in.type, out);
  ctx.setOutput(1, DataType::kINT32, out);
}

void inferSoftMax(InferContext& ctx) {
  ctx.requireFloat(0);
  const TensorNode& in = ctx.input(0);
  std::vector<ExprId> out = in.dims;
  // A fused mask (ops/fused_prologue.h) is added to the scores, the two broadcast to the output.
  if (ctx.hasInput(ops::kSoftMaxMaskInput)) {
    ctx.requireSameType(0, ops::kSoftMaxMaskInput);
    out = broadcastShapes(ctx, {in.dims, ctx.input(ops::kSoftMaxMaskInput).dims});
  }
  ctx.normalizeAxis(ctx.attrs().get(ops::SoftMax::kAxis), static_cast<int32_t>(out.size()));
  ctx.setOutput(0, in.type, out);
}

}  // namespace

void registerReductionOps(OpTable& table) {
  table.add({LayerType::kREDUCE, inferReduce});
  table.add({LayerType::kTOPK, inferTopK});
  table.add({LayerType::kSOFTMAX, inferSoftMax});
}

}  // namespace kiln::graph
