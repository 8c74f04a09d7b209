// Shape inference: one rule per layer type, run on symbolic shapes when a layer is added or changed.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/layer_type_table.h"
#include "graph/graph.h"
#include "kiln/error.h"

namespace kiln::graph {

class InferContext {
 public:
  InferContext(Graph& graph, int32_t layerId) : graph_(graph), layerId_(layerId) {}

  const LayerNode& layer() const { return graph_.layers[layerId_]; }
  ops::OpAttrs attrs() const { return layer().opAttrs(); }
  core::ExprPool& exprs() { return graph_.exprs; }
  const Graph& graph() const { return graph_; }

  int32_t nbInputs() const { return static_cast<int32_t>(layer().inputs.size()); }
  bool hasInput(int32_t i) const { return i < nbInputs() && layer().inputs[i] >= 0; }
  // Fails (naming the layer) when input `i` is absent.
  const TensorNode& input(int32_t i) const;
  int32_t rank(int32_t i) const { return static_cast<int32_t>(input(i).dims.size()); }

  void setOutput(int32_t i, DataType type, std::vector<ExprId> dims,
                 std::optional<std::vector<ExprId>> values = std::nullopt);
  // Parameters for kernels that shape inference works out (run-time expressions, inferred groups, ...).
  template <ops::AttrKey K>
  void setDerived(const K& key, typename K::Value value) {
    graph_.layers[layerId_].derived.set(key, std::move(value));
  }

  [[noreturn]] void fail(const std::string& message) const;
  // Checked now when both sides are constant, else recorded for run time.
  void requireEqual(ExprId a, ExprId b, const std::string& message);
  void requireGreaterEqual(ExprId a, ExprId b, const std::string& message);
  // Numpy broadcast of two dimensions; records the compatibility check when it cannot be decided now.
  ExprId broadcastDim(ExprId a, ExprId b, const std::string& what);

  // Axis in [-rank, rank) made non-negative; fails otherwise.
  int32_t normalizeAxis(int64_t axis, int32_t rank, const char* what = "axis") const;
  ExprId constant(int64_t v) { return graph_.exprs.constant(v); }
  std::optional<int64_t> constantValue(ExprId e) const { return graph_.exprs.constantValue(e); }
  // All of `exprs` as constants into `out`; false (out unspecified) when any is symbolic.
  bool constantValues(const std::vector<ExprId>& exprs, std::vector<int64_t>& out) const;
  std::string dimsToString(const std::vector<ExprId>& dims) const;
  ExprId volume(const std::vector<ExprId>& dims);
  void requireFloat(int32_t input) const;
  void requireSameType(int32_t a, int32_t b) const;
  // Input `i` has exactly `dims` (rank and every dimension); `what` names it in the message.
  void requireShape(int32_t i, const std::vector<ExprId>& dims, const std::string& what);

 private:
  Graph& graph_;
  int32_t layerId_;
};

// Tensors of at most this many elements carry their values as expressions (shape tensors, small int constants).
constexpr int64_t kMaxTrackedValues = 64;

using InferFn = std::function<void(InferContext&)>;

// A shape rule; the op's other traits are in its schema (ops/op_schema.h).
struct OpDef {
  LayerType type;
  InferFn infer;
};

// The op table: built on first use by calling every family's register*Ops function below, each of which adds the
// rules of its family's layer types (OpTable::add) from its own file, src/graph/infer_<family>.cpp. The families and
// their layer types are listed in docs/adding-an-op.md. A new op of an existing family is added in that file only; a
// new family adds its declaration here and its call in infer.cpp.
// Runs the layer's rule. Throws kiln::Error (kINVALID_GRAPH, naming the layer) when the graph is impossible.
void inferLayer(Graph& graph, int32_t layerId);

class OpTable;
void registerCopyOps(OpTable& table);
void registerElementwiseOps(OpTable& table);
void registerGenerationOps(OpTable& table);
void registerIndexingOps(OpTable& table);
void registerMatrixOps(OpTable& table);
void registerNormalizationOps(OpTable& table);
void registerPluginOps(OpTable& table);
void registerPoolingOps(OpTable& table);
void registerConvolutionOps(OpTable& table);
void registerRecurrenceOps(OpTable& table);
void registerReductionOps(OpTable& table);
void registerResizeOps(OpTable& table);
void registerShapeOps(OpTable& table);

class OpTable : public core::LayerTypeTable<OpDef> {
 public:
  void add(OpDef def) {
    LayerType type = def.type;  // read before the move: argument evaluation order is unspecified
    core::LayerTypeTable<OpDef>::add(type, std::move(def));
  }
};

}  // namespace kiln::graph
