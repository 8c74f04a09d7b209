// Importers of the matrix family (matrix multiply, determinant and einsum layers): MatMul, Gemm, Det, Einsum.
#include "onnx/linear_common.h"

namespace kiln::onnx {

namespace {

using EW = ElementWiseOperation;

void importMatMul(ImportContext& ctx, const Node& node) {
  Tensor& a = ctx.requiredInput(node, 0);
  Tensor& b = ctx.requiredInput(node, 1);
  ctx.setOutput(node, 0,
                ctx.network().addMatrixMultiply(a, MatrixOperation::kNONE, b, MatrixOperation::kNONE)->getOutput(0));
}

// "Y = alpha * A' * B' + beta * C", C broadcasting to A' * B' (its "broadcast" attribute before opset 7 only
// restricts which shapes are valid, and numpy broadcasting accepts every one of them). C is optional from opset 11.
void importGemm(ImportContext& ctx, const Node& node) {
  Tensor& a = ctx.requiredInput(node, 0);
  Tensor& b = ctx.requiredInput(node, 1);
  if (rankOf(a) != 2 || rankOf(b) != 2) ctx.invalid(node, "A and B must be 2-D");
  auto op = [&](const char* attr) {
    return ctx.getInt(node, attr, 0) != 0 ? MatrixOperation::kTRANSPOSE : MatrixOperation::kNONE;
  };
  Tensor* y = ctx.network().addMatrixMultiply(a, op("transA"), b, op("transB"))->getOutput(0);
  float alpha = ctx.getFloat(node, "alpha", 1.0f), beta = ctx.getFloat(node, "beta", 1.0f);
  if (alpha != 1.0f) y = binary(ctx, *y, *scalarLike(ctx, *y, alpha, 2), EW::kPROD);
  if (Tensor* c = ctx.input(node, 2)) {
    if (beta != 1.0f) c = binary(ctx, *c, *scalarLike(ctx, *c, beta, rankOf(*c)), EW::kPROD);
    y = binary(ctx, *y, *c, EW::kSUM);
  }
  ctx.setOutput(node, 0, y);
}

// "Det calculates determinant of a square matrix or batches of square matrices": [*, M, M] gives [*].
void importDet(ImportContext& ctx, const Node& node) {
  ctx.setOutput(node, 0, ctx.network().addDeterminant(ctx.requiredInput(node, 0))->getOutput(0));
}

void importEinsum(ImportContext& ctx, const Node& node) {
  if (!ctx.has(node, "equation")) ctx.invalid(node, "equation is required");
  std::vector<Tensor*> inputs;
  for (int32_t i = 0; i < ctx.nbInputs(node); ++i) inputs.push_back(&ctx.requiredInput(node, i));
  if (inputs.empty()) ctx.invalid(node, "einsum needs at least one input");
  std::string equation = ctx.getString(node, "equation", "");
  ctx.setOutput(node, 0, ctx.network().addEinsum(inputs, equation.c_str())->getOutput(0));
}

}  // namespace

void registerMatrixImporters(OpRegistry& r) {
  r.add("MatMul", 1, importMatMul);
  r.add("Gemm", 1, importGemm);
  r.add("Det", 11, importDet);
  r.add("Einsum", 12, importEinsum);
}

}  // namespace kiln::onnx
