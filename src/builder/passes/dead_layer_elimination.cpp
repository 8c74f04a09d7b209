#include "builder/passes/pass.h"

namespace kiln::builder {

namespace {

class DeadLayerElimination : public Pass {
 public:
  const char* name() const override { return "dead-layer-elimination"; }
  int32_t apply(graph::Graph& graph) const override {
    std::vector<char> liveTensor(graph.tensors.size(), 0);
    for (int32_t t : graph.outputs) liveTensor[t] = 1;
    int32_t removed = 0;
    // Layers are in topological order, so one backward sweep finds everything the outputs need.
    for (int32_t l = static_cast<int32_t>(graph.layers.size()) - 1; l >= 0; --l) {
      graph::LayerNode& layer = graph.layers[l];
      if (layer.removed) continue;
      bool live = false;
      for (int32_t out : layer.outputs) live |= liveTensor[out] != 0;
      if (!live) {
        layer.removed = true;
        ++removed;
        continue;
      }
      for (int32_t in : layer.inputs)
        if (in >= 0) liveTensor[in] = 1;
    }
    return removed;
  }
};

}  // namespace

std::unique_ptr<Pass> makeDeadLayerEliminationPass() { return std::make_unique<DeadLayerElimination>(); }

}  // namespace kiln::builder
