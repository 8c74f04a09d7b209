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

}  // namespace kiln::builder
