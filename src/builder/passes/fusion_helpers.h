// Graph queries and edits shared by the fusion passes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "backends/common/backend.h"
#include "graph/graph.h"
#include "ops/weight_recipe.h"

namespace kiln::builder {

// The one live layer that reads `tensorId`, reading it once, when the tensor is not a network output; -1 otherwise.
// Only then can the tensor disappear into a fused layer.
int32_t soleConsumer(const graph::Graph& graph, int32_t tensorId);

// The two-input element-wise layer of operation `op` that produces `tensorId` for layer `reader` alone (soleConsumer);
// -1 otherwise.
int32_t elementWiseProducerFor(const graph::Graph& graph, int32_t tensorId, int32_t reader, ElementWiseOperation op);

// Whether a Constant layer produces `tensorId`.
bool isConstant(const graph::Graph& graph, int32_t tensorId);

// A constant's dims (all known at build time).
std::vector<int64_t> constantDims(const graph::Graph& graph, int32_t tensorId);

// A floating-point constant's values (fp32, fp64, fp16 or bf16) as doubles; nullopt for other types.
std::optional<std::vector<double>> constantValues(const graph::Graph& graph, int32_t tensorId);

// `values` stored as `type` (a floating-point type), rounded to nearest.
std::vector<uint8_t> encodeValues(const std::vector<double>& values, DataType type);

// The recipe that makes a constant's bytes from refittable weights (ops/weight_recipe.h); null when no weight
// reaches it (or the build is not refittable).
ops::RecipePtr recipeOf(const graph::Graph& graph, int32_t tensorId);
// The same, or a kFIXED node holding the constant's bytes: an input of a recipe that no weight changes.
ops::RecipePtr recipeOrFixed(const graph::Graph& graph, int32_t tensorId);
// Records `recipe` (when not null) as the one of graph.blobs[blob].
void setRecipe(graph::Graph& graph, size_t blob, ops::RecipePtr recipe);

// Inserts a Constant layer holding `values` (stored as `type`) before layer `position`, which keeps the layers in
// topological order; the layers from `position` on move up by one. Returns the constant's output tensor.
int32_t insertConstant(graph::Graph& graph, int32_t position, const std::string& name, DataType type,
                       const std::vector<int64_t>& dims, const std::vector<double>& values);

// `fused` applies the activation layer `activation` to its result (plan/fused_epilogue.h) and writes its output.
void absorbActivation(graph::LayerNode& fused, const graph::LayerNode& activation);

// Makes `layers` (in topological order) the graph's layer list and points every tensor at its producer's new slot.
void replaceLayers(graph::Graph& graph, std::vector<graph::LayerNode> layers);

// Puts `fused` in slot `position` (replacing what was there) as the producer of its outputs.
void placeFused(graph::Graph& graph, int32_t position, graph::LayerNode fused);

// Whether `target` can run `layer` (a candidate fused layer over tensors of `graph`) as one step: its kernel factory
// accepts it. Backends reject the epilogues they do not implement (plan/fused_epilogue.h).
bool targetAccepts(const backend::Backend& target, const graph::Graph& graph, const graph::LayerNode& layer);

}  // namespace kiln::builder
