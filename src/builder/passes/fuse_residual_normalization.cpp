#include "builder/passes/fusion_helpers.h"
#include "builder/passes/pass.h"
#include "ops/fused_prologue.h"

namespace kiln::builder {

namespace {

// Fuses the residual sum before a layer normalization into it (plan/fused_prologue.h): a + b, two tensors of one
// shape and type, then normalization over the last axis alone becomes one normalization step of a with b as input 3,
// where the target backend runs it. The fused step takes the normalization's place.
class FuseResidualNormalization : public Pass {
 public:
  explicit FuseResidualNormalization(const backend::Backend& target) : target_(target) {}
  const char* name() const override { return "fuse-residual-normalization"; }
  int32_t apply(graph::Graph& graph) const override {
    int32_t changed = 0;
    for (int32_t l = 0; l < static_cast<int32_t>(graph.layers.size()); ++l) {
      const graph::LayerNode& norm = graph.layers[l];
      if (norm.removed || norm.type != LayerType::kNORMALIZATION || norm.inputs.size() != 3 ||
          !isLayerNorm(graph, norm))
        continue;
      int32_t add = residualSumOf(graph, l);
      if (add < 0) continue;
      graph::LayerNode fused = norm;
      fused.inputs = {graph.layers[add].inputs[0], norm.inputs[1], norm.inputs[2], graph.layers[add].inputs[1]};
      if (!targetAccepts(target_, graph, fused)) continue;
      graph.layers[add].removed = true;
      placeFused(graph, l, std::move(fused));
      ++changed;
    }
    return changed;
  }

 private:
  // Normalization over the last axis alone, ungrouped.
  static bool isLayerNorm(const graph::Graph& graph, const graph::LayerNode& norm) {
    auto rank = graph.tensors[norm.inputs[0]].dims.size();
    return rank > 0 && rank <= 32 && norm.attrs.getInt("axes") == int64_t{1} << (rank - 1) &&
           norm.attrs.getInt("groups", 1) == 1;
  }

  // The element-wise sum of two distinct tensors of its own shape and type that produces the normalization `l`'s
  // input for it alone; -1 if none.
  static int32_t residualSumOf(const graph::Graph& graph, int32_t l) {
    int32_t x = graph.layers[l].inputs[0];
    int32_t add = elementWiseProducerFor(graph, x, l, ElementWiseOperation::kSUM);
    if (add < 0) return -1;
    const graph::LayerNode& layer = graph.layers[add];
    for (int32_t in : layer.inputs)
      if (graph.tensors[in].dims != graph.tensors[x].dims || graph.tensors[in].type != graph.tensors[x].type) return -1;
    return layer.inputs[0] != layer.inputs[1] ? add : -1;
  }

  const backend::Backend& target_;
};

}  // namespace

std::unique_ptr<Pass> makeFuseResidualNormalizationPass(const backend::Backend& target) {
  return std::make_unique<FuseResidualNormalization>(target);
}

}  // namespace kiln::builder
