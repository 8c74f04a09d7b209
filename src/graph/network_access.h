// The library's way into a NetworkDefinition's internals: its graph IR, tensor and layer ids, and re-running shape
// inference. NetworkDefinition, Tensor and Layer declare this class a friend, so none of this is public API.
#pragma once

#include <cstdint>

#include "graph/graph.h"
#include "kiln/network.h"

namespace kiln::graph {

class NetworkAccess {
 public:
  static Graph& graph(NetworkDefinition& network);
  static const Graph& graph(const NetworkDefinition& network);
  // The handle of tensor `id` of the graph; nullptr for a negative id (an optional input that is not set).
  static Tensor* tensor(const NetworkDefinition& network, int32_t id) { return network.tensorHandle(id); }
  // Indices into the graph's tensor and layer tables.
  static int32_t id(const Tensor& tensor) { return tensor.id_; }
  static int32_t id(const Layer& layer) { return layer.id_; }
  // Re-runs shape inference for layers from `firstLayer` on; throws kiln::Error naming the layer at fault.
  static void reinferFrom(NetworkDefinition& network, int32_t firstLayer) { network.reinferFrom(firstLayer); }
};

// The graph a Tensor or Layer handle belongs to (they hold a pointer to their network).
inline Graph& graphOf(NetworkDefinition* network) { return NetworkAccess::graph(*network); }

}  // namespace kiln::graph
