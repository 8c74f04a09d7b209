#include "builder/single_step_plan.h"

namespace kiln::builder {

plan::Plan singleStepPlan(const graph::Graph& graph, const graph::LayerNode& layer) {
  plan::Plan mini;
  plan::Step step;
  step.type = layer.type;
  step.name = layer.name;
  step.attrs = layer.attrs;
  step.attrs.merge(layer.derived);
  auto add = [&](int32_t t, plan::TensorKind kind) {
    mini.tensors.push_back({graph.tensors[t].name, graph.tensors[t].type, kind, graph.tensors[t].dims, 0, 0});
    return static_cast<int32_t>(mini.tensors.size() - 1);
  };
  for (int32_t t : layer.inputs) step.inputs.push_back(t < 0 ? -1 : add(t, plan::TensorKind::kCONSTANT));
  for (int32_t t : layer.outputs) step.outputs.push_back(add(t, plan::TensorKind::kACTIVATION));
  mini.steps.push_back(std::move(step));
  return mini;
}

plan::Plan selfContainedStepPlan(const graph::Graph& graph, const graph::LayerNode& layer,
                                 const std::vector<int64_t>& exprValues) {
  plan::Plan mini = singleStepPlan(graph, layer);
  auto constant = [&](core::ExprId id) {
    mini.exprs.push_back({core::ExprOp::kCONST, exprValues.at(static_cast<size_t>(id)), -1, -1});
    return static_cast<core::ExprId>(mini.exprs.size() - 1);
  };
  for (auto& tensor : mini.tensors)
    for (auto& d : tensor.dims) d = constant(d);
  plan::Step& step = mini.steps[0];
  const ops::Attrs attrs = step.attrs;  // a copy: the loop rewrites step.attrs
  for (const auto& [key, value] : attrs.values())
    if (const auto* list = std::get_if<ops::ExprList>(&value)) {
      ops::ExprList renumbered = *list;
      for (auto& id : renumbered.ids) id = constant(id);
      step.attrs.setValue(key, renumbered);
    }
  plan::Profile profile;  // a plan has one; this one has no inputs and no arena
  profile.activationOffsets.assign(mini.tensors.size(), 0);
  mini.profiles.push_back(std::move(profile));
  return mini;
}

}  // namespace kiln::builder
