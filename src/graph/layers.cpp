// Layer handles: getters read the layer's attributes; setters write them and re-run shape inference.
#include "kiln/layers.h"

#include <utility>

#include "graph/graph.h"
#include "graph/infer.h"
#include "graph/network_access.h"
#include "kiln/error.h"
#include "kiln/network.h"

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

// Sets attributes together and re-infers; restores the previous state when the new values are rejected.
void updateAttrs(NetworkDefinition& network, int32_t layerId,
                 std::vector<std::pair<const char*, ops::AttrValue>> values) {
  graph::Graph& g = NetworkAccess::graph(network);
  ops::Attrs saved = g.layers[layerId].attrs;
  for (auto& [key, value] : values) g.layers[layerId].attrs.set(key, std::move(value));
  try {
    NetworkAccess::reinferFrom(network, layerId);
  } catch (...) {
    g.layers[layerId].attrs = std::move(saved);
    NetworkAccess::reinferFrom(network, layerId);
    throw;
  }
}

void updateAttr(NetworkDefinition& network, int32_t layerId, const char* key, ops::AttrValue value) {
  updateAttrs(network, layerId, {{key, std::move(value)}});
}

}  // namespace

const char* layerTypeName(LayerType type) {
  switch (type) {
    case LayerType::kCONSTANT: return "Constant";
    case LayerType::kCONVOLUTION: return "Convolution";
    case LayerType::kMATRIX_MULTIPLY: return "MatrixMultiply";
    case LayerType::kELEMENTWISE: return "ElementWise";
    case LayerType::kACTIVATION: return "Activation";
    case LayerType::kUNARY: return "Unary";
    case LayerType::kPOOLING: return "Pooling";
    case LayerType::kSOFTMAX: return "SoftMax";
    case LayerType::kRESIZE: return "Resize";
    case LayerType::kSHUFFLE: return "Shuffle";
    case LayerType::kCONCATENATION: return "Concatenation";
    case LayerType::kSLICE: return "Slice";
    case LayerType::kGATHER: return "Gather";
    case LayerType::kREDUCE: return "Reduce";
    case LayerType::kTOPK: return "TopK";
    case LayerType::kSHAPE: return "Shape";
    case LayerType::kCAST: return "Cast";
    case LayerType::kIDENTITY: return "Identity";
    case LayerType::kSHAPE_VALUES: return "ShapeValues";
    case LayerType::kSELECT: return "Select";
    case LayerType::kFILL: return "Fill";
    case LayerType::kSCATTER: return "Scatter";
    case LayerType::kDECONVOLUTION: return "Deconvolution";
    case LayerType::kNORMALIZATION: return "Normalization";
    case LayerType::kCUMULATIVE: return "Cumulative";
    case LayerType::kONE_HOT: return "OneHot";
    case LayerType::kEINSUM: return "Einsum";
    case LayerType::kLRN: return "LRN";
    case LayerType::kRECURRENCE: return "Recurrence";
    case LayerType::kGRID_SAMPLE: return "GridSample";
    case LayerType::kDETERMINANT: return "Determinant";
    case LayerType::kLAYER_TYPE_COUNT: break;
  }
  return "Unknown";
}

// ---- Layer --------------------------------------------------------------------------------------------------

LayerType Layer::getType() const { return graphOf(network_).layers[id_].type; }
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

void Layer::setIntAttr(const char* key, int64_t value) { updateAttr(*network_, id_, key, value); }
void Layer::setIntsAttr(const char* key, const std::vector<int64_t>& values) {
  updateAttr(*network_, id_, key, values);
}
void Layer::setFloatAttr(const char* key, double value) { updateAttr(*network_, id_, key, value); }
void Layer::setFloatsAttr(const char* key, const std::vector<double>& values) {
  updateAttr(*network_, id_, key, values);
}
int64_t Layer::intAttr(const char* key) const { return graphOf(network_).layers[id_].attrs.getInt(key); }
std::vector<int64_t> Layer::intsAttr(const char* key) const { return graphOf(network_).layers[id_].attrs.getInts(key); }
double Layer::floatAttr(const char* key) const { return graphOf(network_).layers[id_].attrs.getFloat(key); }
std::vector<double> Layer::floatsAttr(const char* key) const {
  return graphOf(network_).layers[id_].attrs.getFloats(key);
}

// ---- Typed layers ---------------------------------------------------------------------------------------------

void ConvolutionLayer::setStrideNd(const Dims& v) { setIntsAttr("stride", toVector(v)); }
Dims ConvolutionLayer::getStrideNd() const { return toDims(intsAttr("stride")); }
void ConvolutionLayer::setPrePadding(const Dims& v) { setIntsAttr("pre_padding", toVector(v)); }
Dims ConvolutionLayer::getPrePadding() const { return toDims(intsAttr("pre_padding")); }
void ConvolutionLayer::setPostPadding(const Dims& v) { setIntsAttr("post_padding", toVector(v)); }
Dims ConvolutionLayer::getPostPadding() const { return toDims(intsAttr("post_padding")); }
void ConvolutionLayer::setPaddingNd(const Dims& v) {
  setPrePadding(v);
  setPostPadding(v);
}
void ConvolutionLayer::setDilationNd(const Dims& v) { setIntsAttr("dilation", toVector(v)); }
Dims ConvolutionLayer::getDilationNd() const { return toDims(intsAttr("dilation")); }
void ConvolutionLayer::setNbGroups(int64_t groups) { setIntAttr("groups", groups); }
void ConvolutionLayer::setPaddingMode(PaddingMode mode) { setIntAttr("padding_mode", static_cast<int64_t>(mode)); }
PaddingMode ConvolutionLayer::getPaddingMode() const { return static_cast<PaddingMode>(intAttr("padding_mode")); }
int64_t ConvolutionLayer::getNbGroups() const {
  const graph::LayerNode& layer = graphOf(network_).layers[id_];
  auto inferred = layer.derived.getInts("inferred_groups");  // set when the kernel's channels imply the groups
  return layer.attrs.getInt("groups", inferred.empty() ? 1 : inferred[0]);
}

void MatrixMultiplyLayer::setOperation(int32_t index, MatrixOperation op) {
  if (index < 0 || index > 1) throw Error(ErrorCode::kINVALID_ARGUMENT, "operand index must be 0 or 1", getName());
  setIntAttr(index == 0 ? "op0" : "op1", static_cast<int64_t>(op));
}
MatrixOperation MatrixMultiplyLayer::getOperation(int32_t index) const {
  return static_cast<MatrixOperation>(intAttr(index == 0 ? "op0" : "op1"));
}

void ElementWiseLayer::setOperation(ElementWiseOperation op) { setIntAttr("op", static_cast<int64_t>(op)); }
ElementWiseOperation ElementWiseLayer::getOperation() const { return static_cast<ElementWiseOperation>(intAttr("op")); }

void ActivationLayer::setActivationType(ActivationType type) { setIntAttr("op", static_cast<int64_t>(type)); }
ActivationType ActivationLayer::getActivationType() const { return static_cast<ActivationType>(intAttr("op")); }
void ActivationLayer::setAlpha(double alpha) { setFloatAttr("alpha", alpha); }
void ActivationLayer::setBeta(double beta) { setFloatAttr("beta", beta); }
double ActivationLayer::getAlpha() const { return floatAttr("alpha"); }
double ActivationLayer::getBeta() const { return floatAttr("beta"); }

void UnaryLayer::setOperation(UnaryOperation op) { setIntAttr("op", static_cast<int64_t>(op)); }
UnaryOperation UnaryLayer::getOperation() const { return static_cast<UnaryOperation>(intAttr("op")); }

void PoolingLayer::setPoolingType(PoolingType type) { setIntAttr("op", static_cast<int64_t>(type)); }
PoolingType PoolingLayer::getPoolingType() const { return static_cast<PoolingType>(intAttr("op")); }
void PoolingLayer::setWindowSizeNd(const Dims& v) { setIntsAttr("window", toVector(v)); }
Dims PoolingLayer::getWindowSizeNd() const { return toDims(intsAttr("window")); }
void PoolingLayer::setStrideNd(const Dims& v) { setIntsAttr("stride", toVector(v)); }
Dims PoolingLayer::getStrideNd() const { return toDims(intsAttr("stride")); }
void PoolingLayer::setPrePadding(const Dims& v) { setIntsAttr("pre_padding", toVector(v)); }
void PoolingLayer::setPostPadding(const Dims& v) { setIntsAttr("post_padding", toVector(v)); }
void PoolingLayer::setPaddingNd(const Dims& v) {
  setPrePadding(v);
  setPostPadding(v);
}
Dims PoolingLayer::getPrePadding() const { return toDims(intsAttr("pre_padding")); }
Dims PoolingLayer::getPostPadding() const { return toDims(intsAttr("post_padding")); }
void PoolingLayer::setDilationNd(const Dims& v) { setIntsAttr("dilation", toVector(v)); }
void PoolingLayer::setAverageCountExcludesPadding(bool exclude) { setIntAttr("exclude_padding", exclude ? 1 : 0); }
bool PoolingLayer::getAverageCountExcludesPadding() const {
  return graphOf(network_).layers[id_].attrs.getInt("exclude_padding", 1) != 0;
}
void PoolingLayer::setCeilMode(bool ceil) { setIntAttr("ceil_mode", ceil ? 1 : 0); }
void PoolingLayer::setPaddingMode(PaddingMode mode) { setIntAttr("padding_mode", static_cast<int64_t>(mode)); }
PaddingMode PoolingLayer::getPaddingMode() const { return static_cast<PaddingMode>(intAttr("padding_mode")); }
void PoolingLayer::setGlobal(bool global) { setIntAttr("global", global ? 1 : 0); }
bool PoolingLayer::getGlobal() const { return intAttr("global") != 0; }
void PoolingLayer::setIndicesColumnMajor(bool columnMajor) { setIntAttr("indices_column_major", columnMajor ? 1 : 0); }

void SoftMaxLayer::setAxes(uint32_t axes) {
  if (axes == 0 || (axes & (axes - 1)) != 0)
    throw Error(ErrorCode::kINVALID_ARGUMENT, "softmax axes must have exactly one bit set", getName());
  int64_t axis = 0;
  while (!(axes & (1u << axis))) ++axis;
  setIntAttr("axis", axis);
}
uint32_t SoftMaxLayer::getAxes() const {
  const auto& attrs = graphOf(network_).layers[id_].attrs;
  int64_t axis = attrs.getInt("axis", -1);
  if (axis < 0)
    axis += static_cast<int64_t>(graphOf(network_).tensors[graphOf(network_).layers[id_].inputs[0]].dims.size());
  return 1u << axis;
}
void SoftMaxLayer::setLog(bool log) { setIntAttr("log", log ? 1 : 0); }

void ResizeLayer::setOutputDimensions(const Dims& dims) { setIntsAttr("output_dims", toVector(dims)); }
Dims ResizeLayer::getOutputDimensions() const { return getOutput(0)->getDimensions(); }
void ResizeLayer::setScales(const float* scales, int32_t count) {
  if (!scales || count <= 0) throw Error(ErrorCode::kINVALID_ARGUMENT, "scales must not be empty", getName());
  setFloatsAttr("scales", std::vector<double>(scales, scales + count));
}
std::vector<float> ResizeLayer::getScales() const {
  auto v = floatsAttr("scales");
  return std::vector<float>(v.begin(), v.end());
}
void ResizeLayer::setResizeMode(ResizeMode mode) { setIntAttr("mode", static_cast<int64_t>(mode)); }
ResizeMode ResizeLayer::getResizeMode() const { return static_cast<ResizeMode>(intAttr("mode")); }
void ResizeLayer::setCoordinateTransformation(ResizeCoordinateTransformation t) {
  setIntAttr("coord", static_cast<int64_t>(t));
}
ResizeCoordinateTransformation ResizeLayer::getCoordinateTransformation() const {
  return static_cast<ResizeCoordinateTransformation>(intAttr("coord"));
}
void ResizeLayer::setNearestRounding(ResizeRoundMode mode) { setIntAttr("round", static_cast<int64_t>(mode)); }
ResizeRoundMode ResizeLayer::getNearestRounding() const { return static_cast<ResizeRoundMode>(intAttr("round")); }
void ResizeLayer::setCubicCoeff(float a) { setFloatAttr("cubic_coeff", a); }
float ResizeLayer::getCubicCoeff() const {
  return static_cast<float>(graphOf(network_).layers[id_].attrs.getFloat("cubic_coeff", -0.75));
}
void ResizeLayer::setExcludeOutside(bool exclude) { setIntAttr("exclude_outside", exclude ? 1 : 0); }
bool ResizeLayer::getExcludeOutside() const { return intAttr("exclude_outside") != 0; }
void ResizeLayer::setAntialias(bool antialias) { setIntAttr("antialias", antialias ? 1 : 0); }
bool ResizeLayer::getAntialias() const { return intAttr("antialias") != 0; }
void ResizeLayer::setRegionOfInterest(const float* roi, int32_t count) {
  if (!roi || count <= 0) throw Error(ErrorCode::kINVALID_ARGUMENT, "region of interest must not be empty", getName());
  setFloatsAttr("roi", std::vector<double>(roi, roi + count));
}
std::vector<float> ResizeLayer::getRegionOfInterest() const {
  auto v = floatsAttr("roi");
  return std::vector<float>(v.begin(), v.end());
}
void ResizeLayer::setExtrapolationValue(float value) { setFloatAttr("extrapolation_value", value); }
float ResizeLayer::getExtrapolationValue() const { return static_cast<float>(floatAttr("extrapolation_value")); }
void ResizeLayer::setCoordinateScales(const float* scales, int32_t count) {
  if (!scales || count <= 0)
    throw Error(ErrorCode::kINVALID_ARGUMENT, "coordinate scales must not be empty", getName());
  setFloatsAttr("coordinate_scales", std::vector<double>(scales, scales + count));
}
std::vector<float> ResizeLayer::getCoordinateScales() const {
  auto v = floatsAttr("coordinate_scales");
  return std::vector<float>(v.begin(), v.end());
}

void ShuffleLayer::setFirstTranspose(const std::vector<int32_t>& p) {
  setIntsAttr("first_perm", std::vector<int64_t>(p.begin(), p.end()));
}
void ShuffleLayer::setReshapeDimensions(const Dims& dims) { setIntsAttr("reshape", toVector(dims)); }
Dims ShuffleLayer::getReshapeDimensions() const { return toDims(intsAttr("reshape")); }
void ShuffleLayer::setSecondTranspose(const std::vector<int32_t>& p) {
  setIntsAttr("second_perm", std::vector<int64_t>(p.begin(), p.end()));
}
void ShuffleLayer::setZeroIsPlaceholder(bool placeholder) { setIntAttr("zero_is_placeholder", placeholder ? 1 : 0); }

void ConcatenationLayer::setAxis(int32_t axis) { setIntAttr("axis", axis); }
int32_t ConcatenationLayer::getAxis() const { return static_cast<int32_t>(intAttr("axis")); }

void SliceLayer::setStart(const Dims& v) { setIntsAttr("start", toVector(v)); }
void SliceLayer::setSize(const Dims& v) { setIntsAttr("size", toVector(v)); }
void SliceLayer::setStride(const Dims& v) { setIntsAttr("stride", toVector(v)); }
Dims SliceLayer::getStart() const { return toDims(intsAttr("start")); }
Dims SliceLayer::getSize() const { return toDims(intsAttr("size")); }
Dims SliceLayer::getStride() const { return toDims(intsAttr("stride")); }

void SliceLayer::setMode(SampleMode mode) { setIntAttr("mode", static_cast<int64_t>(mode)); }
SampleMode SliceLayer::getMode() const { return static_cast<SampleMode>(intAttr("mode")); }

void GatherLayer::setMode(GatherMode mode) { setIntAttr("mode", static_cast<int64_t>(mode)); }
GatherMode GatherLayer::getMode() const { return static_cast<GatherMode>(intAttr("mode")); }
void GatherLayer::setNbElementWiseDims(int32_t count) { setIntAttr("batch_dims", count); }
int32_t GatherLayer::getNbElementWiseDims() const { return static_cast<int32_t>(intAttr("batch_dims")); }

void FillLayer::setDimensions(const Dims& dims) { setIntsAttr("dims", toVector(dims)); }
void FillLayer::setOperation(FillOperation op) { setIntAttr("op", static_cast<int64_t>(op)); }
FillOperation FillLayer::getOperation() const { return static_cast<FillOperation>(intAttr("op")); }
void FillLayer::setAlpha(double alpha) { setFloatAttr("alpha", alpha); }
void FillLayer::setBeta(double beta) { setFloatAttr("beta", beta); }
void FillLayer::setToType(DataType type) { setIntAttr("type", static_cast<int64_t>(type)); }

void ScatterLayer::setMode(ScatterMode mode) { setIntAttr("mode", static_cast<int64_t>(mode)); }
ScatterMode ScatterLayer::getMode() const { return static_cast<ScatterMode>(intAttr("mode")); }
void ScatterLayer::setAxis(int32_t axis) { setIntAttr("axis", axis); }
void ScatterLayer::setReduction(ScatterReduction reduction) {
  setIntAttr("reduction", static_cast<int64_t>(reduction));
}

void DeconvolutionLayer::setStrideNd(const Dims& v) { setIntsAttr("stride", toVector(v)); }
void DeconvolutionLayer::setPrePadding(const Dims& v) { setIntsAttr("pre_padding", toVector(v)); }
void DeconvolutionLayer::setPostPadding(const Dims& v) { setIntsAttr("post_padding", toVector(v)); }
void DeconvolutionLayer::setPaddingNd(const Dims& v) {
  setPrePadding(v);
  setPostPadding(v);
}
void DeconvolutionLayer::setDilationNd(const Dims& v) { setIntsAttr("dilation", toVector(v)); }
void DeconvolutionLayer::setNbGroups(int64_t groups) { setIntAttr("groups", groups); }
void DeconvolutionLayer::setOutputPadding(const Dims& v) { setIntsAttr("output_padding", toVector(v)); }

void NormalizationLayer::setEpsilon(double epsilon) { setFloatAttr("epsilon", epsilon); }
double NormalizationLayer::getEpsilon() const { return graphOf(network_).layers[id_].attrs.getFloat("epsilon", 1e-5); }
void NormalizationLayer::setAxes(uint32_t axesMask) { setIntAttr("axes", axesMask); }
uint32_t NormalizationLayer::getAxes() const { return static_cast<uint32_t>(intAttr("axes")); }
void NormalizationLayer::setNbGroups(int64_t groups) { setIntAttr("groups", groups); }

void CumulativeLayer::setAxis(int32_t axis) { setIntAttr("axis", axis); }
void CumulativeLayer::setExclusive(bool exclusive) { setIntAttr("exclusive", exclusive ? 1 : 0); }
void CumulativeLayer::setReverse(bool reverse) { setIntAttr("reverse", reverse ? 1 : 0); }

void OneHotLayer::setAxis(int32_t axis) { setIntAttr("axis", axis); }

void EinsumLayer::setEquation(const char* equation) {
  if (!equation) throw Error(ErrorCode::kINVALID_ARGUMENT, "equation is null", getName());
  updateAttr(*network_, id_, "equation", std::string(equation));
}

void LRNLayer::setWindowSize(int64_t size) { setIntAttr("window", size); }
void LRNLayer::setAlpha(double alpha) { setFloatAttr("alpha", alpha); }
void LRNLayer::setBeta(double beta) { setFloatAttr("beta", beta); }
void LRNLayer::setK(double k) { setFloatAttr("k", k); }

void RecurrenceLayer::setDirection(RecurrenceDirection direction) {
  setIntAttr("direction", static_cast<int64_t>(direction));
}
RecurrenceDirection RecurrenceLayer::getDirection() const {
  return static_cast<RecurrenceDirection>(intAttr("direction"));
}
void RecurrenceLayer::setBatchFirst(bool batchFirst) { setIntAttr("batch_first", batchFirst ? 1 : 0); }
bool RecurrenceLayer::getBatchFirst() const { return intAttr("batch_first") != 0; }
void RecurrenceLayer::setActivations(const std::vector<ActivationType>& types, const std::vector<double>& alphas,
                                     const std::vector<double>& betas) {
  if (alphas.size() != types.size() || betas.size() != types.size())
    throw Error(ErrorCode::kINVALID_ARGUMENT, "activations need one alpha and one beta each", getName());
  std::vector<int64_t> codes;
  for (ActivationType type : types) codes.push_back(static_cast<int64_t>(type));
  updateAttrs(*network_, id_, {{"activations", codes}, {"activation_alphas", alphas}, {"activation_betas", betas}});
}
void RecurrenceLayer::setClip(double clip) { setFloatAttr("clip", clip); }
void RecurrenceLayer::setLinearBeforeReset(bool linearBeforeReset) {
  setIntAttr("linear_before_reset", linearBeforeReset ? 1 : 0);
}
void RecurrenceLayer::setInputForget(bool inputForget) { setIntAttr("input_forget", inputForget ? 1 : 0); }
void GridSampleLayer::setInterpolationMode(ResizeMode mode) { setIntAttr("mode", static_cast<int64_t>(mode)); }
void GridSampleLayer::setPaddingMode(GridSamplePadding padding) {
  setIntAttr("padding", static_cast<int64_t>(padding));
}
void GridSampleLayer::setAlignCorners(bool alignCorners) { setIntAttr("align_corners", alignCorners ? 1 : 0); }

void GatherLayer::setGatherAxis(int32_t axis) { setIntAttr("axis", axis); }
int32_t GatherLayer::getGatherAxis() const { return static_cast<int32_t>(intAttr("axis")); }

void ReduceLayer::setOperation(ReduceOperation op) { setIntAttr("op", static_cast<int64_t>(op)); }
ReduceOperation ReduceLayer::getOperation() const { return static_cast<ReduceOperation>(intAttr("op")); }
void ReduceLayer::setReduceAxes(uint32_t axes) { setIntAttr("axes", axes); }
uint32_t ReduceLayer::getReduceAxes() const { return static_cast<uint32_t>(intAttr("axes")); }
void ReduceLayer::setKeepDimensions(bool keep) { setIntAttr("keep_dims", keep ? 1 : 0); }
bool ReduceLayer::getKeepDimensions() const { return intAttr("keep_dims") != 0; }

void TopKLayer::setOperation(TopKOperation op) { setIntAttr("op", static_cast<int64_t>(op)); }
void TopKLayer::setK(int64_t k) { setIntAttr("k", k); }
int64_t TopKLayer::getK() const { return intAttr("k"); }
void TopKLayer::setReduceAxes(uint32_t axes) { setIntAttr("axes", axes); }

void CastLayer::setToType(DataType type) {
  if (!isValidDataType(static_cast<int32_t>(type)))
    throw Error(ErrorCode::kINVALID_ARGUMENT, "invalid cast target type", getName());
  setIntAttr("to", static_cast<int64_t>(type));
}
DataType CastLayer::getToType() const { return static_cast<DataType>(intAttr("to")); }

}  // namespace kiln
