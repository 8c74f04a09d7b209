// Shape rules: constants, identity, cast, shape, and materialized shape values.
#include <cstring>

#include "core/checked_math.h"
#include "graph/infer.h"
#include "ops/copy.h"

namespace kiln::graph {

namespace {

// Small integer constants carry their values (up to kMaxTrackedValues), so shape arithmetic on them folds.
std::optional<std::vector<ExprId>> constantValues(InferContext& ctx, const std::vector<uint8_t>& blob, DataType type,
                                                  int64_t count) {
  if ((type != DataType::kINT32 && type != DataType::kINT64) || count > kMaxTrackedValues) return std::nullopt;
  std::vector<ExprId> values;
  for (int64_t i = 0; i < count; ++i) {
    int64_t v = 0;
    if (type == DataType::kINT32) {
      int32_t x;
      std::memcpy(&x, blob.data() + i * 4, 4);
      v = x;
    } else {
      std::memcpy(&v, blob.data() + i * 8, 8);
    }
    values.push_back(ctx.constant(v));
  }
  return values;
}

void inferConstant(InferContext& ctx) {
  ops::OpAttrs a = ctx.attrs();
  auto dims = a.get(ops::Constant::kDims);
  DataType type = a.get(ops::Constant::kType);
  int64_t blob = a.get(ops::Constant::kBlob);
  if (blob < 0 || blob >= static_cast<int64_t>(ctx.graph().blobs.size())) ctx.fail("constant data is missing");
  std::vector<ExprId> exprs;
  for (int64_t d : dims) exprs.push_back(ctx.constant(d));
  auto count = core::tryProduct(dims);
  auto needed = count ? core::tryMul<int64_t>(*count, static_cast<int64_t>(dataTypeSize(type))) : std::nullopt;
  const auto& bytes = ctx.graph().blobs[blob];
  if (!needed || static_cast<int64_t>(bytes.size()) != *needed)
    ctx.fail("constant holds " + std::to_string(bytes.size()) + " bytes, dims need " +
             (needed ? std::to_string(*needed) : "more than 64-bit integers count"));
  ctx.setOutput(0, type, exprs, constantValues(ctx, bytes, type, *count));
}

void inferIdentity(InferContext& ctx) {
  const TensorNode& in = ctx.input(0);
  ctx.setOutput(0, in.type, in.dims, in.values);
}

void inferCast(InferContext& ctx) {
  const TensorNode& in = ctx.input(0);
  DataType to = ctx.attrs().get(ops::Cast::kTo);
  if (!isValidDataType(static_cast<int32_t>(to))) ctx.fail("invalid target type");
  // Integer-to-integer casts keep the symbolic values (shape arithmetic casts int64 <-> int32 freely).
  bool keepValues = in.values && (to == DataType::kINT32 || to == DataType::kINT64);
  ctx.setOutput(0, to, in.dims, keepValues ? in.values : std::nullopt);
}

void inferShape(InferContext& ctx) {
  const TensorNode& in = ctx.input(0);
  ctx.setOutput(0, DataType::kINT64, {ctx.constant(static_cast<int64_t>(in.dims.size()))}, in.dims);
}

// Internal: a tensor whose values are expressions evaluated at run time (from the shape-folding pass).
// Its kernels write one integer per value.
void inferShapeValues(InferContext& ctx) {
  ops::OpAttrs a = ctx.attrs();
  std::vector<ExprId> exprs;
  int64_t count = 1;
  for (int64_t d : a.get(ops::ShapeValues::kDims)) {
    if (d < 0 || d > kMaxTrackedValues) ctx.fail("dimension " + std::to_string(d) + " is out of range");
    exprs.push_back(ctx.constant(d));
    count *= d;
  }
  DataType type = a.get(ops::ShapeValues::kType);
  if (type != DataType::kINT32 && type != DataType::kINT64) ctx.fail("shape values must be int32 or int64");
  auto values = a.get(ops::ShapeValues::kValues);
  if (static_cast<int64_t>(values.size()) != count)
    ctx.fail(std::to_string(values.size()) + " values for " + std::to_string(count) + " elements");
  ctx.setOutput(0, type, exprs, values);
}

}  // namespace

void registerCopyOps(OpTable& table) {
  table.add({LayerType::kCONSTANT, inferConstant});
  table.add({LayerType::kIDENTITY, inferIdentity});
  table.add({LayerType::kCAST, inferCast});
  table.add({LayerType::kSHAPE, inferShape});
  table.add({LayerType::kSHAPE_VALUES, inferShapeValues});
}

}  // namespace kiln::graph
