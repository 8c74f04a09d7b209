#include <string>

#include "backends/common/weight_transforms.h"
#include "builder/passes/fusion_helpers.h"
#include "builder/passes/pass.h"
#include "ops/convolution.h"
#include "ops/elementwise.h"

namespace kiln::builder {

namespace {

using EW = ElementWiseOperation;

// Folds a per-output-channel scale or shift of a convolution's (or deconvolution's) result into its constant weights
// and bias: conv(x, w) * s = conv(x, w * s) with bias b * s, and conv(x, w) + t has bias b + t. Inference batch
// normalization, which the ONNX importer lowers to y * a + c with constant per-channel a and c, disappears into the
// preceding convolution this way. New values are computed in fp64 from the stored ones and stored in their type.
class FoldScaleShiftIntoConvolution : public Pass {
 public:
  const char* name() const override { return "fold-scale-shift-into-convolution"; }
  int32_t apply(graph::Graph& graph) const override {
    int32_t changed = 0;
    for (int32_t l = 0; l < static_cast<int32_t>(graph.layers.size()); ++l) {
      LayerType type = graph.layers[l].type;
      if (graph.layers[l].removed || (type != LayerType::kCONVOLUTION && type != LayerType::kDECONVOLUTION)) continue;
      // Batch normalization is a scale then a shift: fold as many as follow. Folding inserts constants before l.
      while (int32_t inserted = foldNext(graph, l)) {
        l += inserted - 1;
        ++changed;
      }
    }
    return changed;
  }

 private:
  static backend::ChannelLayout layoutOf(const graph::LayerNode& conv, const std::vector<int64_t>& w) {
    backend::ChannelLayout layout;
    int64_t volume = 1;
    for (int64_t d : w) volume *= d;
    if (conv.type == LayerType::kCONVOLUTION) {
      layout.channels = w[0];
      layout.inner = w[0] > 0 ? volume / w[0] : 0;
      return layout;
    }
    layout.transposed = true;
    layout.groups = conv.opAttrs().get(ops::Convolution::kGroups);
    layout.perGroup = w[1];
    layout.channels = w[1] * layout.groups;
    layout.inner = w[0] * w[1] > 0 ? volume / (w[0] * w[1]) : 0;
    layout.inPerGroup = w[0] / layout.groups;
    return layout;
  }

  // The recipe of a folded constant when a refittable weight reaches its inputs (`base` may be absent).
  static ops::RecipePtr foldRecipe(const graph::Graph& graph, ops::RecipeOp op, int32_t base, int32_t k, DataType type,
                                   std::vector<int64_t> dims, std::vector<int64_t> params) {
    if (!(base >= 0 && recipeOf(graph, base)) && !recipeOf(graph, k)) return nullptr;
    auto recipe = std::make_shared<ops::WeightRecipe>();
    recipe->op = op;
    recipe->type = type;
    recipe->dims = std::move(dims);
    recipe->inputs = {base >= 0 ? recipeOrFixed(graph, base) : nullptr, recipeOrFixed(graph, k)};
    recipe->params = std::move(params);
    return recipe;
  }

  // Whether a constant of dims `k` broadcast against a rank-`rank` result changes only along the channel axis (1)
  // and does not grow the result.
  static bool perChannel(const std::vector<int64_t>& k, size_t rank, int64_t channels) {
    if (k.size() > rank) return false;
    for (size_t i = 0; i < k.size(); ++i) {
      size_t axis = rank - k.size() + i;
      if (k[i] != 1 && !(axis == 1 && k[i] == channels)) return false;
    }
    return true;
  }

  // Folds the element-wise layer reading layer l's output, if it is a per-channel scale or shift by a constant;
  // returns the number of layers inserted before l plus one, or 0 when nothing was folded.
  static int32_t foldNext(graph::Graph& graph, int32_t l) {
    const graph::LayerNode& conv = graph.layers[l];
    int32_t y = conv.outputs[0];
    int32_t e = soleConsumer(graph, y);
    if (e < 0 || graph.layers[e].type != LayerType::kELEMENTWISE) return 0;
    const graph::LayerNode& op = graph.layers[e];
    auto operation = op.opAttrs().get(ops::ElementWise::kOp);
    int32_t k = op.inputs[0] == y ? op.inputs[1] : op.inputs[0];
    bool scale = operation == EW::kPROD;
    // y - k is a shift; k - y would negate the convolution as well.
    if (!scale && operation != EW::kSUM && !(operation == EW::kSUB && op.inputs[0] == y)) return 0;
    int32_t w = conv.inputs[1];
    int32_t b = conv.inputs.size() > 2 ? conv.inputs[2] : -1;
    DataType type = graph.tensors[y].type;
    if (!isConstant(graph, k) || !isConstant(graph, w) || (b >= 0 && !isConstant(graph, b))) return 0;
    if (graph.tensors[k].type != type || graph.tensors[w].type != type || graph.tensors[op.outputs[0]].type != type)
      return 0;
    std::vector<int64_t> wDims = constantDims(graph, w);
    backend::ChannelLayout layout = layoutOf(conv, wDims);
    if (!perChannel(constantDims(graph, k), graph.tensors[y].dims.size(), layout.channels)) return 0;
    auto kValues = constantValues(graph, k);
    auto wValues = constantValues(graph, w);
    if (!kValues || !wValues || kValues->empty()) return 0;
    std::optional<std::vector<double>> bValues;
    if (b >= 0) bValues = constantValues(graph, b);
    std::vector<double> bias = backend::shiftBias(bValues, *kValues, operation, layout.channels);
    auto weightsRecipe =
        scale ? foldRecipe(graph, ops::RecipeOp::kSCALE_WEIGHTS, w, k, type, wDims, layout.params()) : nullptr;
    auto biasRecipe = foldRecipe(graph, ops::RecipeOp::kSHIFT_BIAS, b, k, type, {layout.channels},
                                 {static_cast<int64_t>(operation), layout.channels});
    std::string name = conv.name;
    int32_t inserted = 0;
    if (scale) {
      w = insertConstant(graph, l + inserted++, name + "_folded_weights", type, wDims,
                         backend::scaleWeights(std::move(*wValues), *kValues, layout));
      setRecipe(graph, graph.blobs.size() - 1, weightsRecipe);
    }
    if (b >= 0 || !scale) {
      b = insertConstant(graph, l + inserted++, name + "_folded_bias", type, {layout.channels}, bias);
      setRecipe(graph, graph.blobs.size() - 1, biasRecipe);
    }
    graph::LayerNode& folded = graph.layers[l + inserted];
    graph::LayerNode& absorbed = graph.layers[e + inserted];
    folded.inputs[1] = w;
    if (b >= 0) {
      folded.inputs.resize(3, -1);
      folded.inputs[2] = b;
    }
    folded.outputs[0] = absorbed.outputs[0];
    graph.tensors[folded.outputs[0]].producer = l + inserted;
    absorbed.removed = true;
    return inserted + 1;
  }
};

}  // namespace

std::unique_ptr<Pass> makeFoldScaleShiftIntoConvolutionPass() {
  return std::make_unique<FoldScaleShiftIntoConvolution>();
}

}  // namespace kiln::builder
