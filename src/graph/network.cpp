#include "kiln/network.h"

#include <algorithm>
#include <cstring>

#include "core/checked_math.h"
#include "graph/graph.h"
#include "graph/infer.h"
#include "graph/network_access.h"
#include "kiln/error.h"
#include "ops/copy.h"
#include "ops/elementwise.h"
#include "ops/generation.h"
#include "ops/indexing.h"
#include "ops/matrix.h"
#include "ops/normalization.h"
#include "ops/plugin.h"
#include "ops/pooling.h"
#include "ops/recurrence.h"
#include "ops/reduction.h"
#include "ops/resize.h"
#include "ops/shape.h"

namespace kiln {

struct NetworkDefinition::Impl : graph::Graph {
  std::vector<std::unique_ptr<Tensor>> tensorHandles;  // by tensor id, made on first use
  std::vector<std::unique_ptr<Layer>> layerHandles;    // by layer id
};

namespace graph {
Graph& NetworkAccess::graph(NetworkDefinition& network) { return *network.graph_; }
const Graph& NetworkAccess::graph(const NetworkDefinition& network) { return *network.graph_; }
}  // namespace graph

using graph::graphOf;

namespace {

// Layer constructors are protected (users get layers from NetworkDefinition::add*), so the network makes each layer
// as this class derived from it.
template <typename L>
struct MadeLayer final : L {
  MadeLayer(NetworkDefinition& network, int32_t id) : L(network, id) {}
};

std::vector<int64_t> dimsToVector(const Dims& dims) { return std::vector<int64_t>(dims.d, dims.d + dims.nbDims); }

void checkDims(const Dims& dims, const std::string& what, bool allowDynamic) {
  if (dims.nbDims < 0 || dims.nbDims > Dims::MAX_DIMS)
    throw Error(ErrorCode::kINVALID_ARGUMENT, "rank " + std::to_string(dims.nbDims) + " is outside [0, 8]", what);
  for (int32_t i = 0; i < dims.nbDims; ++i) {
    if (dims.d[i] < -1 || (!allowDynamic && dims.d[i] < 0))
      throw Error(ErrorCode::kINVALID_ARGUMENT,
                  "dimension " + std::to_string(i) + " is " + std::to_string(dims.d[i]) +
                      (allowDynamic ? " (use -1 for dynamic)" : " (must be >= 0)"),
                  what);
  }
  // Every tensor's element count must fit in int64, the known dimensions' product first.
  Dims known = dims;
  for (int32_t i = 0; i < known.nbDims; ++i)
    if (known.d[i] < 0) known.d[i] = 1;
  if (!core::tryVolume(known))
    throw Error(ErrorCode::kINVALID_ARGUMENT,
                "dimensions " + toString(dims) + " hold more elements than 64-bit integers count", what);
}

}  // namespace

// ---- Tensor -------------------------------------------------------------------------------------------------

const char* Tensor::getName() const { return graphOf(network_).tensors[id_].name.c_str(); }

void Tensor::setName(const char* name) {
  if (!name || !*name) throw Error(ErrorCode::kINVALID_ARGUMENT, "tensor name must not be empty", getName());
  graph::Graph& g = graphOf(network_);
  int32_t existing = g.findTensor(name);
  if (existing >= 0 && existing != id_)
    throw Error(ErrorCode::kINVALID_ARGUMENT, "another tensor is already named '" + std::string(name) + "'", getName());
  g.tensors[id_].name = name;
}

DataType Tensor::getType() const { return graphOf(network_).tensors[id_].type; }

Dims Tensor::getDimensions() const {
  const graph::Graph& g = graphOf(network_);
  const auto& t = g.tensors[id_];
  Dims dims;
  dims.nbDims = static_cast<int32_t>(t.dims.size());
  for (int32_t i = 0; i < dims.nbDims; ++i) dims.d[i] = g.exprs.constantValue(t.dims[i]).value_or(-1);
  return dims;
}

std::string Tensor::getDimensionExpression(int32_t axis) const {
  const graph::Graph& g = graphOf(network_);
  const auto& t = g.tensors[id_];
  if (axis < 0 || axis >= static_cast<int32_t>(t.dims.size()))
    throw Error(ErrorCode::kINVALID_ARGUMENT, "axis " + std::to_string(axis) + " out of range", t.name);
  return g.exprs.toString(t.dims[axis], [&](int32_t input, int32_t a) {
    return g.tensors[g.inputs[input]].name + "." + std::to_string(a);
  });
}

bool Tensor::isNetworkInput() const { return graphOf(network_).tensors[id_].inputIndex >= 0; }
bool Tensor::isNetworkOutput() const { return graphOf(network_).tensors[id_].isOutput; }
bool Tensor::isShapeTensor() const { return graphOf(network_).tensors[id_].values.has_value(); }
bool Tensor::isShapeInput() const {
  const auto& t = graphOf(network_).tensors[id_];
  return t.inputIndex >= 0 && t.values.has_value();
}

// ---- NetworkDefinition ----------------------------------------------------------------------------------------

NetworkDefinition::NetworkDefinition(Logger& logger) : logger_(&logger), graph_(std::make_unique<Impl>()) {}
NetworkDefinition::~NetworkDefinition() = default;

Tensor* NetworkDefinition::newTensorHandle(int32_t id) {
  auto& handles = graph_->tensorHandles;
  if (static_cast<int32_t>(handles.size()) <= id) handles.resize(id + 1);
  if (!handles[id]) handles[id].reset(new Tensor(*this, id));
  return handles[id].get();
}

Tensor* NetworkDefinition::tensorHandle(int32_t id) const {
  if (id < 0) return nullptr;
  return const_cast<NetworkDefinition*>(this)->newTensorHandle(id);
}

Layer* NetworkDefinition::layerHandle(int32_t id) const {
  if (id < 0 || id >= static_cast<int32_t>(graph_->layerHandles.size())) return nullptr;
  return graph_->layerHandles[id].get();
}

template <typename L>
L* NetworkDefinition::addLayer(int32_t layerId) {
  try {
    graph::inferLayer(*graph_, layerId);
  } catch (...) {
    graph_->popLayer();
    throw;
  }
  auto* layer = new MadeLayer<L>(*this, layerId);
  graph_->layerHandles.emplace_back(layer);
  for (int32_t out : graph_->layers[layerId].outputs) newTensorHandle(out);
  return layer;
}

void NetworkDefinition::reinferFrom(int32_t firstLayer) {
  for (int32_t l = firstLayer; l < static_cast<int32_t>(graph_->layers.size()); ++l)
    if (!graph_->layers[l].removed) graph::inferLayer(*graph_, l);
}

Tensor* NetworkDefinition::addInput(const char* name, DataType type, const Dims& dims) {
  if (!name || !*name) throw Error(ErrorCode::kINVALID_ARGUMENT, "input name must not be empty");
  if (graph_->findTensor(name) >= 0)
    throw Error(ErrorCode::kINVALID_ARGUMENT, "a tensor with this name already exists", name);
  if (!isValidDataType(static_cast<int32_t>(type)))
    throw Error(ErrorCode::kINVALID_ARGUMENT, "invalid data type", name);
  checkDims(dims, name, true);
  int32_t id = graph_->addTensor(name, type);
  int32_t inputIndex = static_cast<int32_t>(graph_->inputs.size());
  auto& t = graph_->tensors[id];
  t.inputIndex = inputIndex;
  for (int32_t i = 0; i < dims.nbDims; ++i)
    t.dims.push_back(dims.d[i] >= 0 ? graph_->exprs.constant(dims.d[i]) : graph_->exprs.inputDim(inputIndex, i));
  graph_->inputs.push_back(id);
  return newTensorHandle(id);
}

void NetworkDefinition::markShapeInput(Tensor& input) {
  auto& t = graph_->tensors[input.id_];
  if (t.inputIndex < 0) throw Error(ErrorCode::kINVALID_ARGUMENT, "only a network input can be a shape input", t.name);
  if (t.values) return;
  if (t.type != DataType::kINT32 && t.type != DataType::kINT64)
    throw Error(ErrorCode::kINVALID_ARGUMENT,
                std::string("a shape input must be int32 or int64, not ") + dataTypeName(t.type), t.name);
  if (t.dims.size() > 1) throw Error(ErrorCode::kINVALID_ARGUMENT, "a shape input must have rank 0 or 1", t.name);
  int64_t count = 1;
  if (!t.dims.empty()) {
    auto length = graph_->exprs.constantValue(t.dims[0]);
    if (!length) throw Error(ErrorCode::kINVALID_ARGUMENT, "a shape input needs a static length", t.name);
    count = *length;
  }
  if (count > graph::kMaxTrackedValues)
    throw Error(ErrorCode::kINVALID_ARGUMENT,
                "a shape input holds at most " + std::to_string(graph::kMaxTrackedValues) + " values, not " +
                    std::to_string(count),
                t.name);
  std::vector<core::ExprId> values;
  for (int32_t i = 0; i < count; ++i) values.push_back(graph_->exprs.inputValue(t.inputIndex, i));
  graph_->tensors[input.id_].values = std::move(values);
  // Layers added before the marking see the values too.
  auto consumers = graph_->consumers(input.id_);
  if (!consumers.empty()) reinferFrom(*std::min_element(consumers.begin(), consumers.end()));
}

void NetworkDefinition::markOutput(Tensor& tensor) {
  auto& t = graph_->tensors[tensor.id_];
  if (t.isOutput) return;
  t.isOutput = true;
  graph_->outputs.push_back(tensor.id_);
}

void NetworkDefinition::unmarkOutput(Tensor& tensor) {
  auto& t = graph_->tensors[tensor.id_];
  if (!t.isOutput) throw Error(ErrorCode::kINVALID_ARGUMENT, "tensor is not a network output", t.name);
  t.isOutput = false;
  auto& outs = graph_->outputs;
  outs.erase(std::remove(outs.begin(), outs.end(), tensor.id_), outs.end());
}

ConstantLayer* NetworkDefinition::addConstant(const Dims& dims, const Weights& weights) {
  checkDims(dims, "constant", false);
  if (!isValidDataType(static_cast<int32_t>(weights.type)))
    throw Error(ErrorCode::kINVALID_ARGUMENT, "invalid weights data type", "constant");
  if (weights.count != dims.volume())
    throw Error(ErrorCode::kINVALID_ARGUMENT,
                "weights hold " + std::to_string(weights.count) + " values but dims " + toString(dims) + " need " +
                    std::to_string(dims.volume()),
                "constant");
  if (weights.count > 0 && !weights.values)
    throw Error(ErrorCode::kINVALID_ARGUMENT, "weights values are null", "constant");
  size_t bytes = static_cast<size_t>(weights.count) * dataTypeSize(weights.type);
  const auto* src = static_cast<const uint8_t*>(weights.values);
  graph_->blobs.emplace_back(src, src + bytes);
  int32_t id = graph_->addLayer(LayerType::kCONSTANT, "", {}, 1);
  auto& attrs = graph_->layers[id].attrs;
  attrs.set(ops::Constant::kBlob, static_cast<int64_t>(graph_->blobs.size() - 1));
  attrs.set(ops::Constant::kDims, dimsToVector(dims));
  attrs.set(ops::Constant::kType, weights.type);
  return addLayer<ConstantLayer>(id);
}

IdentityLayer* NetworkDefinition::addIdentity(Tensor& input) {
  return addLayer<IdentityLayer>(graph_->addLayer(LayerType::kIDENTITY, "", {input.id_}, 1));
}

ConvolutionLayer* NetworkDefinition::addConvolutionNd(Tensor& input, int64_t nbOutputMaps, const Dims& kernelSize,
                                                      const Weights& kernelWeights, const Weights& biasWeights) {
  checkDims(kernelSize, "convolution kernel size", false);
  int64_t spatial = kernelSize.volume();
  if (nbOutputMaps <= 0 || spatial <= 0 || kernelWeights.count % (nbOutputMaps * spatial) != 0)
    throw Error(ErrorCode::kINVALID_ARGUMENT,
                "kernel weights count " + std::to_string(kernelWeights.count) + " is not a multiple of " +
                    std::to_string(nbOutputMaps) + " output maps x kernel " + toString(kernelSize),
                "convolution");
  Dims wDims;
  wDims.nbDims = kernelSize.nbDims + 2;
  wDims.d[0] = nbOutputMaps;
  wDims.d[1] = kernelWeights.count / (nbOutputMaps * spatial);
  for (int32_t i = 0; i < kernelSize.nbDims; ++i) wDims.d[i + 2] = kernelSize.d[i];
  Tensor* kernel = addConstant(wDims, kernelWeights)->getOutput(0);
  Tensor* bias = nullptr;
  if (biasWeights.count > 0) bias = addConstant(Dims{nbOutputMaps}, biasWeights)->getOutput(0);
  return addConvolution(input, *kernel, bias);
}

ConvolutionLayer* NetworkDefinition::addConvolution(Tensor& input, Tensor& kernel, Tensor* bias) {
  std::vector<int32_t> ins = {input.id_, kernel.id_};
  if (bias) ins.push_back(bias->id_);
  return addLayer<ConvolutionLayer>(graph_->addLayer(LayerType::kCONVOLUTION, "", ins, 1));
}

MatrixMultiplyLayer* NetworkDefinition::addMatrixMultiply(Tensor& a, MatrixOperation opA, Tensor& b,
                                                          MatrixOperation opB) {
  int32_t id = graph_->addLayer(LayerType::kMATRIX_MULTIPLY, "", {a.id_, b.id_}, 1);
  graph_->layers[id].attrs.set(ops::MatrixMultiply::kOp0, opA);
  graph_->layers[id].attrs.set(ops::MatrixMultiply::kOp1, opB);
  return addLayer<MatrixMultiplyLayer>(id);
}

ElementWiseLayer* NetworkDefinition::addElementWise(Tensor& a, Tensor& b, ElementWiseOperation op) {
  int32_t id = graph_->addLayer(LayerType::kELEMENTWISE, "", {a.id_, b.id_}, 1);
  graph_->layers[id].attrs.set(ops::ElementWise::kOp, op);
  return addLayer<ElementWiseLayer>(id);
}

ActivationLayer* NetworkDefinition::addActivation(Tensor& input, ActivationType type) {
  int32_t id = graph_->addLayer(LayerType::kACTIVATION, "", {input.id_}, 1);
  graph_->layers[id].attrs.set(ops::Activation::kOp, type);
  return addLayer<ActivationLayer>(id);
}

UnaryLayer* NetworkDefinition::addUnary(Tensor& input, UnaryOperation op) {
  int32_t id = graph_->addLayer(LayerType::kUNARY, "", {input.id_}, 1);
  graph_->layers[id].attrs.set(ops::Unary::kOp, op);
  return addLayer<UnaryLayer>(id);
}

PoolingLayer* NetworkDefinition::addPoolingNd(Tensor& input, PoolingType type, const Dims& windowSize) {
  checkDims(windowSize, "pooling window", false);
  int32_t id = graph_->addLayer(LayerType::kPOOLING, "", {input.id_}, 1);
  graph_->layers[id].attrs.set(ops::Pooling::kOp, type);
  graph_->layers[id].attrs.set(ops::Pooling::kWindow, dimsToVector(windowSize));
  return addLayer<PoolingLayer>(id);
}

PoolingLayer* NetworkDefinition::addMaxPoolingWithIndices(Tensor& input, const Dims& windowSize) {
  checkDims(windowSize, "pooling window", false);
  int32_t id = graph_->addLayer(LayerType::kPOOLING, "", {input.id_}, 2);
  graph_->layers[id].attrs.set(ops::Pooling::kOp, PoolingType::kMAX);
  graph_->layers[id].attrs.set(ops::Pooling::kWindow, dimsToVector(windowSize));
  return addLayer<PoolingLayer>(id);
}

SoftMaxLayer* NetworkDefinition::addSoftMax(Tensor& input) {
  return addLayer<SoftMaxLayer>(graph_->addLayer(LayerType::kSOFTMAX, "", {input.id_}, 1));
}

ResizeLayer* NetworkDefinition::addResize(Tensor& input) {
  return addLayer<ResizeLayer>(graph_->addLayer(LayerType::kRESIZE, "", {input.id_}, 1));
}

ShuffleLayer* NetworkDefinition::addShuffle(Tensor& input) {
  return addLayer<ShuffleLayer>(graph_->addLayer(LayerType::kSHUFFLE, "", {input.id_}, 1));
}

ConcatenationLayer* NetworkDefinition::addConcatenation(Tensor* const* inputs, int32_t count, int32_t axis) {
  if (count <= 0 || !inputs) throw Error(ErrorCode::kINVALID_ARGUMENT, "concatenation needs at least one input");
  std::vector<int32_t> ins;
  for (int32_t i = 0; i < count; ++i) {
    if (!inputs[i]) throw Error(ErrorCode::kINVALID_ARGUMENT, "concatenation input " + std::to_string(i) + " is null");
    ins.push_back(inputs[i]->id_);
  }
  int32_t id = graph_->addLayer(LayerType::kCONCATENATION, "", ins, 1);
  graph_->layers[id].attrs.set(ops::Concatenation::kAxis, axis);
  return addLayer<ConcatenationLayer>(id);
}

ConcatenationLayer* NetworkDefinition::addConcatenation(const std::vector<Tensor*>& inputs, int32_t axis) {
  return addConcatenation(inputs.data(), static_cast<int32_t>(inputs.size()), axis);
}

SliceLayer* NetworkDefinition::addSlice(Tensor& input, const Dims& start, const Dims& size, const Dims& stride) {
  int32_t id = graph_->addLayer(LayerType::kSLICE, "", {input.id_}, 1);
  auto& attrs = graph_->layers[id].attrs;
  attrs.set(ops::Slice::kStart, dimsToVector(start));
  attrs.set(ops::Slice::kSize, dimsToVector(size));
  attrs.set(ops::Slice::kStride, dimsToVector(stride));
  return addLayer<SliceLayer>(id);
}

GatherLayer* NetworkDefinition::addGather(Tensor& data, Tensor& indices, int32_t axis) {
  int32_t id = graph_->addLayer(LayerType::kGATHER, "", {data.id_, indices.id_}, 1);
  graph_->layers[id].attrs.set(ops::Gather::kAxis, axis);
  return addLayer<GatherLayer>(id);
}

GatherLayer* NetworkDefinition::addGatherV2(Tensor& data, Tensor& indices, GatherMode mode) {
  int32_t id = graph_->addLayer(LayerType::kGATHER, "", {data.id_, indices.id_}, 1);
  graph_->layers[id].attrs.set(ops::Gather::kAxis, 0);
  graph_->layers[id].attrs.set(ops::Gather::kMode, mode);
  return addLayer<GatherLayer>(id);
}

ReduceLayer* NetworkDefinition::addReduce(Tensor& input, ReduceOperation op, uint32_t reduceAxes, bool keepDimensions) {
  int32_t id = graph_->addLayer(LayerType::kREDUCE, "", {input.id_}, 1);
  auto& attrs = graph_->layers[id].attrs;
  attrs.set(ops::Reduce::kOp, op);
  attrs.set(ops::Reduce::kAxes, reduceAxes);
  attrs.set(ops::Reduce::kKeepDims, keepDimensions);
  return addLayer<ReduceLayer>(id);
}

TopKLayer* NetworkDefinition::addTopK(Tensor& input, TopKOperation op, int64_t k, uint32_t reduceAxes) {
  int32_t id = graph_->addLayer(LayerType::kTOPK, "", {input.id_}, 2);
  auto& attrs = graph_->layers[id].attrs;
  attrs.set(ops::TopK::kOp, op);
  attrs.set(ops::TopK::kK, k);
  attrs.set(ops::TopK::kAxes, reduceAxes);
  return addLayer<TopKLayer>(id);
}

ShapeLayer* NetworkDefinition::addShape(Tensor& input) {
  return addLayer<ShapeLayer>(graph_->addLayer(LayerType::kSHAPE, "", {input.id_}, 1));
}

CastLayer* NetworkDefinition::addCast(Tensor& input, DataType toType) {
  if (!isValidDataType(static_cast<int32_t>(toType)))
    throw Error(ErrorCode::kINVALID_ARGUMENT, "invalid cast target type", input.getName());
  int32_t id = graph_->addLayer(LayerType::kCAST, "", {input.id_}, 1);
  graph_->layers[id].attrs.set(ops::Cast::kTo, toType);
  return addLayer<CastLayer>(id);
}

SelectLayer* NetworkDefinition::addSelect(Tensor& condition, Tensor& thenInput, Tensor& elseInput) {
  return addLayer<SelectLayer>(
      graph_->addLayer(LayerType::kSELECT, "", {condition.id_, thenInput.id_, elseInput.id_}, 1));
}

FillLayer* NetworkDefinition::addFill(const Dims& dims, FillOperation op, DataType type) {
  checkDims(dims, "fill", false);
  int32_t id = graph_->addLayer(LayerType::kFILL, "", {}, 1);
  auto& attrs = graph_->layers[id].attrs;
  attrs.set(ops::Fill::kDims, dimsToVector(dims));
  attrs.set(ops::Fill::kOp, op);
  attrs.set(ops::Fill::kType, type);
  return addLayer<FillLayer>(id);
}

ScatterLayer* NetworkDefinition::addScatter(Tensor& data, Tensor& indices, Tensor& updates, ScatterMode mode,
                                            int32_t axis) {
  int32_t id = graph_->addLayer(LayerType::kSCATTER, "", {data.id_, indices.id_, updates.id_}, 1);
  graph_->layers[id].attrs.set(ops::Scatter::kMode, mode);
  graph_->layers[id].attrs.set(ops::Scatter::kAxis, axis);
  return addLayer<ScatterLayer>(id);
}

DeconvolutionLayer* NetworkDefinition::addDeconvolution(Tensor& input, Tensor& kernel, Tensor* bias) {
  std::vector<int32_t> ins = {input.id_, kernel.id_};
  if (bias) ins.push_back(bias->id_);
  return addLayer<DeconvolutionLayer>(graph_->addLayer(LayerType::kDECONVOLUTION, "", ins, 1));
}

NormalizationLayer* NetworkDefinition::addNormalization(Tensor& input, Tensor& scale, Tensor& bias, uint32_t axesMask) {
  int32_t id = graph_->addLayer(LayerType::kNORMALIZATION, "", {input.id_, scale.id_, bias.id_}, 1);
  graph_->layers[id].attrs.set(ops::Normalization::kAxes, axesMask);
  return addLayer<NormalizationLayer>(id);
}

CumulativeLayer* NetworkDefinition::addCumulative(Tensor& input, int32_t axis, CumulativeOperation op, bool exclusive,
                                                  bool reverse) {
  int32_t id = graph_->addLayer(LayerType::kCUMULATIVE, "", {input.id_}, 1);
  auto& attrs = graph_->layers[id].attrs;
  attrs.set(ops::Cumulative::kAxis, axis);
  attrs.set(ops::Cumulative::kOp, op);
  attrs.set(ops::Cumulative::kExclusive, exclusive);
  attrs.set(ops::Cumulative::kReverse, reverse);
  return addLayer<CumulativeLayer>(id);
}

OneHotLayer* NetworkDefinition::addOneHot(Tensor& indices, Tensor& values, Tensor& depth, int32_t axis) {
  int32_t id = graph_->addLayer(LayerType::kONE_HOT, "", {indices.id_, values.id_, depth.id_}, 1);
  graph_->layers[id].attrs.set(ops::OneHot::kAxis, axis);
  return addLayer<OneHotLayer>(id);
}

EinsumLayer* NetworkDefinition::addEinsum(const std::vector<Tensor*>& inputs, const char* equation) {
  if (inputs.empty() || !equation) throw Error(ErrorCode::kINVALID_ARGUMENT, "einsum needs inputs and an equation");
  std::vector<int32_t> ins;
  for (Tensor* t : inputs) {
    if (!t) throw Error(ErrorCode::kINVALID_ARGUMENT, "einsum input is null");
    ins.push_back(t->id_);
  }
  int32_t id = graph_->addLayer(LayerType::kEINSUM, "", ins, 1);
  graph_->layers[id].attrs.set(ops::Einsum::kEquation, equation);
  return addLayer<EinsumLayer>(id);
}

LRNLayer* NetworkDefinition::addLRN(Tensor& input, int64_t windowSize, double alpha, double beta, double k) {
  int32_t id = graph_->addLayer(LayerType::kLRN, "", {input.id_}, 1);
  auto& attrs = graph_->layers[id].attrs;
  attrs.set(ops::LRN::kWindow, windowSize);
  attrs.set(ops::LRN::kAlpha, alpha);
  attrs.set(ops::LRN::kBeta, beta);
  attrs.set(ops::LRN::kK, k);
  return addLayer<LRNLayer>(id);
}

RecurrenceLayer* NetworkDefinition::addRecurrence(Tensor& input, Tensor& weights, Tensor& recurrentWeights,
                                                  RecurrenceCell cell, RecurrenceDirection direction) {
  int32_t nbOutputs = cell == RecurrenceCell::kLSTM ? 3 : 2;
  int32_t id = graph_->addLayer(LayerType::kRECURRENCE, "", {input.id_, weights.id_, recurrentWeights.id_}, nbOutputs);
  auto& attrs = graph_->layers[id].attrs;
  attrs.set(ops::Recurrence::kCell, cell);
  attrs.set(ops::Recurrence::kDirection, direction);
  return addLayer<RecurrenceLayer>(id);
}

GridSampleLayer* NetworkDefinition::addGridSample(Tensor& input, Tensor& grid) {
  int32_t id = graph_->addLayer(LayerType::kGRID_SAMPLE, "", {input.id_, grid.id_}, 1);
  auto& attrs = graph_->layers[id].attrs;
  attrs.set(ops::GridSample::kMode, ResizeMode::kLINEAR);
  attrs.set(ops::GridSample::kPadding, GridSamplePadding::kZEROS);
  attrs.set(ops::GridSample::kAlignCorners, false);
  return addLayer<GridSampleLayer>(id);
}

DeterminantLayer* NetworkDefinition::addDeterminant(Tensor& input) {
  return addLayer<DeterminantLayer>(graph_->addLayer(LayerType::kDETERMINANT, "", {input.id_}, 1));
}

int32_t NetworkDefinition::getNbInputs() const { return static_cast<int32_t>(graph_->inputs.size()); }
Tensor* NetworkDefinition::getInput(int32_t index) const {
  if (index < 0 || index >= getNbInputs()) return nullptr;
  return tensorHandle(graph_->inputs[index]);
}
int32_t NetworkDefinition::getNbOutputs() const { return static_cast<int32_t>(graph_->outputs.size()); }
Tensor* NetworkDefinition::getOutput(int32_t index) const {
  if (index < 0 || index >= getNbOutputs()) return nullptr;
  return tensorHandle(graph_->outputs[index]);
}
int32_t NetworkDefinition::getNbLayers() const { return static_cast<int32_t>(graph_->layerHandles.size()); }
Layer* NetworkDefinition::getLayer(int32_t index) const { return layerHandle(index); }
Tensor* NetworkDefinition::getTensor(const char* name) const {
  if (!name) return nullptr;
  return tensorHandle(graph_->findTensor(name));
}

PluginV3Layer* NetworkDefinition::addPluginV3(const std::vector<Tensor*>& inputs, const IPluginV3& plugin) {
  std::vector<int32_t> ins;
  for (Tensor* t : inputs) {
    if (!t) throw Error(ErrorCode::kINVALID_ARGUMENT, "a plugin input is null");
    ins.push_back(t->id_);
  }
  std::string name = plugin.getPluginName(), version = plugin.getPluginVersion(),
              pluginNamespace = plugin.getPluginNamespace();
  if (!getPluginRegistry().getCreator(name, version, pluginNamespace))
    throw Error(ErrorCode::kINVALID_ARGUMENT,
                "plugin '" + name + "' version '" + version + "' namespace '" + pluginNamespace +
                    "' has no registered creator: register it (KILN_REGISTER_PLUGIN, loadPluginLibrary) so that plans "
                    "can recreate it");
  int32_t nbOutputs = plugin.getNbOutputs();
  if (nbOutputs < 1)
    throw Error(ErrorCode::kINVALID_ARGUMENT, "plugin '" + name + "' has " + std::to_string(nbOutputs) + " outputs");
  int32_t id = graph_->addLayer(LayerType::kPLUGIN, "", ins, nbOutputs);
  auto& attrs = graph_->layers[id].attrs;
  attrs.set(ops::Plugin::kName, name);
  attrs.set(ops::Plugin::kVersion, version);
  if (!pluginNamespace.empty()) attrs.set(ops::Plugin::kNamespace, pluginNamespace);
  PluginFieldCollection fields = plugin.getFieldsToSerialize();
  if (!fields.fields().empty()) attrs.set(ops::Plugin::kFields, ops::encodeFields(fields));
  return addLayer<PluginV3Layer>(id);
}

}  // namespace kiln
