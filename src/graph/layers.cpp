// Layer handles: getters read the layer's attributes; setters write them and re-run shape inference.
#include "kiln/layers.h"

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "graph/graph.h"
#include "graph/infer.h"
#include "graph/network_access.h"
#include "kiln/error.h"
#include "kiln/network.h"
#include "ops/convolution.h"
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

using graph::graphOf;
using graph::NetworkAccess;

namespace {

std::vector<int64_t> toVector(const Dims& dims) {
  if (dims.nbDims < 0 || dims.nbDims > Dims::MAX_DIMS)
    throw Error(ErrorCode::kINVALID_ARGUMENT, "rank " + std::to_string(dims.nbDims) + " is outside [0, 8]");
  return std::vector<int64_t>(dims.d, dims.d + dims.nbDims);
}

Dims toDims(const std::vector<int64_t>& values) {
  Dims dims;
  dims.nbDims = static_cast<int32_t>(std::min<size_t>(values.size(), Dims::MAX_DIMS));
  for (int32_t i = 0; i < dims.nbDims; ++i) dims.d[i] = values[i];
  return dims;
}

// Changes attributes together and re-infers; restores the previous state when the new values are rejected.
void updateAttrs(NetworkDefinition& network, int32_t layerId, const std::function<void(ops::Attrs&)>& change) {
  graph::Graph& g = NetworkAccess::graph(network);
  ops::Attrs saved = g.layers[layerId].attrs;
  change(g.layers[layerId].attrs);
  try {
    NetworkAccess::reinferFrom(network, layerId);
  } catch (...) {
    g.layers[layerId].attrs = std::move(saved);
    NetworkAccess::reinferFrom(network, layerId);
    throw;
  }
}

template <ops::AttrKey K>
void setAttr(NetworkDefinition& network, int32_t layerId, const K& key, typename K::Value value) {
  updateAttrs(network, layerId, [&](ops::Attrs& attrs) { attrs.set(key, std::move(value)); });
}

template <ops::AttrKey K>
typename K::Value getAttr(const NetworkDefinition& network, int32_t layerId, const K& key) {
  return NetworkAccess::graph(network).layers[layerId].opAttrs().get(key);
}

std::vector<float> toFloats(const std::vector<double>& values) {
  return std::vector<float>(values.begin(), values.end());
}

std::vector<int32_t> toInt32s(const std::vector<int64_t>& values) {
  return std::vector<int32_t>(values.begin(), values.end());
}

}  // namespace

// ---- Layer --------------------------------------------------------------------------------------------------

LayerType Layer::getType() const { return graphOf(network_).layers[id_].type; }

Weights ConstantLayer::getWeights() const {
  const graph::Graph& graph = graphOf(network_);
  const graph::LayerNode& layer = graph.layers[id_];
  const auto& bytes = graph.blobs.at(static_cast<size_t>(layer.opAttrs().get(ops::Constant::kBlob)));
  DataType type = layer.opAttrs().get(ops::Constant::kType);
  return Weights{type, bytes.data(), static_cast<int64_t>(bytes.size() / dataTypeSize(type))};
}
const char* Layer::getName() const { return graphOf(network_).layers[id_].name.c_str(); }
void Layer::setName(const char* name) {
  if (!name || !*name) throw Error(ErrorCode::kINVALID_ARGUMENT, "layer name must not be empty", getName());
  graphOf(network_).layers[id_].name = name;
}
int32_t Layer::getNbInputs() const { return static_cast<int32_t>(graphOf(network_).layers[id_].inputs.size()); }
Tensor* Layer::getInput(int32_t index) const {
  const auto& ins = graphOf(network_).layers[id_].inputs;
  if (index < 0 || index >= static_cast<int32_t>(ins.size())) return nullptr;
  return NetworkAccess::tensor(*network_, ins[index]);
}
int32_t Layer::getNbOutputs() const { return static_cast<int32_t>(graphOf(network_).layers[id_].outputs.size()); }
Tensor* Layer::getOutput(int32_t index) const {
  const auto& outs = graphOf(network_).layers[id_].outputs;
  if (index < 0 || index >= static_cast<int32_t>(outs.size())) return nullptr;
  return NetworkAccess::tensor(*network_, outs[index]);
}

void Layer::setInput(int32_t index, Tensor& tensor) {
  graph::Graph& g = graphOf(network_);
  graph::LayerNode& layer = g.layers[id_];
  int32_t tensorId = NetworkAccess::id(tensor);
  if (index < 0 || index > 8)
    throw Error(ErrorCode::kINVALID_ARGUMENT, "input index " + std::to_string(index) + " is out of range", layer.name);
  int32_t producer = g.tensors[tensorId].producer;
  if (producer >= id_)
    throw Error(ErrorCode::kINVALID_ARGUMENT,
                std::string("tensor '") + tensor.getName() + "' is produced by a later layer", layer.name);
  std::vector<int32_t> saved = layer.inputs;
  if (index >= static_cast<int32_t>(layer.inputs.size())) layer.inputs.resize(index + 1, -1);
  layer.inputs[index] = tensorId;
  try {
    NetworkAccess::reinferFrom(*network_, id_);
  } catch (...) {
    g.layers[id_].inputs = saved;
    NetworkAccess::reinferFrom(*network_, id_);
    throw;
  }
}

// ---- Typed layers ---------------------------------------------------------------------------------------------

void ConvolutionLayer::setStrideNd(const Dims& v) { setAttr(*network_, id_, ops::Convolution::kStride, toVector(v)); }
Dims ConvolutionLayer::getStrideNd() const { return toDims(getAttr(*network_, id_, ops::Convolution::kStride)); }
void ConvolutionLayer::setPrePadding(const Dims& v) {
  setAttr(*network_, id_, ops::Convolution::kPrePadding, toVector(v));
}
Dims ConvolutionLayer::getPrePadding() const { return toDims(getAttr(*network_, id_, ops::Convolution::kPrePadding)); }
void ConvolutionLayer::setPostPadding(const Dims& v) {
  setAttr(*network_, id_, ops::Convolution::kPostPadding, toVector(v));
}
Dims ConvolutionLayer::getPostPadding() const {
  return toDims(getAttr(*network_, id_, ops::Convolution::kPostPadding));
}
void ConvolutionLayer::setPaddingNd(const Dims& v) {
  setPrePadding(v);
  setPostPadding(v);
}
Dims ConvolutionLayer::getPaddingNd() const { return getPrePadding(); }
void ConvolutionLayer::setDilationNd(const Dims& v) {
  setAttr(*network_, id_, ops::Convolution::kDilation, toVector(v));
}
Dims ConvolutionLayer::getDilationNd() const { return toDims(getAttr(*network_, id_, ops::Convolution::kDilation)); }
void ConvolutionLayer::setNbGroups(int64_t groups) { setAttr(*network_, id_, ops::Convolution::kGroups, groups); }
void ConvolutionLayer::setPaddingMode(PaddingMode mode) {
  setAttr(*network_, id_, ops::Convolution::kPaddingMode, mode);
}
PaddingMode ConvolutionLayer::getPaddingMode() const { return getAttr(*network_, id_, ops::Convolution::kPaddingMode); }
int64_t ConvolutionLayer::getNbGroups() const {
  const graph::LayerNode& layer = graphOf(network_).layers[id_];
  if (auto groups = layer.opAttrs().find(ops::Convolution::kGroups)) return *groups;
  auto inferred = layer.derivedAttrs().get(ops::Convolution::kInferredGroups);
  return inferred.empty() ? ops::Convolution::kGroups.whenAbsent() : inferred[0];
}

void MatrixMultiplyLayer::setOperation(int32_t index, MatrixOperation op) {
  if (index < 0 || index > 1) throw Error(ErrorCode::kINVALID_ARGUMENT, "operand index must be 0 or 1", getName());
  setAttr(*network_, id_, ops::MatrixMultiply::operation(index), op);
}
MatrixOperation MatrixMultiplyLayer::getOperation(int32_t index) const {
  return getAttr(*network_, id_, ops::MatrixMultiply::operation(index));
}

void ElementWiseLayer::setOperation(ElementWiseOperation op) { setAttr(*network_, id_, ops::ElementWise::kOp, op); }
ElementWiseOperation ElementWiseLayer::getOperation() const { return getAttr(*network_, id_, ops::ElementWise::kOp); }

void ActivationLayer::setActivationType(ActivationType type) { setAttr(*network_, id_, ops::Activation::kOp, type); }
ActivationType ActivationLayer::getActivationType() const { return getAttr(*network_, id_, ops::Activation::kOp); }
void ActivationLayer::setAlpha(double alpha) { setAttr(*network_, id_, ops::Activation::kAlpha, alpha); }
void ActivationLayer::setBeta(double beta) { setAttr(*network_, id_, ops::Activation::kBeta, beta); }
// 0 when unset (the kernels then take the type's default).
double ActivationLayer::getAlpha() const {
  return graphOf(network_).layers[id_].opAttrs().find(ops::Activation::kAlpha).value_or(0.0);
}
double ActivationLayer::getBeta() const {
  return graphOf(network_).layers[id_].opAttrs().find(ops::Activation::kBeta).value_or(0.0);
}

void UnaryLayer::setOperation(UnaryOperation op) { setAttr(*network_, id_, ops::Unary::kOp, op); }
UnaryOperation UnaryLayer::getOperation() const { return getAttr(*network_, id_, ops::Unary::kOp); }

void PoolingLayer::setPoolingType(PoolingType type) { setAttr(*network_, id_, ops::Pooling::kOp, type); }
PoolingType PoolingLayer::getPoolingType() const { return getAttr(*network_, id_, ops::Pooling::kOp); }
void PoolingLayer::setWindowSizeNd(const Dims& v) { setAttr(*network_, id_, ops::Pooling::kWindow, toVector(v)); }
Dims PoolingLayer::getWindowSizeNd() const { return toDims(getAttr(*network_, id_, ops::Pooling::kWindow)); }
void PoolingLayer::setStrideNd(const Dims& v) { setAttr(*network_, id_, ops::Pooling::kStride, toVector(v)); }
Dims PoolingLayer::getStrideNd() const { return toDims(getAttr(*network_, id_, ops::Pooling::kStride)); }
void PoolingLayer::setPrePadding(const Dims& v) { setAttr(*network_, id_, ops::Pooling::kPrePadding, toVector(v)); }
void PoolingLayer::setPostPadding(const Dims& v) { setAttr(*network_, id_, ops::Pooling::kPostPadding, toVector(v)); }
void PoolingLayer::setPaddingNd(const Dims& v) {
  setPrePadding(v);
  setPostPadding(v);
}
Dims PoolingLayer::getPaddingNd() const { return getPrePadding(); }
Dims PoolingLayer::getPrePadding() const { return toDims(getAttr(*network_, id_, ops::Pooling::kPrePadding)); }
Dims PoolingLayer::getPostPadding() const { return toDims(getAttr(*network_, id_, ops::Pooling::kPostPadding)); }
void PoolingLayer::setDilationNd(const Dims& v) { setAttr(*network_, id_, ops::Pooling::kDilation, toVector(v)); }
Dims PoolingLayer::getDilationNd() const { return toDims(getAttr(*network_, id_, ops::Pooling::kDilation)); }
void PoolingLayer::setAverageCountExcludesPadding(bool exclude) {
  setAttr(*network_, id_, ops::Pooling::kExcludePadding, exclude);
}
bool PoolingLayer::getAverageCountExcludesPadding() const {
  return getAttr(*network_, id_, ops::Pooling::kExcludePadding);
}
void PoolingLayer::setCeilMode(bool ceil) { setAttr(*network_, id_, ops::Pooling::kCeilMode, ceil); }
bool PoolingLayer::getCeilMode() const { return getAttr(*network_, id_, ops::Pooling::kCeilMode); }
void PoolingLayer::setPaddingMode(PaddingMode mode) { setAttr(*network_, id_, ops::Pooling::kPaddingMode, mode); }
PaddingMode PoolingLayer::getPaddingMode() const { return getAttr(*network_, id_, ops::Pooling::kPaddingMode); }
void PoolingLayer::setGlobal(bool global) { setAttr(*network_, id_, ops::Pooling::kGlobal, global); }
bool PoolingLayer::getGlobal() const { return getAttr(*network_, id_, ops::Pooling::kGlobal); }
void PoolingLayer::setIndicesColumnMajor(bool columnMajor) {
  setAttr(*network_, id_, ops::Pooling::kIndicesColumnMajor, columnMajor);
}
bool PoolingLayer::getIndicesColumnMajor() const { return getAttr(*network_, id_, ops::Pooling::kIndicesColumnMajor); }

void SoftMaxLayer::setAxes(uint32_t axes) {
  if (axes == 0 || (axes & (axes - 1)) != 0)
    throw Error(ErrorCode::kINVALID_ARGUMENT, "softmax axes must have exactly one bit set", getName());
  int64_t axis = 0;
  while (!(axes & (1u << axis))) ++axis;
  setAttr(*network_, id_, ops::SoftMax::kAxis, axis);
}
uint32_t SoftMaxLayer::getAxes() const {
  const graph::Graph& g = graphOf(network_);
  int64_t axis = getAttr(*network_, id_, ops::SoftMax::kAxis);
  if (axis < 0) axis += static_cast<int64_t>(g.tensors[g.layers[id_].inputs[0]].dims.size());
  return 1u << axis;
}
void SoftMaxLayer::setLog(bool log) { setAttr(*network_, id_, ops::SoftMax::kLog, log); }
bool SoftMaxLayer::getLog() const { return getAttr(*network_, id_, ops::SoftMax::kLog); }

void ResizeLayer::setOutputDimensions(const Dims& dims) {
  setAttr(*network_, id_, ops::Resize::kOutputDims, toVector(dims));
}
Dims ResizeLayer::getOutputDimensions() const { return getOutput(0)->getDimensions(); }
void ResizeLayer::setScales(const float* scales, int32_t count) {
  if (!scales || count <= 0) throw Error(ErrorCode::kINVALID_ARGUMENT, "scales must not be empty", getName());
  setAttr(*network_, id_, ops::Resize::kScales, std::vector<double>(scales, scales + count));
}
std::vector<float> ResizeLayer::getScales() const { return toFloats(getAttr(*network_, id_, ops::Resize::kScales)); }
void ResizeLayer::setResizeMode(ResizeMode mode) { setAttr(*network_, id_, ops::Resize::kMode, mode); }
ResizeMode ResizeLayer::getResizeMode() const { return getAttr(*network_, id_, ops::Resize::kMode); }
void ResizeLayer::setCoordinateTransformation(ResizeCoordinateTransformation t) {
  setAttr(*network_, id_, ops::Resize::kCoordinateTransformation, t);
}
ResizeCoordinateTransformation ResizeLayer::getCoordinateTransformation() const {
  return getAttr(*network_, id_, ops::Resize::kCoordinateTransformation);
}
void ResizeLayer::setNearestRounding(ResizeRoundMode mode) {
  setAttr(*network_, id_, ops::Resize::kNearestRounding, mode);
}
ResizeRoundMode ResizeLayer::getNearestRounding() const {
  return getAttr(*network_, id_, ops::Resize::kNearestRounding);
}
void ResizeLayer::setCubicCoeff(float a) { setAttr(*network_, id_, ops::Resize::kCubicCoeff, a); }
float ResizeLayer::getCubicCoeff() const {
  return static_cast<float>(getAttr(*network_, id_, ops::Resize::kCubicCoeff));
}
void ResizeLayer::setExcludeOutside(bool exclude) { setAttr(*network_, id_, ops::Resize::kExcludeOutside, exclude); }
bool ResizeLayer::getExcludeOutside() const { return getAttr(*network_, id_, ops::Resize::kExcludeOutside); }
void ResizeLayer::setAntialias(bool antialias) { setAttr(*network_, id_, ops::Resize::kAntialias, antialias); }
bool ResizeLayer::getAntialias() const { return getAttr(*network_, id_, ops::Resize::kAntialias); }
void ResizeLayer::setRegionOfInterest(const float* roi, int32_t count) {
  if (!roi || count <= 0) throw Error(ErrorCode::kINVALID_ARGUMENT, "region of interest must not be empty", getName());
  setAttr(*network_, id_, ops::Resize::kRegionOfInterest, std::vector<double>(roi, roi + count));
}
std::vector<float> ResizeLayer::getRegionOfInterest() const {
  return toFloats(getAttr(*network_, id_, ops::Resize::kRegionOfInterest));
}
void ResizeLayer::setExtrapolationValue(float value) {
  setAttr(*network_, id_, ops::Resize::kExtrapolationValue, value);
}
float ResizeLayer::getExtrapolationValue() const {
  return static_cast<float>(getAttr(*network_, id_, ops::Resize::kExtrapolationValue));
}
void ResizeLayer::setCoordinateScales(const float* scales, int32_t count) {
  if (!scales || count <= 0)
    throw Error(ErrorCode::kINVALID_ARGUMENT, "coordinate scales must not be empty", getName());
  setAttr(*network_, id_, ops::Resize::kCoordinateScales, std::vector<double>(scales, scales + count));
}
std::vector<float> ResizeLayer::getCoordinateScales() const {
  return toFloats(getAttr(*network_, id_, ops::Resize::kCoordinateScales));
}

void ShuffleLayer::setFirstTranspose(const std::vector<int32_t>& p) {
  setAttr(*network_, id_, ops::Shuffle::kFirstPerm, std::vector<int64_t>(p.begin(), p.end()));
}
std::vector<int32_t> ShuffleLayer::getFirstTranspose() const {
  return toInt32s(getAttr(*network_, id_, ops::Shuffle::kFirstPerm));
}
void ShuffleLayer::setReshapeDimensions(const Dims& dims) {
  setAttr(*network_, id_, ops::Shuffle::kReshape, toVector(dims));
}
Dims ShuffleLayer::getReshapeDimensions() const { return toDims(getAttr(*network_, id_, ops::Shuffle::kReshape)); }
void ShuffleLayer::setSecondTranspose(const std::vector<int32_t>& p) {
  setAttr(*network_, id_, ops::Shuffle::kSecondPerm, std::vector<int64_t>(p.begin(), p.end()));
}
std::vector<int32_t> ShuffleLayer::getSecondTranspose() const {
  return toInt32s(getAttr(*network_, id_, ops::Shuffle::kSecondPerm));
}
void ShuffleLayer::setZeroIsPlaceholder(bool placeholder) {
  setAttr(*network_, id_, ops::Shuffle::kZeroIsPlaceholder, placeholder);
}
bool ShuffleLayer::getZeroIsPlaceholder() const { return getAttr(*network_, id_, ops::Shuffle::kZeroIsPlaceholder); }

void ConcatenationLayer::setAxis(int32_t axis) { setAttr(*network_, id_, ops::Concatenation::kAxis, axis); }
int32_t ConcatenationLayer::getAxis() const {
  return static_cast<int32_t>(getAttr(*network_, id_, ops::Concatenation::kAxis));
}

void SliceLayer::setStart(const Dims& v) { setAttr(*network_, id_, ops::Slice::kStart, toVector(v)); }
void SliceLayer::setSize(const Dims& v) { setAttr(*network_, id_, ops::Slice::kSize, toVector(v)); }
void SliceLayer::setStride(const Dims& v) { setAttr(*network_, id_, ops::Slice::kStride, toVector(v)); }
Dims SliceLayer::getStart() const { return toDims(getAttr(*network_, id_, ops::Slice::kStart)); }
Dims SliceLayer::getSize() const { return toDims(getAttr(*network_, id_, ops::Slice::kSize)); }
Dims SliceLayer::getStride() const { return toDims(getAttr(*network_, id_, ops::Slice::kStride)); }

void SliceLayer::setMode(SampleMode mode) { setAttr(*network_, id_, ops::Slice::kMode, mode); }
SampleMode SliceLayer::getMode() const { return getAttr(*network_, id_, ops::Slice::kMode); }

void GatherLayer::setMode(GatherMode mode) { setAttr(*network_, id_, ops::Gather::kMode, mode); }
GatherMode GatherLayer::getMode() const { return getAttr(*network_, id_, ops::Gather::kMode); }
void GatherLayer::setNbElementWiseDims(int32_t count) { setAttr(*network_, id_, ops::Gather::kBatchDims, count); }
int32_t GatherLayer::getNbElementWiseDims() const {
  return static_cast<int32_t>(getAttr(*network_, id_, ops::Gather::kBatchDims));
}

void FillLayer::setDimensions(const Dims& dims) { setAttr(*network_, id_, ops::Fill::kDims, toVector(dims)); }
Dims FillLayer::getDimensions() const { return toDims(getAttr(*network_, id_, ops::Fill::kDims)); }
void FillLayer::setOperation(FillOperation op) { setAttr(*network_, id_, ops::Fill::kOp, op); }
FillOperation FillLayer::getOperation() const { return getAttr(*network_, id_, ops::Fill::kOp); }
void FillLayer::setAlpha(double alpha) { setAttr(*network_, id_, ops::Fill::kAlpha, alpha); }
double FillLayer::getAlpha() const { return getAttr(*network_, id_, ops::Fill::kAlpha); }
void FillLayer::setBeta(double beta) { setAttr(*network_, id_, ops::Fill::kBeta, beta); }
double FillLayer::getBeta() const { return getAttr(*network_, id_, ops::Fill::kBeta); }
void FillLayer::setToType(DataType type) { setAttr(*network_, id_, ops::Fill::kType, type); }
DataType FillLayer::getToType() const { return getAttr(*network_, id_, ops::Fill::kType); }

void ScatterLayer::setMode(ScatterMode mode) { setAttr(*network_, id_, ops::Scatter::kMode, mode); }
ScatterMode ScatterLayer::getMode() const { return getAttr(*network_, id_, ops::Scatter::kMode); }
void ScatterLayer::setAxis(int32_t axis) { setAttr(*network_, id_, ops::Scatter::kAxis, axis); }
int32_t ScatterLayer::getAxis() const { return static_cast<int32_t>(getAttr(*network_, id_, ops::Scatter::kAxis)); }
void ScatterLayer::setReduction(ScatterReduction reduction) {
  setAttr(*network_, id_, ops::Scatter::kReduction, reduction);
}
ScatterReduction ScatterLayer::getReduction() const { return getAttr(*network_, id_, ops::Scatter::kReduction); }

void DeconvolutionLayer::setStrideNd(const Dims& v) {
  setAttr(*network_, id_, ops::Deconvolution::kStride, toVector(v));
}
Dims DeconvolutionLayer::getStrideNd() const { return toDims(getAttr(*network_, id_, ops::Deconvolution::kStride)); }
void DeconvolutionLayer::setPrePadding(const Dims& v) {
  setAttr(*network_, id_, ops::Deconvolution::kPrePadding, toVector(v));
}
Dims DeconvolutionLayer::getPrePadding() const {
  return toDims(getAttr(*network_, id_, ops::Deconvolution::kPrePadding));
}
void DeconvolutionLayer::setPostPadding(const Dims& v) {
  setAttr(*network_, id_, ops::Deconvolution::kPostPadding, toVector(v));
}
Dims DeconvolutionLayer::getPostPadding() const {
  return toDims(getAttr(*network_, id_, ops::Deconvolution::kPostPadding));
}
void DeconvolutionLayer::setPaddingNd(const Dims& v) {
  setPrePadding(v);
  setPostPadding(v);
}
Dims DeconvolutionLayer::getPaddingNd() const { return getPrePadding(); }
void DeconvolutionLayer::setDilationNd(const Dims& v) {
  setAttr(*network_, id_, ops::Deconvolution::kDilation, toVector(v));
}
Dims DeconvolutionLayer::getDilationNd() const {
  return toDims(getAttr(*network_, id_, ops::Deconvolution::kDilation));
}
void DeconvolutionLayer::setNbGroups(int64_t groups) { setAttr(*network_, id_, ops::Deconvolution::kGroups, groups); }
int64_t DeconvolutionLayer::getNbGroups() const { return getAttr(*network_, id_, ops::Deconvolution::kGroups); }
void DeconvolutionLayer::setOutputPadding(const Dims& v) {
  setAttr(*network_, id_, ops::Deconvolution::kOutputPadding, toVector(v));
}
Dims DeconvolutionLayer::getOutputPadding() const {
  return toDims(getAttr(*network_, id_, ops::Deconvolution::kOutputPadding));
}

void NormalizationLayer::setEpsilon(double epsilon) { setAttr(*network_, id_, ops::Normalization::kEpsilon, epsilon); }
double NormalizationLayer::getEpsilon() const { return getAttr(*network_, id_, ops::Normalization::kEpsilon); }
void NormalizationLayer::setAxes(uint32_t axesMask) { setAttr(*network_, id_, ops::Normalization::kAxes, axesMask); }
uint32_t NormalizationLayer::getAxes() const {
  return static_cast<uint32_t>(getAttr(*network_, id_, ops::Normalization::kAxes));
}
void NormalizationLayer::setNbGroups(int64_t groups) { setAttr(*network_, id_, ops::Normalization::kGroups, groups); }
int64_t NormalizationLayer::getNbGroups() const { return getAttr(*network_, id_, ops::Normalization::kGroups); }

void CumulativeLayer::setAxis(int32_t axis) { setAttr(*network_, id_, ops::Cumulative::kAxis, axis); }
int32_t CumulativeLayer::getAxis() const {
  return static_cast<int32_t>(getAttr(*network_, id_, ops::Cumulative::kAxis));
}
void CumulativeLayer::setExclusive(bool exclusive) { setAttr(*network_, id_, ops::Cumulative::kExclusive, exclusive); }
bool CumulativeLayer::getExclusive() const { return getAttr(*network_, id_, ops::Cumulative::kExclusive); }
void CumulativeLayer::setReverse(bool reverse) { setAttr(*network_, id_, ops::Cumulative::kReverse, reverse); }
bool CumulativeLayer::getReverse() const { return getAttr(*network_, id_, ops::Cumulative::kReverse); }

void OneHotLayer::setAxis(int32_t axis) { setAttr(*network_, id_, ops::OneHot::kAxis, axis); }
int32_t OneHotLayer::getAxis() const { return static_cast<int32_t>(getAttr(*network_, id_, ops::OneHot::kAxis)); }

std::string PluginV3Layer::getPluginName() const { return getAttr(*network_, id_, ops::Plugin::kName); }
std::string PluginV3Layer::getPluginVersion() const { return getAttr(*network_, id_, ops::Plugin::kVersion); }
std::string PluginV3Layer::getPluginNamespace() const { return getAttr(*network_, id_, ops::Plugin::kNamespace); }
PluginFieldCollection PluginV3Layer::getPluginFields() const {
  const graph::LayerNode& layer = graphOf(network_).layers[id_];
  return ops::decodeFields(layer.opAttrs().get(ops::Plugin::kFields), layer.opRef());
}

void EinsumLayer::setEquation(const char* equation) {
  if (!equation) throw Error(ErrorCode::kINVALID_ARGUMENT, "equation is null", getName());
  setAttr(*network_, id_, ops::Einsum::kEquation, equation);
}
// Points into the stored attribute (a copy would not outlive the call).
const char* EinsumLayer::getEquation() const {
  const auto& values = graphOf(network_).layers[id_].attrs.values();
  auto stored = values.find(std::string_view(ops::Einsum::kEquation.name));
  const auto* equation = stored == values.end() ? nullptr : std::get_if<std::string>(&stored->second);
  return equation ? equation->c_str() : "";
}

void LRNLayer::setWindowSize(int64_t size) { setAttr(*network_, id_, ops::LRN::kWindow, size); }
int64_t LRNLayer::getWindowSize() const { return getAttr(*network_, id_, ops::LRN::kWindow); }
void LRNLayer::setAlpha(double alpha) { setAttr(*network_, id_, ops::LRN::kAlpha, alpha); }
double LRNLayer::getAlpha() const { return getAttr(*network_, id_, ops::LRN::kAlpha); }
void LRNLayer::setBeta(double beta) { setAttr(*network_, id_, ops::LRN::kBeta, beta); }
double LRNLayer::getBeta() const { return getAttr(*network_, id_, ops::LRN::kBeta); }
void LRNLayer::setK(double k) { setAttr(*network_, id_, ops::LRN::kK, k); }
double LRNLayer::getK() const { return getAttr(*network_, id_, ops::LRN::kK); }

void RecurrenceLayer::setDirection(RecurrenceDirection direction) {
  setAttr(*network_, id_, ops::Recurrence::kDirection, direction);
}
RecurrenceDirection RecurrenceLayer::getDirection() const {
  return getAttr(*network_, id_, ops::Recurrence::kDirection);
}
void RecurrenceLayer::setBatchFirst(bool batchFirst) {
  setAttr(*network_, id_, ops::Recurrence::kBatchFirst, batchFirst);
}
bool RecurrenceLayer::getBatchFirst() const { return getAttr(*network_, id_, ops::Recurrence::kBatchFirst); }
void RecurrenceLayer::setActivations(const std::vector<ActivationType>& types, const std::vector<double>& alphas,
                                     const std::vector<double>& betas) {
  if (alphas.size() != types.size() || betas.size() != types.size())
    throw Error(ErrorCode::kINVALID_ARGUMENT, "activations need one alpha and one beta each", getName());
  std::vector<int64_t> codes;
  for (ActivationType type : types) codes.push_back(static_cast<int64_t>(type));
  updateAttrs(*network_, id_, [&](ops::Attrs& attrs) {
    attrs.set(ops::Recurrence::kActivations, codes);
    attrs.set(ops::Recurrence::kActivationAlphas, alphas);
    attrs.set(ops::Recurrence::kActivationBetas, betas);
  });
}
// Without set activations the kernels run the cell's defaults for each direction, with the functions' own
// parameters (alpha and beta 0).
std::vector<ActivationType> RecurrenceLayer::getActivations() const {
  if (auto codes = graphOf(network_).layers[id_].opAttrs().find(ops::Recurrence::kActivations)) {
    std::vector<ActivationType> types;
    for (int64_t code : *codes) types.push_back(static_cast<ActivationType>(code));
    return types;
  }
  return ops::defaultRecurrenceActivations(getAttr(*network_, id_, ops::Recurrence::kCell),
                                           getDirection() == RecurrenceDirection::kBIDIRECTIONAL ? 2 : 1);
}
std::vector<double> RecurrenceLayer::getActivationAlphas() const {
  if (auto alphas = graphOf(network_).layers[id_].opAttrs().find(ops::Recurrence::kActivationAlphas)) return *alphas;
  return std::vector<double>(getActivations().size(), 0.0);
}
std::vector<double> RecurrenceLayer::getActivationBetas() const {
  if (auto betas = graphOf(network_).layers[id_].opAttrs().find(ops::Recurrence::kActivationBetas)) return *betas;
  return std::vector<double>(getActivations().size(), 0.0);
}
void RecurrenceLayer::setClip(double clip) { setAttr(*network_, id_, ops::Recurrence::kClip, clip); }
double RecurrenceLayer::getClip() const { return getAttr(*network_, id_, ops::Recurrence::kClip); }
void RecurrenceLayer::setLinearBeforeReset(bool linearBeforeReset) {
  setAttr(*network_, id_, ops::Recurrence::kLinearBeforeReset, linearBeforeReset);
}
bool RecurrenceLayer::getLinearBeforeReset() const {
  return getAttr(*network_, id_, ops::Recurrence::kLinearBeforeReset);
}
void RecurrenceLayer::setInputForget(bool inputForget) {
  setAttr(*network_, id_, ops::Recurrence::kInputForget, inputForget);
}
bool RecurrenceLayer::getInputForget() const { return getAttr(*network_, id_, ops::Recurrence::kInputForget); }
void GridSampleLayer::setInterpolationMode(ResizeMode mode) { setAttr(*network_, id_, ops::GridSample::kMode, mode); }
ResizeMode GridSampleLayer::getInterpolationMode() const { return getAttr(*network_, id_, ops::GridSample::kMode); }
void GridSampleLayer::setPaddingMode(GridSamplePadding padding) {
  setAttr(*network_, id_, ops::GridSample::kPadding, padding);
}
GridSamplePadding GridSampleLayer::getPaddingMode() const { return getAttr(*network_, id_, ops::GridSample::kPadding); }
void GridSampleLayer::setAlignCorners(bool alignCorners) {
  setAttr(*network_, id_, ops::GridSample::kAlignCorners, alignCorners);
}
bool GridSampleLayer::getAlignCorners() const { return getAttr(*network_, id_, ops::GridSample::kAlignCorners); }

void GatherLayer::setGatherAxis(int32_t axis) { setAttr(*network_, id_, ops::Gather::kAxis, axis); }
int32_t GatherLayer::getGatherAxis() const { return static_cast<int32_t>(getAttr(*network_, id_, ops::Gather::kAxis)); }

void ReduceLayer::setOperation(ReduceOperation op) { setAttr(*network_, id_, ops::Reduce::kOp, op); }
ReduceOperation ReduceLayer::getOperation() const { return getAttr(*network_, id_, ops::Reduce::kOp); }
void ReduceLayer::setReduceAxes(uint32_t axes) { setAttr(*network_, id_, ops::Reduce::kAxes, axes); }
uint32_t ReduceLayer::getReduceAxes() const {
  return static_cast<uint32_t>(getAttr(*network_, id_, ops::Reduce::kAxes));
}
void ReduceLayer::setKeepDimensions(bool keep) { setAttr(*network_, id_, ops::Reduce::kKeepDims, keep); }
bool ReduceLayer::getKeepDimensions() const { return getAttr(*network_, id_, ops::Reduce::kKeepDims); }

void TopKLayer::setOperation(TopKOperation op) { setAttr(*network_, id_, ops::TopK::kOp, op); }
TopKOperation TopKLayer::getOperation() const { return getAttr(*network_, id_, ops::TopK::kOp); }
void TopKLayer::setK(int64_t k) { setAttr(*network_, id_, ops::TopK::kK, k); }
int64_t TopKLayer::getK() const { return getAttr(*network_, id_, ops::TopK::kK); }
void TopKLayer::setReduceAxes(uint32_t axes) { setAttr(*network_, id_, ops::TopK::kAxes, axes); }
uint32_t TopKLayer::getReduceAxes() const { return static_cast<uint32_t>(getAttr(*network_, id_, ops::TopK::kAxes)); }

void CastLayer::setToType(DataType type) {
  if (!isValidDataType(static_cast<int32_t>(type)))
    throw Error(ErrorCode::kINVALID_ARGUMENT, "invalid cast target type", getName());
  setAttr(*network_, id_, ops::Cast::kTo, type);
}
DataType CastLayer::getToType() const { return getAttr(*network_, id_, ops::Cast::kTo); }

}  // namespace kiln
