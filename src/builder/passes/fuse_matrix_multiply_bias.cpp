#include "builder/passes/fusion_helpers.h"
#include "builder/passes/pass.h"
#include "ops/fused_epilogue.h"

namespace kiln::builder {

namespace {

// Fuses the addition of a constant bias along the last axis of a matrix product (Gemm's C, a Linear layer's bias),
// and an activation after it (or after the product itself), into the matrix multiply step (plan/fused_epilogue.h),
// where the target backend runs that epilogue. The fused step takes the place of the last layer it absorbs, after the
// bias constant.
class FuseMatrixMultiplyBias : public Pass {
 public:
  explicit FuseMatrixMultiplyBias(const backend::Backend& target) : target_(target) {}
  const char* name() const override { return "fuse-matrix-multiply-bias-activation"; }
  int32_t apply(graph::Graph& graph) const override {
    int32_t changed = 0;
    for (int32_t l = 0; l < static_cast<int32_t>(graph.layers.size()); ++l) {
      const graph::LayerNode& product = graph.layers[l];
      if (product.removed || product.type != LayerType::kMATRIX_MULTIPLY || product.inputs.size() != 2 ||
          ops::postActivation(product.attrs))  // fused already: what follows comes after its activation
        continue;
      // The bias (when there is one), then an activation reading the product or the biased product alone.
      graph::LayerNode fused = product;
      int32_t add = biasAddOf(graph, product.outputs[0]), last = -1;
      if (add >= 0) {
        const graph::LayerNode& addLayer = graph.layers[add];
        fused.inputs.push_back(addLayer.inputs[0] == product.outputs[0] ? addLayer.inputs[1] : addLayer.inputs[0]);
        fused.outputs = addLayer.outputs;
        last = add;
      }
      int32_t a = soleConsumer(graph, fused.outputs[0]);
      if (a >= 0 && graph.layers[a].type == LayerType::kACTIVATION) {
        graph::LayerNode activated = fused;
        absorbActivation(activated, graph.layers[a]);
        if (targetAccepts(target_, graph, activated)) {
          fused = std::move(activated);
          last = a;
        }
      }
      if (last < 0 || (last == add && !targetAccepts(target_, graph, fused))) continue;
      graph.layers[l].removed = true;
      if (add >= 0) graph.layers[add].removed = true;
      placeFused(graph, last, std::move(fused));
      ++changed;
    }
    return changed;
  }

 private:
  // The element-wise sum that alone reads the product `y` and adds a constant of N values along its last axis
  // (dims [N] or [1, ..., 1, N], N = y's last dimension) without broadcasting y; -1 if there is none.
  static int32_t biasAddOf(const graph::Graph& graph, int32_t y) {
    int32_t add = soleConsumer(graph, y);
    if (add < 0) return -1;
    const graph::LayerNode& layer = graph.layers[add];
    if (layer.type != LayerType::kELEMENTWISE ||
        static_cast<ElementWiseOperation>(layer.attrs.getInt("op")) != ElementWiseOperation::kSUM)
      return -1;
    int32_t bias = layer.inputs[0] == y ? layer.inputs[1] : layer.inputs[0];
    DataType type = graph.tensors[y].type;
    if (!isConstant(graph, bias) || graph.tensors[bias].type != type || graph.tensors[layer.outputs[0]].type != type)
      return -1;
    const auto& dims = graph.tensors[y].dims;
    auto n = dims.empty() ? std::nullopt : graph.exprs.constantValue(dims.back());
    std::vector<int64_t> b = constantDims(graph, bias);
    if (!n || b.empty() || b.size() > dims.size() || b.back() != *n) return -1;
    for (size_t i = 0; i + 1 < b.size(); ++i)
      if (b[i] != 1) return -1;
    return add;
  }

  const backend::Backend& target_;
};

}  // namespace

std::unique_ptr<Pass> makeFuseMatrixMultiplyBiasPass(const backend::Backend& target) {
  return std::make_unique<FuseMatrixMultiplyBias>(target);
}

}  // namespace kiln::builder
