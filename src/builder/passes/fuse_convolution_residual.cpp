#include "builder/passes/fusion_helpers.h"
#include "builder/passes/pass.h"
#include "ops/elementwise.h"
#include "ops/fused_epilogue.h"

namespace kiln::builder {

namespace {

// Fuses the residual addition that alone reads a convolution's output (conv(x) + shortcut, either operand order),
// and the activation that alone reads the sum, into the convolution step (plan/fused_epilogue.h), where the target
// backend runs that epilogue: the sum and the activation no longer make passes of their own over the output.
class FuseConvolutionResidual : public Pass {
 public:
  explicit FuseConvolutionResidual(const backend::Backend& target) : target_(target) {}
  const char* name() const override { return "fuse-convolution-residual"; }
  int32_t apply(graph::Graph& graph) const override {
    int32_t changed = 0;
    for (int32_t l = 0; l < static_cast<int32_t>(graph.layers.size()); ++l) {
      const graph::LayerNode& conv = graph.layers[l];
      if (conv.removed || conv.type != LayerType::kCONVOLUTION || ops::postActivation(conv.opAttrs())) continue;
      if (conv.inputs.size() > static_cast<size_t>(ops::kResidualInput)) continue;
      int32_t s = soleConsumer(graph, conv.outputs[0]);
      int32_t residual = s < 0 ? -1 : residualOperand(graph, graph.layers[s], conv.outputs[0]);
      if (residual < 0) continue;
      graph::LayerNode fused = conv;
      fused.inputs.resize(ops::kResidualInput, -1);
      fused.inputs.push_back(residual);
      fused.outputs = graph.layers[s].outputs;
      // The activation after the sum where the target takes it too, else the residual alone.
      int32_t a = soleConsumer(graph, graph.layers[s].outputs[0]);
      bool activated = false;
      if (a >= 0 && graph.layers[a].type == LayerType::kACTIVATION) {
        graph::LayerNode withActivation = fused;
        absorbActivation(withActivation, graph.layers[a]);
        activated = targetAccepts(target_, graph, withActivation);
        if (activated) fused = std::move(withActivation);
      }
      if (!activated && !targetAccepts(target_, graph, fused)) continue;
      if (activated) graph.layers[a].removed = true;
      // The fused step reads the residual, so it goes where the sum was when the residual comes after the
      // convolution (a shortcut computed later, such as a projection); the convolution's inputs come before both.
      int32_t position = graph.tensors[residual].producer > l ? s : l;
      graph.layers[position == l ? s : l].removed = true;
      placeFused(graph, position, std::move(fused));
      ++changed;
    }
    return changed;
  }

 private:
  // The sum's other operand where `sum` adds `y` to a tensor of exactly y's dims and type; -1 otherwise.
  static int32_t residualOperand(const graph::Graph& graph, const graph::LayerNode& sum, int32_t y) {
    if (sum.type != LayerType::kELEMENTWISE || sum.inputs.size() != 2 ||
        sum.opAttrs().get(ops::ElementWise::kOp) != ElementWiseOperation::kSUM)
      return -1;
    int32_t other = sum.inputs[0] == y ? sum.inputs[1] : sum.inputs[0];  // not y: the sum reads y once
    const graph::TensorNode& a = graph.tensors[y];
    const graph::TensorNode& b = graph.tensors[other];
    return a.type == b.type && a.dims == b.dims ? other : -1;
  }

  const backend::Backend& target_;
};

}  // namespace

std::unique_ptr<Pass> makeFuseConvolutionResidualPass(const backend::Backend& target) {
  return std::make_unique<FuseConvolutionResidual>(target);
}

}  // namespace kiln::builder
