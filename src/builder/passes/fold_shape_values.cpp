#include "builder/passes/pass.h"
#include "ops/copy.h"
#include "ops/op_schema.h"

namespace kiln::builder {

namespace {

// Shape arithmetic (Shape -> Gather -> Concat -> Reshape) was resolved into expressions during shape inference.
// Here every non-constant layer whose outputs all carry values becomes a ShapeValues layer that writes those
// values (evaluated by the shape program) only if some kernel reads them as data; value inputs (a reshape's shape,
// a slice's starts) are detached, since their values already live in the consumer's dims and attributes.
class FoldShapeValues : public Pass {
 public:
  const char* name() const override { return "fold-shape-values"; }
  int32_t apply(graph::Graph& graph) const override {
    int32_t changed = 0;
    for (auto& layer : graph.layers) {
      if (layer.removed) continue;
      const ops::InputSet& valueInputs = ops::opSchema(layer.type).valueInputs;
      for (size_t v = 0; v < layer.inputs.size(); ++v) {
        if (valueInputs.contains(static_cast<int32_t>(v)) && layer.inputs[v] >= 0) {
          layer.inputs[v] = -1;
          ++changed;
        }
      }
    }
    for (auto& layer : graph.layers) {
      if (layer.removed || layer.type == LayerType::kCONSTANT || layer.type == LayerType::kSHAPE_VALUES) continue;
      if (layer.outputs.size() != 1) continue;
      const graph::TensorNode& out = graph.tensors[layer.outputs[0]];
      // A comparison's bool values stay a comparison step: backends write shape values as integers.
      if (!out.values || out.type == DataType::kBOOL) continue;
      std::vector<int64_t> dims;
      for (ExprId d : out.dims)
        if (auto c = graph.exprs.constantValue(d)) dims.push_back(*c);
      if (dims.size() != out.dims.size()) continue;
      layer.type = LayerType::kSHAPE_VALUES;
      layer.inputs.clear();
      layer.attrs = ops::Attrs{};
      layer.attrs.set(ops::ShapeValues::kDims, dims);
      layer.attrs.set(ops::ShapeValues::kType, out.type);
      layer.derived = ops::Attrs{};
      layer.derived.set(ops::ShapeValues::kValues, *out.values);
      ++changed;
    }
    return changed;
  }
};

}  // namespace

std::unique_ptr<Pass> makeFoldShapeValuesPass() { return std::make_unique<FoldShapeValues>(); }

}  // namespace kiln::builder
