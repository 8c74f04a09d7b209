// Checks a config's profiles against a network and turns them into per-input ranges.
#pragma once

#include <vector>

#include "graph/graph.h"
#include "kiln/builder.h"
#include "plan/plan.h"

namespace kiln::builder {

using core::ExprId;

// One entry per profile, each with a range per network input (graph.inputs order).
// Throws kiln::Error (kINVALID_PROFILE) naming the input and profile at fault.
std::vector<std::vector<plan::InputRange>> validateProfiles(const graph::Graph& graph, const BuilderConfig& config);

}  // namespace kiln::builder
