// Importers: element-wise arithmetic, comparison and logic, activations, unary math.
#include "onnx/import_context.h"

namespace kiln::onnx {

namespace {

OpImporter binary(ElementWiseOperation op) {
  return [op](ImportContext& ctx, const Node& node) {
    ctx.setOutput(node, 0,
                  ctx.network().addElementWise(ctx.requiredInput(node, 0), ctx.requiredInput(node, 1), op)->getOutput(0));
  };
}

OpImporter activation(ActivationType type) {
  return [type](ImportContext& ctx, const Node& node) {
    ctx.setOutput(node, 0, ctx.network().addActivation(ctx.requiredInput(node, 0), type)->getOutput(0));
  };
}

}  // namespace

void registerElementwiseImporters(OpRegistry& r) {
  r.add("Add", 7, binary(ElementWiseOperation::kSUM));
  r.add("Sub", 7, binary(ElementWiseOperation::kSUB));
  r.add("Mul", 7, binary(ElementWiseOperation::kPROD));
  r.add("Relu", 6, activation(ActivationType::kRELU));
}

}  // namespace kiln::onnx
