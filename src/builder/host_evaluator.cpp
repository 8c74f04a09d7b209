#include "builder/host_evaluator.h"

#include <algorithm>

#include "backends/common/host_step.h"
#include "backends/registry.h"
#include "builder/single_step_plan.h"
#include "kiln/error.h"
#include "ops/copy.h"
#include "ops/elementwise.h"

namespace kiln::builder {

HostEvaluator::HostEvaluator(const graph::Graph& graph) : exprValues_(graph.exprs.size()) {
  core::evaluateExprs(
      graph.exprs.nodes(), [](int32_t, int32_t) { return int64_t{0}; }, exprValues_);
}

const std::vector<uint8_t>& constantBytes(const graph::Graph& graph, int32_t layerId) {
  return graph.blobs.at(graph.layers[layerId].opAttrs().get(ops::Constant::kBlob));
}

namespace {

bool isIntegerDivision(const graph::Graph& graph, const graph::LayerNode& layer) {
  if (layer.type != LayerType::kELEMENTWISE || layer.inputs.size() < 2 || layer.inputs[1] < 0) return false;
  using E = ElementWiseOperation;
  E op = layer.opAttrs().get(ops::ElementWise::kOp);
  return (op == E::kDIV || op == E::kFLOOR_DIV || op == E::kMOD || op == E::kFMOD) &&
         isInteger(graph.tensors[layer.inputs[1]].type);
}

// A zero divisor among constants is a mistake in the network: the run-time kernels give it a value (0, as numpy),
// but a build that can see it refuses it, naming the layer.
void refuseConstantDivisionByZero(const graph::Graph& graph, const graph::LayerNode& layer) {
  if (!isIntegerDivision(graph, layer)) return;
  const auto& divisor = constantBytes(graph, graph.tensors[layer.inputs[1]].producer);
  size_t size = dataTypeSize(graph.tensors[layer.inputs[1]].type);
  for (size_t i = 0; i + size <= divisor.size(); i += size)
    if (std::all_of(divisor.begin() + i, divisor.begin() + i + size, [](uint8_t b) { return b == 0; }))
      throw Error(ErrorCode::kINVALID_GRAPH,
                  "ElementWise layer: integer division by zero (divisor element " + std::to_string(i / size) +
                      " of the constant '" + graph.tensors[layer.inputs[1]].name + "' is 0)",
                  layer.name);
}

}  // namespace

std::vector<std::vector<uint8_t>> HostEvaluator::evaluate(const graph::Graph& graph, int32_t layerId) const {
  const graph::LayerNode& layer = graph.layers[layerId];
  refuseConstantDivisionByZero(graph, layer);
  plan::Plan mini = singleStepPlan(graph, layer);
  std::vector<const uint8_t*> inputs;
  for (int32_t t : layer.inputs)
    inputs.push_back(t < 0 ? nullptr : constantBytes(graph, graph.tensors[t].producer).data());
  return backend::runSingleStep(*backend::findBackend("cpu"), mini, inputs, exprValues_.data());
}

}  // namespace kiln::builder
