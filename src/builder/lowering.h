// Lowers an optimized graph into a plan: tensors, steps, the compacted shape program, weights, memory plans.
#pragma once

#include <vector>

#include "graph/graph.h"
#include "plan/plan.h"

namespace kiln::builder {

plan::Plan lowerToPlan(const graph::Graph& graph, const std::vector<std::vector<plan::InputRange>>& profiles);

}  // namespace kiln::builder
