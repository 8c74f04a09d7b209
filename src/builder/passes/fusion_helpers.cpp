#include "builder/passes/fusion_helpers.h"

#include <algorithm>
#include <cstring>

#include "backends/common/activation_function.h"
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
  const std::vector<uint8_t>& bytes = constantBytes(graph, graph.tensors[tensorId].producer);
  DataType type = graph.tensors[tensorId].type;
  size_t count = bytes.size() / dataTypeSize(type);
  std::vector<double> values(count);
  auto read = [&](auto tag, auto convert) {
    using T = decltype(tag);
    for (size_t i = 0; i < count; ++i) {
      T v;
      std::memcpy(&v, bytes.data() + i * sizeof(T), sizeof(T));
      values[i] = static_cast<double>(convert(v));
    }
  };
  auto same = [](auto v) { return v; };
  switch (type) {
    case DataType::kFLOAT: read(float{}, same); break;
    case DataType::kDOUBLE: read(double{}, same); break;
    case DataType::kHALF: read(uint16_t{}, core::halfToFloat); break;
    case DataType::kBF16: read(uint16_t{}, core::bf16ToFloat); break;
    default: return std::nullopt;
  }
  return values;
}

std::vector<uint8_t> encodeValues(const std::vector<double>& values, DataType type) {
  std::vector<uint8_t> bytes(values.size() * dataTypeSize(type));
  auto write = [&](auto convert) {
    for (size_t i = 0; i < values.size(); ++i) {
      auto v = convert(values[i]);
      std::memcpy(bytes.data() + i * sizeof(v), &v, sizeof(v));
    }
  };
  switch (type) {
    case DataType::kFLOAT: write([](double v) { return static_cast<float>(v); }); break;
    case DataType::kDOUBLE: write([](double v) { return v; }); break;
    case DataType::kHALF: write([](double v) { return core::floatToHalf(static_cast<float>(v)); }); break;
    case DataType::kBF16: write([](double v) { return core::floatToBf16(static_cast<float>(v)); }); break;
    default:
      throw Error(ErrorCode::kUNSUPPORTED, std::string("cannot store fused constants as ") + dataTypeName(type),
                  "builder");
  }
  return bytes;
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
