#include <limits>

#include "builder/host_evaluator.h"
#include "builder/passes/fusion_helpers.h"
#include "builder/passes/pass.h"
#include "builder/single_step_plan.h"
#include "core/checked_math.h"
#include "ops/copy.h"

namespace kiln::builder {

namespace {

// Folded results larger than this stay as layers, so plans do not balloon (e.g. a broadcast of a scalar).
constexpr size_t kMaxFoldedBytes = size_t{64} << 20;

bool allDimsConstant(const graph::Graph& graph, int32_t tensorId) {
  for (ExprId d : graph.tensors[tensorId].dims)
    if (!graph.exprs.isConstant(d)) return false;
  return true;
}

// When a refittable weight reaches the layer's inputs: the layer as a recipe step over its inputs' recipes.
ops::RecipePtr stepRecipe(const graph::Graph& graph, const graph::LayerNode& layer, const HostEvaluator& evaluator) {
  bool refittable = false;
  for (int32_t in : layer.inputs) refittable |= in >= 0 && recipeOf(graph, in) != nullptr;
  if (!refittable) return nullptr;
  auto recipe = std::make_shared<ops::WeightRecipe>();
  recipe->op = ops::RecipeOp::kSTEP;
  recipe->type = graph.tensors[layer.outputs[0]].type;
  for (ExprId d : graph.tensors[layer.outputs[0]].dims) recipe->dims.push_back(*graph.exprs.constantValue(d));
  for (int32_t in : layer.inputs) recipe->inputs.push_back(in < 0 ? nullptr : recipeOrFixed(graph, in));
  recipe->bytes = plan::serialize(selfContainedStepPlan(graph, layer, evaluator.exprValues()));
  return recipe;
}

class ConstantFolding : public Pass {
 public:
  const char* name() const override { return "constant-folding"; }
  int32_t apply(graph::Graph& graph) const override {
    HostEvaluator evaluator(graph);
    int32_t folded = 0;
    for (int32_t l = 0; l < static_cast<int32_t>(graph.layers.size()); ++l) {
      graph::LayerNode& layer = graph.layers[l];
      // Multi-output layers (TopK) are left alone: folding them in place would need one layer per output.
      if (layer.removed || layer.type == LayerType::kCONSTANT || layer.outputs.size() != 1) continue;
      bool foldable = true;
      for (int32_t in : layer.inputs) {
        if (in < 0) continue;
        int32_t producer = graph.tensors[in].producer;
        foldable &= producer >= 0 && graph.layers[producer].type == LayerType::kCONSTANT;
      }
      uint64_t bytes = 0;
      for (int32_t out : layer.outputs) {
        foldable &= allDimsConstant(graph, out);
        if (!foldable) break;
        std::vector<int64_t> dims;
        for (ExprId d : graph.tensors[out].dims) dims.push_back(*graph.exprs.constantValue(d));
        auto count = core::tryProduct(dims);
        auto outBytes = count ? core::tryMul<uint64_t>(*count, dataTypeSize(graph.tensors[out].type)) : std::nullopt;
        bytes += outBytes.value_or(std::numeric_limits<uint64_t>::max() / 2);  // too large to fold
      }
      // Run-time parameters (ShapeValues' values, a dynamic slice's start) must be known now to fold.
      for (const auto& [key, value] : layer.derived.values())
        if (auto exprs = std::get_if<ops::ExprList>(&value))
          for (ExprId v : exprs->ids) foldable &= graph.exprs.isConstant(v);
      if (!foldable || bytes > kMaxFoldedBytes) continue;
      auto results = evaluator.evaluate(graph, l);
      ops::RecipePtr recipe = stepRecipe(graph, layer, evaluator);
      // The layer becomes a Constant in place, which keeps the layer list in topological order.
      int32_t out = layer.outputs[0];
      graph.blobs.push_back(std::move(results[0]));
      setRecipe(graph, graph.blobs.size() - 1, recipe);
      std::vector<int64_t> dims;
      for (ExprId d : graph.tensors[out].dims) dims.push_back(*graph.exprs.constantValue(d));
      layer.type = LayerType::kCONSTANT;
      layer.inputs.clear();
      layer.attrs = ops::Attrs{};
      layer.attrs.set(ops::Constant::kDims, dims);
      layer.attrs.set(ops::Constant::kType, graph.tensors[out].type);
      layer.attrs.set(ops::Constant::kBlob, static_cast<int64_t>(graph.blobs.size() - 1));
      layer.derived = ops::Attrs{};
      layer.assertions.clear();
      ++folded;
    }
    return folded;
  }
};

}  // namespace

std::unique_ptr<Pass> makeConstantFoldingPass() { return std::make_unique<ConstantFolding>(); }

}  // namespace kiln::builder
