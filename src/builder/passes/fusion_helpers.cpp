#include "builder/passes/fusion_helpers.h"

#include <algorithm>
#include <cstring>

#include "backends/common/activation_function.h"
#include "backends/common/weight_transforms.h"
#include "builder/host_evaluator.h"
#include "builder/single_step_plan.h"
#include "core/half.h"
#include "kiln/error.h"
#include "ops/copy.h"
#include "ops/elementwise.h"
#include "ops/fused_epilogue.h"

namespace kiln::builder {

int32_t soleConsumer(const graph::Graph& graph, int32_t tensorId) {
  if (graph.tensors[tensorId].isOutput) return -1;
  std::vector<int32_t> readers = graph.consumers(tensorId);
  if (readers.size() != 1) return -1;
  const auto& ins = graph.layers[readers[0]].inputs;
  return std::count(ins.begin(), ins.end(), tensorId) == 1 ? readers[0] : -1;
}

int32_t elementWiseProducerFor(const graph::Graph& graph, int32_t tensorId, int32_t reader, ElementWiseOperation op) {
  int32_t producer = graph.tensors[tensorId].producer;
  if (producer < 0 || soleConsumer(graph, tensorId) != reader) return -1;
  const graph::LayerNode& layer = graph.layers[producer];
  bool matches = layer.type == LayerType::kELEMENTWISE && layer.inputs.size() == 2 &&
                 layer.opAttrs().get(ops::ElementWise::kOp) == op;
  return matches ? producer : -1;
}

bool isConstant(const graph::Graph& graph, int32_t tensorId) {
  int32_t producer = graph.tensors[tensorId].producer;
  return producer >= 0 && graph.layers[producer].type == LayerType::kCONSTANT;
}

std::vector<int64_t> constantDims(const graph::Graph& graph, int32_t tensorId) {
  return graph.layers[graph.tensors[tensorId].producer].opAttrs().get(ops::Constant::kDims);
}

std::optional<std::vector<double>> constantValues(const graph::Graph& graph, int32_t tensorId) {
  return backend::decodeFloats(constantBytes(graph, graph.tensors[tensorId].producer), graph.tensors[tensorId].type);
}

std::vector<uint8_t> encodeValues(const std::vector<double>& values, DataType type) {
  return backend::encodeFloats(values, type);
}

ops::RecipePtr recipeOf(const graph::Graph& graph, int32_t tensorId) {
  const graph::LayerNode& constant = graph.layers[graph.tensors[tensorId].producer];
  auto blob = static_cast<size_t>(constant.opAttrs().get(ops::Constant::kBlob));
  return blob < graph.recipes.size() ? graph.recipes[blob] : nullptr;
}

ops::RecipePtr recipeOrFixed(const graph::Graph& graph, int32_t tensorId) {
  if (auto recipe = recipeOf(graph, tensorId)) return recipe;
  auto fixed = std::make_shared<ops::WeightRecipe>();
  fixed->op = ops::RecipeOp::kFIXED;
  fixed->type = graph.tensors[tensorId].type;
  fixed->dims = constantDims(graph, tensorId);
  fixed->bytes = constantBytes(graph, graph.tensors[tensorId].producer);
  return fixed;
}

void setRecipe(graph::Graph& graph, size_t blob, ops::RecipePtr recipe) {
  if (!recipe) return;
  if (graph.recipes.size() <= blob) graph.recipes.resize(blob + 1);
  graph.recipes[blob] = std::move(recipe);
}

int32_t insertConstant(graph::Graph& graph, int32_t position, const std::string& name, DataType type,
                       const std::vector<int64_t>& dims, const std::vector<double>& values) {
  for (auto& t : graph.tensors)
    if (t.producer >= position) ++t.producer;
  graph.blobs.push_back(encodeValues(values, type));
  int32_t out = graph.addTensor(graph.uniqueTensorName(name), type);
  for (int64_t d : dims) graph.tensors[out].dims.push_back(graph.exprs.constant(d));
  graph.tensors[out].producer = position;
  graph::LayerNode layer;
  layer.name = graph.tensors[out].name;
  layer.type = LayerType::kCONSTANT;
  layer.attrs.set(ops::Constant::kDims, dims);
  layer.attrs.set(ops::Constant::kType, type);
  layer.attrs.set(ops::Constant::kBlob, static_cast<int64_t>(graph.blobs.size() - 1));
  layer.outputs = {out};
  graph.layers.insert(graph.layers.begin() + position, std::move(layer));
  return out;
}

void absorbActivation(graph::LayerNode& fused, const graph::LayerNode& activation) {
  ActivationType type = activation.opAttrs().get(ops::Activation::kOp);
  ops::PostActivation post{type, 0, 0};
  backend::activationDefaults(type, post.alpha, post.beta, activation.opAttrs());
  ops::setPostActivation(fused.attrs, post);
  fused.outputs = activation.outputs;
}

void replaceLayers(graph::Graph& graph, std::vector<graph::LayerNode> layers) {
  graph.layers = std::move(layers);
  for (size_t i = 0; i < graph.layers.size(); ++i)
    for (int32_t t : graph.layers[i].outputs) graph.tensors[t].producer = static_cast<int32_t>(i);
}

void placeFused(graph::Graph& graph, int32_t position, graph::LayerNode fused) {
  for (int32_t t : fused.outputs) graph.tensors[t].producer = position;
  graph.layers[position] = std::move(fused);
}

bool targetAccepts(const backend::Backend& target, const graph::Graph& graph, const graph::LayerNode& layer) {
  plan::Plan mini = singleStepPlan(graph, layer);
  try {
    target.createKernel(backend::KernelSpec{mini, mini.steps[0]});
    return true;
  } catch (const Error& e) {
    if (e.code() == ErrorCode::kUNSUPPORTED) return false;
    throw;
  }
}

}  // namespace kiln::builder
