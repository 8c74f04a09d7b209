// The network IR: plain data (tensors, layers, expressions) that the public NetworkDefinition wraps and the
// builder copies and transforms. Ids are indices into the vectors; removed layers stay as tombstones.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/symbolic.h"
#include "kiln/error.h"
#include "kiln/layers.h"
#include "kiln/types.h"
#include "ops/attrs.h"
#include "ops/weight_recipe.h"

namespace kiln::graph {

using core::ExprId;
// The IR's layer attributes are the op schemas' attribute maps.
using ops::Attrs;
using ops::AttrValue;
using ops::ExprList;

struct TensorNode {
  std::string name;
  DataType type = DataType::kFLOAT;
  std::vector<ExprId> dims;
  // Values known at build time as expressions (shape tensors and small integer constants), row-major.
  std::optional<std::vector<ExprId>> values;
  int32_t producer = -1;    // layer id, -1 for network inputs
  int32_t inputIndex = -1;  // position among network inputs, -1 otherwise
  bool isOutput = false;
};

// A shape condition that only the run-time input shapes can decide.
struct Assertion {
  using Kind = core::AssertionKind;
  Kind kind = Kind::kEQUAL;
  ExprId a = -1;
  ExprId b = -1;
  std::string message;
};

struct LayerNode {
  std::string name;
  LayerType type = LayerType::kIDENTITY;
  Attrs attrs;                   // set by the user (or importer)
  Attrs derived;                 // computed by shape inference for the kernels (run-time expressions)
  std::vector<int32_t> inputs;   // tensor ids, -1 for an absent optional input
  std::vector<int32_t> outputs;  // tensor ids
  std::vector<Assertion> assertions;
  bool removed = false;

  // For typed reads, whose errors name the layer.
  ops::OpAttrs opAttrs() const { return {attrs, opRef()}; }
  ops::OpAttrs derivedAttrs() const { return {derived, opRef()}; }
  ops::OpRef opRef() const { return {type, name, ErrorCode::kINVALID_GRAPH}; }
};

struct Graph {
  core::ExprPool exprs;
  std::vector<TensorNode> tensors;
  std::vector<LayerNode> layers;
  std::vector<int32_t> inputs;              // tensor ids, in the order they were added
  std::vector<int32_t> outputs;             // tensor ids, in the order they were marked
  std::vector<std::vector<uint8_t>> blobs;  // constant data, referenced by the "blob" attribute
  // Refittable builds (BuilderFlag::kREFIT): per blob, how its bytes follow from the named weights; null (or past
  // the end) for bytes no weight changes.
  std::vector<ops::RecipePtr> recipes;

  int32_t addTensor(std::string name, DataType type);
  // Adds a layer with fresh output tensors named "<layer>_output_<i>".
  int32_t addLayer(LayerType type, std::string name, std::vector<int32_t> inputs, int32_t nbOutputs);
  // Layers (not removed) that read tensor `id`, each once.
  std::vector<int32_t> consumers(int32_t tensorId) const;
  // Removes the last layer and its outputs (used when adding a layer fails).
  void popLayer();
  int32_t findTensor(const std::string& name) const;
  std::string uniqueTensorName(const std::string& base) const;
};

}  // namespace kiln::graph
