// Recognizes the exact GELU as exporters spell it — x * (1 + erf(x / sqrt(2))) * 0.5 (PyTorch's F.gelu, BERT's
// intermediate activation) — and replaces the five layers with one GELU_ERF activation, which the matrix multiply
// before it can then take into its epilogue.
#include <cmath>

#include "builder/passes/fusion_helpers.h"
#include "builder/passes/pass.h"
#include "ops/elementwise.h"

namespace kiln::builder {

namespace {

// The value of a one-element floating-point constant that no refit changes.
std::optional<double> scalarConstant(const graph::Graph& graph, int32_t tensorId) {
  if (!isConstant(graph, tensorId) || recipeOf(graph, tensorId)) return std::nullopt;
  auto values = constantValues(graph, tensorId);
  if (!values || values->size() != 1) return std::nullopt;
  return (*values)[0];
}

bool near(std::optional<double> v, double expected) { return v && std::fabs(*v - expected) <= 1e-4 * expected; }

bool isElementWise(const graph::LayerNode& layer, ElementWiseOperation op) {
  return !layer.removed && layer.type == LayerType::kELEMENTWISE && layer.inputs.size() == 2 &&
         layer.opAttrs().get(ops::ElementWise::kOp) == op;
}

// The other operand of a binary layer that reads `tensor` once; -1 when it does not read it.
int32_t otherOperand(const graph::LayerNode& layer, int32_t tensor) {
  if (layer.inputs[0] == tensor && layer.inputs[1] != tensor) return layer.inputs[1];
  if (layer.inputs[1] == tensor && layer.inputs[0] != tensor) return layer.inputs[0];
  return -1;
}

// The layer reading `tensor` alone, when it is the element-wise `op` of `tensor` and another operand; -1 otherwise.
int32_t soleElementWise(const graph::Graph& graph, int32_t tensor, ElementWiseOperation op, int32_t* other) {
  int32_t l = soleConsumer(graph, tensor);
  if (l < 0 || !isElementWise(graph.layers[l], op)) return -1;
  *other = otherOperand(graph.layers[l], tensor);
  return *other < 0 ? -1 : l;
}

class RecognizeGelu : public Pass {
 public:
  const char* name() const override { return "recognize-gelu"; }
  int32_t apply(graph::Graph& graph) const override {
    int32_t changed = 0;
    for (int32_t e = 0; e < static_cast<int32_t>(graph.layers.size()); ++e) {
      const graph::LayerNode& erf = graph.layers[e];
      if (erf.removed || erf.type != LayerType::kUNARY || erf.opAttrs().get(ops::Unary::kOp) != UnaryOperation::kERF)
        continue;
      // x / sqrt(2) or x * (1 / sqrt(2)) feeds the erf, and nothing else reads the scaled x.
      int32_t scaled = erf.inputs[0];
      int32_t s = graph.tensors[scaled].producer;
      if (s < 0 || soleConsumer(graph, scaled) != e) continue;
      const graph::LayerNode& scale = graph.layers[s];
      int32_t x = -1;
      if (isElementWise(scale, ElementWiseOperation::kDIV) &&
          near(scalarConstant(graph, scale.inputs[1]), std::sqrt(2.0)))
        x = scale.inputs[0];
      else if (isElementWise(scale, ElementWiseOperation::kPROD))
        for (int32_t k : {0, 1})
          if (near(scalarConstant(graph, scale.inputs[1 - k]), std::sqrt(0.5))) x = scale.inputs[k];
      if (x < 0 || !isFloatingPoint(graph.tensors[x].type)) continue;
      // + 1, then * x and * 0.5 in either order.
      int32_t other = -1;
      int32_t plusOne = soleElementWise(graph, erf.outputs[0], ElementWiseOperation::kSUM, &other);
      if (plusOne < 0 || !near(scalarConstant(graph, other), 1.0)) continue;
      int32_t first = soleElementWise(graph, graph.layers[plusOne].outputs[0], ElementWiseOperation::kPROD, &other);
      if (first < 0) continue;
      bool timesXFirst = other == x;
      if (!timesXFirst && !near(scalarConstant(graph, other), 0.5)) continue;
      int32_t second = soleElementWise(graph, graph.layers[first].outputs[0], ElementWiseOperation::kPROD, &other);
      if (second < 0 || !(timesXFirst ? near(scalarConstant(graph, other), 0.5) : other == x)) continue;
      // The result keeps its shape only when x is not broadcast against the constants.
      int32_t y = graph.layers[second].outputs[0];
      if (graph.tensors[y].dims != graph.tensors[x].dims || graph.tensors[y].type != graph.tensors[x].type) continue;

      graph::LayerNode gelu;
      gelu.name = graph.layers[second].name;
      gelu.type = LayerType::kACTIVATION;
      gelu.attrs.set(ops::Activation::kOp, ActivationType::kGELU_ERF);
      gelu.inputs = {x};
      gelu.outputs = {y};
      for (int32_t l : {s, e, plusOne, first}) graph.layers[l].removed = true;
      placeFused(graph, second, std::move(gelu));
      ++changed;
    }
    return changed;
  }
};

}  // namespace

std::unique_ptr<Pass> makeRecognizeGeluPass() { return std::make_unique<RecognizeGelu>(); }

}  // namespace kiln::builder
