#include "graph/graph.h"

#include <algorithm>

namespace kiln::graph {

int32_t Graph::addTensor(std::string name, DataType type) {
  TensorNode t;
  t.name = std::move(name);
  t.type = type;
  tensors.push_back(std::move(t));
  return static_cast<int32_t>(tensors.size() - 1);
}

int32_t Graph::addLayer(LayerType type, std::string name, std::vector<int32_t> layerInputs, int32_t nbOutputs) {
  LayerNode layer;
  int32_t id = static_cast<int32_t>(layers.size());
  layer.name = name.empty() ? std::string(layerTypeName(type)) + "_" + std::to_string(id) : std::move(name);
  layer.type = type;
  layer.inputs = std::move(layerInputs);
  for (int32_t i = 0; i < nbOutputs; ++i) {
    int32_t t = addTensor(layer.name + "_output_" + std::to_string(i), DataType::kFLOAT);
    tensors[t].producer = id;
    layer.outputs.push_back(t);
  }
  layers.push_back(std::move(layer));
  return id;
}

std::vector<int32_t> Graph::consumers(int32_t tensorId) const {
  std::vector<int32_t> result;
  for (int32_t l = 0; l < static_cast<int32_t>(layers.size()); ++l) {
    if (layers[l].removed) continue;
    const auto& ins = layers[l].inputs;
    if (std::find(ins.begin(), ins.end(), tensorId) != ins.end()) result.push_back(l);
  }
  return result;
}

void Graph::popLayer() {
  const LayerNode& layer = layers.back();
  for (auto it = layer.outputs.rbegin(); it != layer.outputs.rend(); ++it)
    if (*it == static_cast<int32_t>(tensors.size()) - 1) tensors.pop_back();
  layers.pop_back();
}

int32_t Graph::findTensor(const std::string& name) const {
  for (int32_t i = 0; i < static_cast<int32_t>(tensors.size()); ++i)
    if (tensors[i].name == name) return i;
  return -1;
}

std::string Graph::uniqueTensorName(const std::string& base) const {
  if (findTensor(base) < 0) return base;
  for (int i = 1;; ++i) {
    std::string candidate = base + "_" + std::to_string(i);
    if (findTensor(candidate) < 0) return candidate;
  }
}

}  // namespace kiln::graph
