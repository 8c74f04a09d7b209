#include "builder/refittable_weights.h"

#include <map>
#include <set>

#include "builder/passes/fusion_helpers.h"
#include "kiln/error.h"
#include "ops/copy.h"

namespace kiln::builder {

namespace {

bool isFloating(DataType type) {
  return type == DataType::kFLOAT || type == DataType::kHALF || type == DataType::kBF16 || type == DataType::kDOUBLE;
}

// Whether `name` is the one a layer's output gets when nobody names it: "<layer>_output_0", the layer's name being
// its own or the "<Type>_<index>" it had when the output was made.
bool isDefaultOutputName(const std::string& name, const std::string& layer) {
  const std::string suffix = "_output_0";
  if (name == layer + suffix) return true;
  if (name.size() <= suffix.size() || name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0)
    return false;
  std::string stem = name.substr(0, name.size() - suffix.size());
  size_t underscore = stem.rfind('_');
  return underscore != std::string::npos && underscore + 1 < stem.size() &&
         stem.find_first_not_of("0123456789", underscore + 1) == std::string::npos;
}

// The weight name of constant layer `l`, or "" when it is not refittable.
std::string weightName(const graph::Graph& graph, int32_t l) {
  const graph::LayerNode& constant = graph.layers[l];
  const graph::TensorNode& out = graph.tensors[constant.outputs[0]];
  if (!isDefaultOutputName(out.name, constant.name)) return out.name;
  for (int32_t c : graph.consumers(constant.outputs[0])) {
    const graph::LayerNode& reader = graph.layers[c];
    if (reader.type != LayerType::kCONVOLUTION && reader.type != LayerType::kDECONVOLUTION) continue;
    if (reader.inputs.size() > 1 && reader.inputs[1] == constant.outputs[0]) return reader.name + ":kernel";
    if (reader.inputs.size() > 2 && reader.inputs[2] == constant.outputs[0]) return reader.name + ":bias";
  }
  return "";
}

}  // namespace

void markRefittableWeights(graph::Graph& graph) {
  std::set<std::string> names;
  for (int32_t l = 0; l < static_cast<int32_t>(graph.layers.size()); ++l) {
    const graph::LayerNode& layer = graph.layers[l];
    if (layer.removed || layer.type != LayerType::kCONSTANT) continue;
    int32_t out = layer.outputs[0];
    if (!isFloating(graph.tensors[out].type)) continue;
    std::string name = weightName(graph, l);
    if (name.empty()) continue;
    if (!names.insert(name).second)
      throw Error(ErrorCode::kINVALID_GRAPH, "two refittable weights share the name '" + name + "'", layer.name);
    auto source = std::make_shared<ops::WeightRecipe>();
    source->op = ops::RecipeOp::kSOURCE;
    source->type = graph.tensors[out].type;
    source->dims = constantDims(graph, out);
    source->name = name;
    source->bytes = graph.blobs.at(static_cast<size_t>(layer.opAttrs().get(ops::Constant::kBlob)));
    setRecipe(graph, static_cast<size_t>(layer.opAttrs().get(ops::Constant::kBlob)), source);
  }
}

namespace {

class RecipeFlattener {
 public:
  explicit RecipeFlattener(plan::Plan& plan) : plan_(plan) {}
  int32_t add(const ops::RecipePtr& recipe) {
    if (!recipe) return -1;
    if (auto it = ids_.find(recipe.get()); it != ids_.end()) return it->second;
    plan::RecipeNode node;
    for (const auto& input : recipe->inputs) node.inputs.push_back(add(input));
    node.op = recipe->op;
    node.type = recipe->type;
    node.dims = recipe->dims;
    node.name = recipe->name;
    node.bytes = recipe->bytes;
    node.params = recipe->params;
    plan_.recipe.push_back(std::move(node));
    return ids_[recipe.get()] = static_cast<int32_t>(plan_.recipe.size() - 1);
  }

 private:
  plan::Plan& plan_;
  std::map<const ops::WeightRecipe*, int32_t> ids_;
};

}  // namespace

void lowerRecipes(const graph::Graph& graph, plan::Plan& plan) {
  plan.set(plan::PlanFlag::kREFIT);
  // Plan constants are in weights order; match each to the constant layer whose bytes it holds by its offset.
  RecipeFlattener flattener(plan);
  std::map<std::string, ops::RecipePtr> byTensorName;
  for (const auto& layer : graph.layers) {
    if (layer.removed || layer.type != LayerType::kCONSTANT) continue;
    auto blob = static_cast<size_t>(layer.opAttrs().get(ops::Constant::kBlob));
    if (blob < graph.recipes.size() && graph.recipes[blob]) {
      const std::string& name = graph.tensors[layer.outputs[0]].name;
      byTensorName[graph.tensors[layer.outputs[0]].isOutput ? name + "_constant" : name] = graph.recipes[blob];
    }
  }
  for (size_t t = 0; t < plan.tensors.size(); ++t) {
    if (plan.tensors[t].kind != plan::TensorKind::kCONSTANT) continue;
    auto it = byTensorName.find(plan.tensors[t].name);
    if (it == byTensorName.end()) continue;
    plan.refitConstants.push_back({static_cast<int32_t>(t), flattener.add(it->second)});
  }
  // Every weight is listed, also one that no constant reads any more (its layer was removed as dead).
  std::set<std::string> listed;
  for (const auto& node : plan.recipe)
    if (node.op == ops::RecipeOp::kSOURCE) listed.insert(node.name);
  for (const auto& recipe : graph.recipes)
    if (recipe && recipe->op == ops::RecipeOp::kSOURCE && !listed.count(recipe->name)) flattener.add(recipe);
}

}  // namespace kiln::builder
