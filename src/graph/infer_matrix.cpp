// Shape rules: batched matrix multiply with numpy broadcasting of the batch axes; determinant.
#include "graph/broadcast.h"
#include "graph/infer.h"
#include "ops/matrix.h"

namespace kiln::graph {

namespace {

void inferMatrixMultiply(InferContext& ctx) {
  ctx.requireFloat(0);
  ctx.requireSameType(0, 1);
  auto a = ctx.input(0).dims;
  auto b = ctx.input(1).dims;
  bool ta = ctx.attrs().get(ops::MatrixMultiply::kOp0) == MatrixOperation::kTRANSPOSE;
  bool tb = ctx.attrs().get(ops::MatrixMultiply::kOp1) == MatrixOperation::kTRANSPOSE;
  if (a.empty() || b.empty()) ctx.fail("operands must have rank >= 1");
  // Rank-1 operands follow numpy: a vector on the left is a row, on the right a column; the axis is dropped.
  bool vecA = a.size() == 1, vecB = b.size() == 1;
  if (vecA) a.insert(a.begin(), ctx.constant(1));
  if (vecB) b.push_back(ctx.constant(1));
  size_t ra = a.size(), rb = b.size();
  ExprId m = ta ? a[ra - 1] : a[ra - 2];
  ExprId ka = ta ? a[ra - 2] : a[ra - 1];
  ExprId kb = tb ? b[rb - 1] : b[rb - 2];
  ExprId n = tb ? b[rb - 2] : b[rb - 1];
  ctx.requireEqual(ka, kb, "inner dimensions differ");
  std::vector<ExprId> batchA(a.begin(), a.end() - 2), batchB(b.begin(), b.end() - 2);
  auto out = broadcastShapes(ctx, {batchA, batchB});
  if (!vecA) out.push_back(m);
  if (!vecB) out.push_back(n);
  ctx.setOutput(0, ctx.input(0).type, out);
}

// [..., M, M] gives [...].
void inferDeterminant(InferContext& ctx) {
  ctx.requireFloat(0);
  const auto& x = ctx.input(0).dims;
  if (x.size() < 2) ctx.fail("the input must have rank >= 2 (square matrices in the last two axes)");
  ctx.requireEqual(x[x.size() - 2], x[x.size() - 1], "the matrices must be square");
  ctx.setOutput(0, ctx.input(0).type, std::vector<ExprId>(x.begin(), x.end() - 2));
}

}  // namespace

void registerMatrixOps(OpTable& table) {
  table.add({LayerType::kMATRIX_MULTIPLY, inferMatrixMultiply});
  table.add({LayerType::kDETERMINANT, inferDeterminant});
}

}  // namespace kiln::graph
