#include "builder/passes/fusion_helpers.h"
#include "builder/passes/pass.h"
#include "ops/fused_prologue.h"
#include "ops/reduction.h"

namespace kiln::builder {

namespace {

// Fuses attention's scale and mask into the softmax after them (plan/fused_prologue.h):
// [x * c, c a one-element constant] -> [+ mask, broadcast with the scores] -> softmax over the last axis becomes one
// softmax step with the attribute preScale = c and input 1 = the mask, where the target backend runs it. Either
// element-wise layer may be missing. The fused step takes the softmax's place.
class FuseSoftMaxScaleMask : public Pass {
 public:
  explicit FuseSoftMaxScaleMask(const backend::Backend& target) : target_(target) {}
  const char* name() const override { return "fuse-softmax-scale-mask"; }
  int32_t apply(graph::Graph& graph) const override {
    int32_t changed = 0;
    for (int32_t l = 0; l < static_cast<int32_t>(graph.layers.size()); ++l) {
      const graph::LayerNode& softmax = graph.layers[l];
      if (softmax.removed || softmax.type != LayerType::kSOFTMAX || softmax.inputs.size() != 1 ||
          softmax.attrs.has(ops::kPreScale) || !overLastAxis(graph, softmax))
        continue;
      graph::LayerNode fused = softmax;
      int32_t add = maskAddOf(graph, l);
      if (add >= 0) {
        // The scores are the addend that a scalar scale produced, when one did; the other is the mask.
        const auto& addends = graph.layers[add].inputs;
        int32_t scores = scalarScaleOf(graph, addends[1], add) >= 0 ? 1 : 0;
        fused.inputs = {addends[scores], addends[1 - scores]};
      }
      int32_t scale = scalarScaleOf(graph, fused.inputs[0], add >= 0 ? add : l);
      if (scale >= 0) {
        const graph::LayerNode& product = graph.layers[scale];
        int32_t factor = isConstant(graph, product.inputs[0]) ? product.inputs[0] : product.inputs[1];
        fused.inputs[0] = factor == product.inputs[0] ? product.inputs[1] : product.inputs[0];
        fused.attrs.set(ops::kPreScale, (*constantValues(graph, factor))[0]);
      }
      if ((add < 0 && scale < 0) || !targetAccepts(target_, graph, fused)) continue;
      if (add >= 0) graph.layers[add].removed = true;
      if (scale >= 0) graph.layers[scale].removed = true;
      placeFused(graph, l, std::move(fused));
      ++changed;
    }
    return changed;
  }

 private:
  static bool overLastAxis(const graph::Graph& graph, const graph::LayerNode& softmax) {
    auto rank = static_cast<int64_t>(graph.tensors[softmax.inputs[0]].dims.size());
    int64_t axis = softmax.opAttrs().get(ops::SoftMax::kAxis);
    return rank > 0 && (axis == rank - 1 || axis == -1);
  }

  // The element-wise sum of two tensors of its type that produces the softmax `l`'s input for it alone; -1 if none.
  // The fused kernels broadcast both addends to the softmax's shape, as the sum did.
  static int32_t maskAddOf(const graph::Graph& graph, int32_t l) {
    int32_t add = elementWiseProducerFor(graph, graph.layers[l].inputs[0], l, ElementWiseOperation::kSUM);
    if (add < 0) return -1;
    const graph::LayerNode& layer = graph.layers[add];
    DataType type = graph.tensors[layer.outputs[0]].type;
    return graph.tensors[layer.inputs[0]].type == type && graph.tensors[layer.inputs[1]].type == type ? add : -1;
  }

  // The element-wise product of a non-constant tensor of its type by a one-element floating-point constant that
  // produces `y` for layer `reader` alone; -1 if none. The constant's dims are all 1, so broadcasting the other
  // factor alone gives y's shape.
  static int32_t scalarScaleOf(const graph::Graph& graph, int32_t y, int32_t reader) {
    int32_t product = elementWiseProducerFor(graph, y, reader, ElementWiseOperation::kPROD);
    if (product < 0) return -1;
    const graph::LayerNode& layer = graph.layers[product];
    for (int32_t c = 0; c < 2; ++c) {
      int32_t factor = layer.inputs[c], x = layer.inputs[1 - c];
      // A refittable factor stays a layer: the fused step would hold its value as an attribute.
      if (!isConstant(graph, factor) || recipeOf(graph, factor) || isConstant(graph, x) ||
          graph.tensors[x].type != graph.tensors[y].type)
        continue;
      auto values = constantValues(graph, factor);
      if (values && values->size() == 1) return product;
    }
    return -1;
  }

  const backend::Backend& target_;
};

}  // namespace

std::unique_ptr<Pass> makeFuseSoftMaxScaleMaskPass(const backend::Backend& target) {
  return std::make_unique<FuseSoftMaxScaleMask>(target);
}

}  // namespace kiln::builder
