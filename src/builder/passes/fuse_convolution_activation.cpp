#include "builder/passes/fusion_helpers.h"
#include "builder/passes/pass.h"
#include "ops/fused_epilogue.h"

namespace kiln::builder {

namespace {

// Fuses an activation that alone reads a convolution's output into the convolution step (plan/fused_epilogue.h),
// where the target backend runs that epilogue: one pass over the output instead of two.
class FuseConvolutionActivation : public Pass {
 public:
  explicit FuseConvolutionActivation(const backend::Backend& target) : target_(target) {}
  const char* name() const override { return "fuse-convolution-activation"; }
  int32_t apply(graph::Graph& graph) const override {
    int32_t changed = 0;
    for (int32_t l = 0; l < static_cast<int32_t>(graph.layers.size()); ++l) {
      const graph::LayerNode& conv = graph.layers[l];
      if (conv.removed || conv.type != LayerType::kCONVOLUTION || ops::postActivation(conv.opAttrs())) continue;
      int32_t a = soleConsumer(graph, conv.outputs[0]);
      if (a < 0 || graph.layers[a].type != LayerType::kACTIVATION) continue;
      graph::LayerNode fused = conv;
      absorbActivation(fused, graph.layers[a]);
      if (!targetAccepts(target_, graph, fused)) continue;
      graph.layers[a].removed = true;
      placeFused(graph, l, std::move(fused));
      ++changed;
    }
    return changed;
  }

 private:
  const backend::Backend& target_;
};

}  // namespace

std::unique_ptr<Pass> makeFuseConvolutionActivationPass(const backend::Backend& target) {
  return std::make_unique<FuseConvolutionActivation>(target);
}

}  // namespace kiln::builder
