// A plan holding one graph layer as its only step, for asking a backend about that layer alone: its kernel factory
// reads the step's attributes and its tensors' types and ranks (the dims stay graph expression ids).
#pragma once

#include "graph/graph.h"
#include "plan/plan.h"

namespace kiln::builder {

// Plan tensors are the layer's inputs (as constants) then its outputs (as activations), in order; absent optional
// inputs stay -1. `layer` need not be in `graph` yet (a candidate fused layer), but its tensors are.
plan::Plan singleStepPlan(const graph::Graph& graph, const graph::LayerNode& layer);

// The same with its own shape program: every expression it reads (dims, run-time parameters) a constant of the value
// `exprValues` gives it, so the plan runs alone (a refit recipe's step, ops/weight_recipe.h).
plan::Plan selfContainedStepPlan(const graph::Graph& graph, const graph::LayerNode& layer,
                                 const std::vector<int64_t>& exprValues);

}  // namespace kiln::builder
