// Numpy-style broadcasting of symbolic shapes (ranks aligned on the right).
#pragma once

#include <vector>

#include "graph/infer.h"

namespace kiln::graph {

std::vector<ExprId> broadcastShapes(InferContext& ctx, const std::vector<std::vector<ExprId>>& shapes);

// Values of a small tensor broadcast to `outDims` (all constant); nullopt when that is not possible.
std::optional<std::vector<ExprId>> broadcastValues(InferContext& ctx, const std::vector<ExprId>& values,
                                                   const std::vector<ExprId>& dims, const std::vector<ExprId>& outDims);

}  // namespace kiln::graph
