// Runs single graph layers on the CPU backend at build time (constant folding).
#pragma once

#include <cstdint>
#include <vector>

#include "graph/graph.h"

namespace kiln::builder {

class HostEvaluator {
 public:
  explicit HostEvaluator(const graph::Graph& graph);
  // Evaluates `layerId`, whose inputs are all constants (or absent), into one byte buffer per output.
  // Throws kiln::Error when the CPU backend cannot run it.
  std::vector<std::vector<uint8_t>> evaluate(const graph::Graph& graph, int32_t layerId) const;
  const std::vector<int64_t>& exprValues() const { return exprValues_; }

 private:
  std::vector<int64_t> exprValues_;  // the whole expression pool evaluated (constants only matter)
};

// Bytes held by a Constant layer's output.
const std::vector<uint8_t>& constantBytes(const graph::Graph& graph, int32_t layerId);

}  // namespace kiln::builder
