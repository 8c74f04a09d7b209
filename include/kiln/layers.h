// Layer kinds of a network definition and the settings each kind exposes.
// Every setter re-runs shape inference from the layer onward and throws kiln::Error
// (naming the layer) when the new setting makes the graph impossible; the old value is kept then.
#pragma once

#include <cstdint>
#include <vector>

#include "kiln/plugin.h"
#include "kiln/types.h"

namespace kiln {

class NetworkDefinition;
class Tensor;
namespace graph {
// The library's accessor to a network's internals (src/graph/network_access.h); not part of the API.
class NetworkAccess;
}  // namespace graph

// The kind of a layer (Layer::getType); the values are stored in plans.
enum class LayerType : int32_t {
  // One per layer class: kCONSTANT is a ConstantLayer, kCONVOLUTION a ConvolutionLayer, and so on.
  kCONSTANT,
  kCONVOLUTION,
  kMATRIX_MULTIPLY,
  kELEMENTWISE,
  kACTIVATION,
  kUNARY,
  kPOOLING,
  kSOFTMAX,
  kRESIZE,
  kSHUFFLE,
  kCONCATENATION,
  kSLICE,
  kGATHER,
  kREDUCE,
  kTOPK,
  kSHAPE,
  kCAST,
  kIDENTITY,
  kSHAPE_VALUES,  // internal: a shape-valued tensor materialized by the builder; no network has one
  // As above: kSELECT is a SelectLayer, and so on.
  kSELECT,
  kFILL,
  kSCATTER,
  kDECONVOLUTION,
  kNORMALIZATION,
  kCUMULATIVE,
  kONE_HOT,
  kEINSUM,
  kLRN,
  kRECURRENCE,
  kGRID_SAMPLE,
  kDETERMINANT,
  kPLUGIN,
  kLAYER_TYPE_COUNT  // not a layer: the number of layer types
};
// The type's name as layer names and messages use it ("Convolution", "MatrixMultiply", ...); "Unknown" otherwise.
const char* layerTypeName(LayerType type);

// What an ElementWiseLayer computes from a and b.
enum class ElementWiseOperation : int32_t {
  // a + b, a * b, max(a, b), min(a, b), a - b, a / b (integers truncate toward zero), a to the power b.
  kSUM,
  kPROD,
  kMAX,
  kMIN,
  kSUB,
  kDIV,
  kPOW,
  kFLOOR_DIV,  // floor(a / b)
  // Logical and, or, xor of bool tensors.
  kAND,
  kOR,
  kXOR,
  // a == b, a > b, a < b, giving bool.
  kEQUAL,
  kGREATER,
  kLESS,
  kMOD,          // remainder with the sign of b (Python's %, ONNX Mod fmod=0)
  kFMOD,         // remainder with the sign of a (C's fmod, ONNX Mod fmod=1)
  kSHIFT_LEFT,   // unsigned integers; a shift by the bit width or more gives 0
  kSHIFT_RIGHT,  // unsigned integers; a shift by the bit width or more gives 0
};
// The function an ActivationLayer applies; alpha and beta (ActivationLayer::setAlpha/setBeta) parameterize some.
enum class ActivationType : int32_t {
  // max(x, 0), 1 / (1 + exp(-x)), tanh(x).
  kRELU,
  kSIGMOID,
  kTANH,
  kLEAKY_RELU,        // x < 0 ? alpha * x : x
  kELU,               // x < 0 ? alpha * (exp(x) - 1) : x
  kSELU,              // beta * (x < 0 ? alpha * (exp(x) - 1) : x)
  kSOFTSIGN,          // x / (1 + |x|)
  kSOFTPLUS,          // alpha * log(exp(beta * x) + 1)
  kCLIP,              // min(max(x, alpha), beta)
  kHARD_SIGMOID,      // max(0, min(1, alpha * x + beta))
  kSCALED_TANH,       // alpha * tanh(beta * x)
  kTHRESHOLDED_RELU,  // x > alpha ? x : 0
  kGELU_ERF,          // x * (1 + erf(x / sqrt(2))) / 2
  kGELU_TANH,         // GELU's tanh approximation
};
// The function a UnaryLayer applies to each element.
enum class UnaryOperation : int32_t {
  // Elementary functions, named as in C (kRECIP is 1 / x, kNEG is -x).
  kEXP,
  kLOG,
  kSQRT,
  kRECIP,
  kABS,
  kNEG,
  kSIN,
  kCOS,
  kTAN,
  kSINH,
  kCOSH,
  kASIN,
  kACOS,
  kATAN,
  kASINH,
  kACOSH,
  kATANH,
  kCEIL,
  kFLOOR,
  kERF,
  kNOT,    // logical not of a bool tensor
  kSIGN,   // -1, 0 or 1
  kROUND,  // to the nearest integer, halves to even
  kISINF,  // bool: the element is infinite
  kISNAN,  // bool: the element is NaN
};
// The maximum or the average of each window.
enum class PoolingType : int32_t { kMAX, kAVERAGE };
// How convolution and pooling pad: kEXPLICIT uses the pre/post padding; kSAME_UPPER and kSAME_LOWER pad just enough
// for output = ceil(input / stride), computed from the input shape at run time, the odd element at the end (upper)
// or the start (lower), as ONNX auto_pad. The SAME modes ignore the explicit padding.
enum class PaddingMode : int32_t { kEXPLICIT, kSAME_UPPER, kSAME_LOWER };
// How a ReduceLayer combines the reduced elements: sum, product, maximum, minimum, mean.
enum class ReduceOperation : int32_t { kSUM, kPROD, kMAX, kMIN, kAVG };
// Whether a TopKLayer keeps the largest or the smallest values.
enum class TopKOperation : int32_t { kMAX, kMIN };
// How a MatrixMultiplyLayer reads an operand: as is, or with its last two axes swapped.
enum class MatrixOperation : int32_t { kNONE, kTRANSPOSE };
// kLINEAR and kCUBIC interpolate along every resized axis (bilinear/bicubic for 2-D, and so on).
enum class ResizeMode : int32_t { kNEAREST, kLINEAR, kCUBIC };
// How an output coordinate maps to an input coordinate (ONNX Resize's coordinate_transformation_mode).
// kTF_CROP_AND_RESIZE samples the region of interest and writes the extrapolation value outside the input.
enum class ResizeCoordinateTransformation : int32_t {
  // ONNX's half_pixel, asymmetric, align_corners, pytorch_half_pixel, tf_half_pixel_for_nn, tf_crop_and_resize and
  // half_pixel_symmetric, in that order.
  kHALF_PIXEL,
  kASYMMETRIC,
  kALIGN_CORNERS,
  kPYTORCH_HALF_PIXEL,
  kTF_HALF_PIXEL_FOR_NN,
  kTF_CROP_AND_RESIZE,
  kHALF_PIXEL_SYMMETRIC,
};
// How kNEAREST resizing rounds a fractional input coordinate (ONNX Resize's nearest_mode: round_prefer_floor,
// round_prefer_ceil, floor, ceil).
enum class ResizeRoundMode : int32_t { kHALF_DOWN, kHALF_UP, kFLOOR, kCEIL };
// How a slice treats coordinates outside the input (TensorRT's SampleMode): an error, or wrap around, clamp to the
// edge, read a fill value (input 4 of the slice, zero when absent), or reflect about the edge.
enum class SampleMode : int32_t { kSTRICT_BOUNDS, kWRAP, kCLAMP, kFILL, kREFLECT };
// kDEFAULT: ONNX Gather. kELEMENT: ONNX GatherElements. kND: ONNX GatherND.
enum class GatherMode : int32_t { kDEFAULT, kELEMENT, kND };
// kELEMENT: ONNX ScatterElements. kND: ONNX ScatterND.
enum class ScatterMode : int32_t { kELEMENT, kND };
// How a ScatterLayer combines an update with the value already there: replace it, add, multiply, max, min.
enum class ScatterReduction : int32_t { kNONE, kADD, kMUL, kMAX, kMIN };
// kCONSTANT: every element is alpha. kLINSPACE: alpha + sum over axes of index * beta[axis].
enum class FillOperation : int32_t { kCONSTANT, kLINSPACE };
// What a CumulativeLayer accumulates: a running sum.
enum class CumulativeOperation : int32_t { kSUM };
// The cell of a recurrence layer: ONNX RNN (one gate), GRU (update, reset, hidden) or LSTM (input, output, forget,
// cell gates, and a cell state).
enum class RecurrenceCell : int32_t { kRNN, kGRU, kLSTM };
// kBIDIRECTIONAL runs a forward and a reverse pass, each with its own weights (direction 0 and 1 of W, R, ...).
enum class RecurrenceDirection : int32_t { kFORWARD, kREVERSE, kBIDIRECTIONAL };
// Where a grid sample outside the input reads from (ONNX GridSample's padding_mode): zeros, the nearest edge
// element, or the input reflected about its border.
enum class GridSamplePadding : int32_t { kZEROS, kBORDER, kREFLECTION };

// Base of every layer: its type, name, inputs and outputs. Owned by its NetworkDefinition; pointers stay valid for
// the network's lifetime. Layers are made by NetworkDefinition::add*; users do not construct or derive from them.
class Layer {
 public:
  // Layers are destroyed with their network.
  virtual ~Layer() = default;
  Layer(const Layer&) = delete;
  Layer& operator=(const Layer&) = delete;

  // The kind of layer, which tells the class to cast a Layer* to.
  LayerType getType() const;
  // The layer's name, "<Type>_<index>" until setName; errors name the layer with it.
  const char* getName() const;
  // Renames the layer. Throws kiln::Error (kINVALID_ARGUMENT) for a null or empty name.
  void setName(const char* name);
  // The number of inputs, optional ones included.
  int32_t getNbInputs() const;
  // Input `index`; nullptr for an optional input that is not set or an index out of range.
  Tensor* getInput(int32_t index) const;
  // The number of outputs.
  int32_t getNbOutputs() const;
  // Output `index`; nullptr for an index out of range.
  Tensor* getOutput(int32_t index) const;
  // Replaces input `index` (for example a shape tensor as input 1 of a shuffle or resize layer); an index past the
  // last input adds it, leaving any inputs between unset. Throws kiln::Error (kINVALID_ARGUMENT for an index outside
  // [0, 8] or a tensor made by a later layer; kINVALID_GRAPH when shapes no longer fit) and keeps the old input.
  void setInput(int32_t index, Tensor& tensor);

 protected:
  friend class graph::NetworkAccess;
  // For NetworkDefinition::add*, which makes the layer: a handle to layer `id` of `network`.
  Layer(NetworkDefinition& network, int32_t id) : network_(&network), id_(id) {}

  NetworkDefinition* network_;  // the network that owns the layer
  int32_t id_;                  // the layer's index in its network
};

// A tensor of constant values (NetworkDefinition::addConstant); no settings.
class ConstantLayer : public Layer {
  using Layer::Layer;

 public:
  // The constant's values, held by the network (valid while it lives and the layer is unchanged).
  Weights getWeights() const;
};
// Copies its input to its output (NetworkDefinition::addIdentity); no settings.
class IdentityLayer : public Layer {
  using Layer::Layer;
};
// The input's dimensions as a 1-D int64 tensor (NetworkDefinition::addShape); no settings.
class ShapeLayer : public Layer {
  using Layer::Layer;
};

// Convolution of an N x C x spatial input with a K x C/groups x kernel-size kernel (input 1) and an optional bias of
// K values (input 2). Spatial settings take one value per spatial axis.
class ConvolutionLayer : public Layer {
 public:
  using Layer::Layer;
  // Step between windows per spatial axis, in elements (default 1).
  void setStrideNd(const Dims& stride);
  // The stride as set; empty (rank 0) when never set.
  Dims getStrideNd() const;
  // Padding before (top/left/...) each spatial axis, in elements (default 0).
  void setPrePadding(const Dims& padding);
  // The padding before each spatial axis as set; empty when never set.
  Dims getPrePadding() const;
  // Padding after (bottom/right/...) each spatial axis, in elements (default 0).
  void setPostPadding(const Dims& padding);
  // The padding after each spatial axis as set; empty when never set.
  Dims getPostPadding() const;
  // The same padding before and after each spatial axis.
  void setPaddingNd(const Dims& padding);
  // The padding before each spatial axis, which setPaddingNd sets on both sides (as TensorRT, the pre-padding when
  // the two differ); empty when never set.
  Dims getPaddingNd() const;
  // Spacing between kernel taps per spatial axis, in elements (default 1).
  void setDilationNd(const Dims& dilation);
  // The dilation as set; empty when never set.
  Dims getDilationNd() const;
  // Splits channels into `groups` independent convolutions (depthwise: groups = C).
  void setNbGroups(int64_t groups);
  // The groups as set, else as the kernel's channel count implies (1 when it implies nothing).
  int64_t getNbGroups() const;
  // How padding is decided (default kEXPLICIT).
  void setPaddingMode(PaddingMode mode);
  // The padding mode.
  PaddingMode getPaddingMode() const;
};

// op(a) x op(b) over the last two axes, leading axes broadcast (NetworkDefinition::addMatrixMultiply).
class MatrixMultiplyLayer : public Layer {
 public:
  using Layer::Layer;
  // How operand `index` (0: a, 1: b) is read. Throws kiln::Error (kINVALID_ARGUMENT) for another index.
  void setOperation(int32_t index, MatrixOperation op);
  // How operand `index` is read (index 0: a, anything else: b).
  MatrixOperation getOperation(int32_t index) const;
};

// An element-wise operation of two tensors with numpy broadcasting (NetworkDefinition::addElementWise).
class ElementWiseLayer : public Layer {
 public:
  using Layer::Layer;
  // Replaces the operation.
  void setOperation(ElementWiseOperation op);
  // The operation.
  ElementWiseOperation getOperation() const;
};

// An activation function applied to every element (NetworkDefinition::addActivation).
class ActivationLayer : public Layer {
 public:
  using Layer::Layer;
  // Replaces the function.
  void setActivationType(ActivationType type);
  // The function.
  ActivationType getActivationType() const;
  // Meaning depends on the type (see ActivationType): leaky relu slope, elu/selu alpha, clip min, hard sigmoid
  // slope, ... When never set, the type's ONNX default is used.
  void setAlpha(double alpha);
  // The second parameter: selu gamma, clip max, hard sigmoid offset, ... When never set, the ONNX default is used.
  void setBeta(double beta);
  // Alpha as set; 0 when never set (the function then uses its default).
  double getAlpha() const;
  // Beta as set; 0 when never set (the function then uses its default).
  double getBeta() const;
};

// A one-input function applied to every element (NetworkDefinition::addUnary).
class UnaryLayer : public Layer {
 public:
  using Layer::Layer;
  // Replaces the function.
  void setOperation(UnaryOperation op);
  // The function.
  UnaryOperation getOperation() const;
};

// Max or average pooling over the spatial axes (all but the first two) of the input. Spatial settings take one
// value per spatial axis, in elements.
class PoolingLayer : public Layer {
 public:
  using Layer::Layer;
  // Max or average.
  void setPoolingType(PoolingType type);
  // Max or average.
  PoolingType getPoolingType() const;
  // The window size per spatial axis.
  void setWindowSizeNd(const Dims& window);
  // The window size per spatial axis.
  Dims getWindowSizeNd() const;
  // Step between windows per spatial axis (default 1).
  void setStrideNd(const Dims& stride);
  // The stride as set; empty (rank 0) when never set.
  Dims getStrideNd() const;
  // Padding before each spatial axis (default 0).
  void setPrePadding(const Dims& padding);
  // Padding after each spatial axis (default 0).
  void setPostPadding(const Dims& padding);
  // The same padding before and after each spatial axis.
  void setPaddingNd(const Dims& padding);
  // The padding before each spatial axis, which setPaddingNd sets on both sides (as TensorRT, the pre-padding when
  // the two differ); empty when never set.
  Dims getPaddingNd() const;
  // The padding before each spatial axis as set; empty when never set.
  Dims getPrePadding() const;
  // The padding after each spatial axis as set; empty when never set.
  Dims getPostPadding() const;
  // Spacing between window taps per spatial axis (default 1).
  void setDilationNd(const Dims& dilation);
  // The dilation as set; empty (rank 0) when never set, which dilates by 1 on every axis.
  Dims getDilationNd() const;
  // Average pooling: whether padded elements are left out of the divisor. Default true (ONNX count_include_pad=0).
  void setAverageCountExcludesPadding(bool exclude);
  // Whether padded elements are left out of an average's divisor.
  bool getAverageCountExcludesPadding() const;
  // Output size rounds up instead of down (ONNX ceil_mode).
  void setCeilMode(bool ceil);
  // Whether the output size rounds up; false (round down) when never set.
  bool getCeilMode() const;
  // How padding is decided (default kEXPLICIT).
  void setPaddingMode(PaddingMode mode);
  // The padding mode.
  PaddingMode getPaddingMode() const;
  // The window covers every spatial element; the window size is then taken from the input at run time.
  void setGlobal(bool global);
  // Whether the pooling is global.
  bool getGlobal() const;
  // Max pooling made by addMaxPoolingWithIndices: the spatial part of each index counts column-major (the last
  // spatial axis slowest) instead of row-major (ONNX storage_order=1).
  void setIndicesColumnMajor(bool columnMajor);
  // Whether the indices output counts column-major; false (row-major) when never set.
  bool getIndicesColumnMajor() const;
};

// exp(x) / sum(exp(x)) over one axis (NetworkDefinition::addSoftMax).
class SoftMaxLayer : public Layer {
 public:
  using Layer::Layer;
  // Exactly one bit set: the axis to normalize over. The default is the last axis. Throws kiln::Error
  // (kINVALID_ARGUMENT) for no bit or several.
  void setAxes(uint32_t axes);
  // The axis as a one-bit mask.
  uint32_t getAxes() const;
  // Log-softmax instead of softmax.
  void setLog(bool log);
  // Whether the layer computes log-softmax; false when never set.
  bool getLog() const;
};

// Resizes the input by interpolation (ONNX Resize). The output size comes from, in order of precedence, the output
// dimensions, a shape tensor set as input 1, or the scales.
class ResizeLayer : public Layer {
 public:
  using Layer::Layer;
  // Fixed output shape (overrides scales and a shape tensor input).
  void setOutputDimensions(const Dims& dims);
  // The output's inferred dimensions (-1 where dynamic).
  Dims getOutputDimensions() const;
  // Output = floor(input * scale) per axis; `count` values. Throws kiln::Error (kINVALID_ARGUMENT) for none.
  void setScales(const float* scales, int32_t count);
  // The scales as set; empty when never set.
  std::vector<float> getScales() const;
  // Nearest, linear or cubic (default kNEAREST).
  void setResizeMode(ResizeMode mode);
  // The interpolation mode.
  ResizeMode getResizeMode() const;
  // How output coordinates map to input coordinates (default kHALF_PIXEL).
  void setCoordinateTransformation(ResizeCoordinateTransformation transform);
  // The coordinate transformation.
  ResizeCoordinateTransformation getCoordinateTransformation() const;
  // How kNEAREST rounds (default kHALF_DOWN).
  void setNearestRounding(ResizeRoundMode mode);
  // The rounding of kNEAREST.
  ResizeRoundMode getNearestRounding() const;
  // The cubic kernel's coefficient a (default -0.75, as PyTorch; TensorFlow uses -0.5).
  void setCubicCoeff(float a);
  // The cubic coefficient.
  float getCubicCoeff() const;
  // Linear and cubic: taps outside the input get weight 0 and the rest are renormalized, instead of repeating the
  // edge value. Nearest always picks an index inside the input, so this does not change it.
  void setExcludeOutside(bool exclude);
  // Whether taps outside the input are excluded.
  bool getExcludeOutside() const;
  // Linear and cubic: when downsampling, stretch the filter by 1/scale so every input element contributes.
  void setAntialias(bool antialias);
  // Whether downsampling is antialiased.
  bool getAntialias() const;
  // kTF_CROP_AND_RESIZE: normalized region per axis, all starts then all ends (2 x rank values; default the whole
  // input). Throws kiln::Error (kINVALID_ARGUMENT) for no values.
  void setRegionOfInterest(const float* roi, int32_t count);
  // The region of interest as set; empty when never set.
  std::vector<float> getRegionOfInterest() const;
  // kTF_CROP_AND_RESIZE: the value written where a sample falls outside the input (default 0).
  void setExtrapolationValue(float value);
  // The extrapolation value.
  float getExtrapolationValue() const;
  // Scales that map output to input coordinates when the output size is set otherwise (dimensions or a shape
  // tensor), in place of output/input per axis: ONNX keep_aspect_ratio_policy rounds sizes from one common scale.
  // Throws kiln::Error (kINVALID_ARGUMENT) for no values.
  void setCoordinateScales(const float* scales, int32_t count);
  // The coordinate scales as set; empty when never set.
  std::vector<float> getCoordinateScales() const;
};

// Transpose, reshape, transpose (NetworkDefinition::addShuffle). A shape tensor as input 1 gives the reshape target
// at run time.
class ShuffleLayer : public Layer {
 public:
  using Layer::Layer;
  // Applied before the reshape: output axis i is input axis permutation[i].
  void setFirstTranspose(const std::vector<int32_t>& permutation);
  // The first permutation as set; empty (no transpose) when never set.
  std::vector<int32_t> getFirstTranspose() const;
  // 0 copies the input dimension at that index (unless setZeroIsPlaceholder(false)); one -1 is inferred.
  void setReshapeDimensions(const Dims& dims);
  // The reshape target as set; empty (rank 0) when never set.
  Dims getReshapeDimensions() const;
  // Applied after the reshape, as setFirstTranspose.
  void setSecondTranspose(const std::vector<int32_t>& permutation);
  // The second permutation as set; empty (no transpose) when never set.
  std::vector<int32_t> getSecondTranspose() const;
  // Whether 0 in the reshape dimensions copies the input dimension (true, the default) or means size 0.
  void setZeroIsPlaceholder(bool placeholder);
  // Whether 0 in the reshape dimensions copies the input dimension; true when never set.
  bool getZeroIsPlaceholder() const;
};

// Joins its inputs along one axis (NetworkDefinition::addConcatenation).
class ConcatenationLayer : public Layer {
 public:
  using Layer::Layer;
  // The axis to join along; negative counts from the end.
  void setAxis(int32_t axis);
  // The axis as set.
  int32_t getAxis() const;
};

// A strided window of the input (NetworkDefinition::addSlice). Shape tensors as inputs 1-3 (start, size, stride)
// give those at run time; input 4 is the fill value of kFILL.
class SliceLayer : public Layer {
 public:
  using Layer::Layer;
  // How coordinates outside the input are treated (default kSTRICT_BOUNDS).
  void setMode(SampleMode mode);
  // The sample mode.
  SampleMode getMode() const;
  // The first element per axis.
  void setStart(const Dims& start);
  // The number of output elements per axis.
  void setSize(const Dims& size);
  // The step per axis, in elements (may be negative).
  void setStride(const Dims& stride);
  // The start as set.
  Dims getStart() const;
  // The size as set.
  Dims getSize() const;
  // The stride as set.
  Dims getStride() const;
};

// Picks entries of input 0 at the indices of input 1 (NetworkDefinition::addGather).
class GatherLayer : public Layer {
 public:
  using Layer::Layer;
  // Gather, GatherElements or GatherND semantics.
  void setMode(GatherMode mode);
  // The mode.
  GatherMode getMode() const;
  // Leading dimensions shared by data and indices (ONNX GatherND's batch_dims).
  void setNbElementWiseDims(int32_t count);
  // The number of shared leading dimensions.
  int32_t getNbElementWiseDims() const;
  // The axis gathered along (kDEFAULT and kELEMENT); negative counts from the end.
  void setGatherAxis(int32_t axis);
  // The gather axis.
  int32_t getGatherAxis() const;
};

// Reduces the axes in a bit mask (bit i: axis i) with one operation (NetworkDefinition::addReduce).
class ReduceLayer : public Layer {
 public:
  using Layer::Layer;
  // Replaces the operation.
  void setOperation(ReduceOperation op);
  // The operation.
  ReduceOperation getOperation() const;
  // The axes to reduce, as a bit mask.
  void setReduceAxes(uint32_t axes);
  // The reduced axes, as a bit mask.
  uint32_t getReduceAxes() const;
  // Keep reduced axes as size 1 (true) or drop them.
  void setKeepDimensions(bool keep);
  // Whether reduced axes are kept.
  bool getKeepDimensions() const;
};

// The k largest or smallest values along one axis and their int32 indices (NetworkDefinition::addTopK).
class TopKLayer : public Layer {
 public:
  using Layer::Layer;
  // Largest or smallest.
  void setOperation(TopKOperation op);
  // Largest or smallest, as given to addTopK or set.
  TopKOperation getOperation() const;
  // How many values to keep (elements along the axis).
  void setK(int64_t k);
  // k as set.
  int64_t getK() const;
  // The axis as a one-bit mask.
  void setReduceAxes(uint32_t axes);
  // The axis as a one-bit mask, as given to addTopK or set.
  uint32_t getReduceAxes() const;
};

// Output[i] = condition[i] ? then[i] : else[i], with numpy broadcasting of all three (ONNX Where); no settings.
class SelectLayer : public Layer {
  using Layer::Layer;
};

// A tensor generated from its shape: input 0 (optional) is a 1-D shape tensor giving the dimensions; inputs 1
// (alpha, a scalar) and 2 (beta, one value per axis) override the attributes when given.
class FillLayer : public Layer {
 public:
  using Layer::Layer;
  // The output dimensions (no -1).
  void setDimensions(const Dims& dims);
  // The output dimensions as given to addFill or set (input 0, when set, overrides them).
  Dims getDimensions() const;
  // Constant or linspace.
  void setOperation(FillOperation op);
  // The operation.
  FillOperation getOperation() const;
  // The constant value (kCONSTANT) or the start (kLINSPACE).
  void setAlpha(double alpha);
  // Alpha as set; 0 when never set (input 1, when set, overrides it).
  double getAlpha() const;
  // The step on every axis (kLINSPACE).
  void setBeta(double beta);
  // Beta as set; 1 when never set (input 2, when set, overrides it).
  double getBeta() const;
  // The output's element type.
  void setToType(DataType type);
  // The output's element type, as given to addFill or set.
  DataType getToType() const;
};

// Copies data to the output, then writes `updates` at the positions `indices` name (ONNX ScatterElements/ND).
class ScatterLayer : public Layer {
 public:
  using Layer::Layer;
  // Element or ND semantics.
  void setMode(ScatterMode mode);
  // The mode.
  ScatterMode getMode() const;
  // The axis indices run along (kELEMENT only); negative counts from the end.
  void setAxis(int32_t axis);
  // The axis as given to addScatter (default 0) or set.
  int32_t getAxis() const;
  // How an update combines with the value there (default kNONE: replace).
  void setReduction(ScatterReduction reduction);
  // How an update combines with the value there; kNONE when never set.
  ScatterReduction getReduction() const;
};

// Transposed convolution. Input N x C x spatial; kernel C x K/groups x kernel-size (ONNX ConvTranspose layout).
// Spatial settings take one value per spatial axis, in elements.
class DeconvolutionLayer : public Layer {
 public:
  using Layer::Layer;
  // Step between input elements' footprints in the output, per spatial axis (default 1).
  void setStrideNd(const Dims& stride);
  // The stride as set; empty (rank 0) when never set, which strides by 1 on every axis.
  Dims getStrideNd() const;
  // Elements removed from the start of each spatial axis of the output (default 0).
  void setPrePadding(const Dims& padding);
  // The padding at the start of each spatial axis as set; empty when never set (0 on every axis).
  Dims getPrePadding() const;
  // Elements removed from the end of each spatial axis of the output (default 0).
  void setPostPadding(const Dims& padding);
  // The padding at the end of each spatial axis as set; empty when never set (0 on every axis).
  Dims getPostPadding() const;
  // The same padding at both ends.
  void setPaddingNd(const Dims& padding);
  // The padding at the start of each spatial axis, which setPaddingNd sets at both ends (as TensorRT, the
  // pre-padding when the two differ); empty when never set.
  Dims getPaddingNd() const;
  // Spacing between kernel taps per spatial axis (default 1).
  void setDilationNd(const Dims& dilation);
  // The dilation as set; empty (rank 0) when never set, which dilates by 1 on every axis.
  Dims getDilationNd() const;
  // Splits channels into `groups` independent transposed convolutions (default 1).
  void setNbGroups(int64_t groups);
  // The number of groups; 1 when never set.
  int64_t getNbGroups() const;
  // Extra elements at the end of each spatial axis of the output (ONNX output_padding).
  void setOutputPadding(const Dims& padding);
  // The output padding as set; empty (rank 0) when never set, which adds nothing.
  Dims getOutputPadding() const;
};

// (x - mean) / sqrt(variance + epsilon) * scale + bias, mean and variance over the axes in the mask; with groups
// the channel axis (1) is split into that many groups first (layer, instance and group normalization).
class NormalizationLayer : public Layer {
 public:
  using Layer::Layer;
  // Added to the variance (default 1e-5).
  void setEpsilon(double epsilon);
  // Epsilon.
  double getEpsilon() const;
  // The axes to normalize over, as a bit mask (bit i: axis i).
  void setAxes(uint32_t axesMask);
  // The normalized axes, as a bit mask.
  uint32_t getAxes() const;
  // The number of channel groups (group normalization).
  void setNbGroups(int64_t groups);
  // The number of channel groups; 1 when never set.
  int64_t getNbGroups() const;
};

// Running sum along one axis (ONNX CumSum). Input 1, when set, is a one-element int32/int64 tensor giving the axis
// at run time in place of setAxis (it does not change the output shape).
class CumulativeLayer : public Layer {
 public:
  using Layer::Layer;
  // The axis; negative counts from the end.
  void setAxis(int32_t axis);
  // The axis as given to addCumulative or set (input 1, when set, overrides it at run time).
  int32_t getAxis() const;
  // Leave each element out of its own sum.
  void setExclusive(bool exclusive);
  // Whether each element is left out of its own sum, as given to addCumulative or set.
  bool getExclusive() const;
  // Sum from the end of the axis.
  void setReverse(bool reverse);
  // Whether the sum runs from the end of the axis, as given to addCumulative or set.
  bool getReverse() const;
};

// ONNX OneHot: inputs indices, values ([off, on]), depth (a scalar shape tensor); a new axis of size depth.
class OneHotLayer : public Layer {
 public:
  using Layer::Layer;
  // Where the new axis goes in the output; negative counts from the end.
  void setAxis(int32_t axis);
  // The new axis's position as given to addOneHot or set.
  int32_t getAxis() const;
};

// Einstein summation over the inputs, e.g. "ij,jk->ik".
class EinsumLayer : public Layer {
 public:
  using Layer::Layer;
  // Replaces the equation. Throws kiln::Error (kINVALID_ARGUMENT for null; kINVALID_GRAPH when it does not fit the
  // inputs).
  void setEquation(const char* equation);
  // The equation as given to addEinsum or set; the pointer is valid until the equation changes or the network is
  // destroyed.
  const char* getEquation() const;
};

// A layer that runs a plugin (NetworkDefinition::addPluginV3); the plan records its name, version, namespace and
// fields, and recreates it through the registered creator.
class PluginV3Layer : public Layer {
 public:
  using Layer::Layer;
  // The plugin's name.
  std::string getPluginName() const;
  // The plugin's version.
  std::string getPluginVersion() const;
  // The plugin's namespace ("" for none).
  std::string getPluginNamespace() const;
  // The fields the plugin is recreated from.
  PluginFieldCollection getPluginFields() const;
};

// Local response normalization across channels (ONNX LRN): x / (k + alpha / size * sum of squares) ^ beta.
class LRNLayer : public Layer {
 public:
  using Layer::Layer;
  // The number of channels summed over.
  void setWindowSize(int64_t size);
  // The number of channels summed over, as given to addLRN or set.
  int64_t getWindowSize() const;
  // The scale of the sum of squares.
  void setAlpha(double alpha);
  // The scale of the sum of squares, as given to addLRN or set.
  double getAlpha() const;
  // The exponent.
  void setBeta(double beta);
  // The exponent, as given to addLRN or set.
  double getBeta() const;
  // The bias added before the power.
  void setK(double k);
  // The bias added before the power, as given to addLRN or set.
  double getK() const;
};

// A one-layer recurrent network over a sequence (ONNX RNN, GRU and LSTM, with their input order and weight layouts):
// inputs X, W, R, then optional B (1), sequence_lens (int32), initial_h, initial_c (LSTM), P (LSTM peepholes) at
// indices 3-7, set with setInput. Outputs Y, Y_h and (LSTM) Y_c. The hidden size is R's last dimension.
class RecurrenceLayer : public Layer {
 public:
  using Layer::Layer;
  // Forward, reverse or both.
  void setDirection(RecurrenceDirection direction);
  // The direction.
  RecurrenceDirection getDirection() const;
  // Batch-major tensors (ONNX layout=1): X is batch x sequence x input, Y batch x sequence x directions x hidden and
  // the states batch x directions x hidden; otherwise sequence, directions and batch come first in that order.
  void setBatchFirst(bool batchFirst);
  // Whether tensors are batch-major.
  bool getBatchFirst() const;
  // The cell's activation functions in ONNX order: f (RNN); f, g (GRU); f, g, h (LSTM); bidirectional repeats them
  // for the reverse pass. alphas and betas give each function's parameters as for ActivationLayer. Defaults: tanh
  // (RNN), sigmoid and tanh (GRU), sigmoid, tanh and tanh (LSTM). Throws kiln::Error (kINVALID_ARGUMENT) unless the
  // three lists have the same length.
  void setActivations(const std::vector<ActivationType>& types, const std::vector<double>& alphas,
                      const std::vector<double>& betas);
  // The activation functions as set; when never set, the cell's defaults (see setActivations) for each direction.
  std::vector<ActivationType> getActivations() const;
  // The activations' alphas as set; when never set, one 0 per default function (each then uses its own default).
  std::vector<double> getActivationAlphas() const;
  // The activations' betas as set; when never set, one 0 per default function (each then uses its own default).
  std::vector<double> getActivationBetas() const;
  // Bounds every activation input to [-clip, clip]; a value <= 0 (the default) disables clipping.
  void setClip(double clip);
  // The clip bound; 0 (no clipping) when never set.
  double getClip() const;
  // GRU: applies the reset gate after multiplying the previous hidden state by R (ONNX linear_before_reset).
  void setLinearBeforeReset(bool linearBeforeReset);
  // Whether a GRU applies the reset gate after R; false when never set.
  bool getLinearBeforeReset() const;
  // LSTM: the forget gate is 1 - the input gate (ONNX input_forget).
  void setInputForget(bool inputForget);
  // Whether an LSTM couples the forget gate to the input gate; false when never set.
  bool getInputForget() const;
};

// Samples the N x C x H x W input at the N x H_out x W_out x 2 grid of (x, y) positions, normalized to [-1, 1]
// (ONNX GridSample). The output is N x C x H_out x W_out.
class GridSampleLayer : public Layer {
 public:
  using Layer::Layer;
  // kNEAREST (half to even), kLINEAR (bilinear) or kCUBIC (bicubic, coefficient -0.75).
  void setInterpolationMode(ResizeMode mode);
  // The interpolation mode; kLINEAR when never set.
  ResizeMode getInterpolationMode() const;
  // What samples outside the input read.
  void setPaddingMode(GridSamplePadding padding);
  // What samples outside the input read; kZEROS when never set.
  GridSamplePadding getPaddingMode() const;
  // -1 and 1 are the centers of the corner elements (true) or the outer edges of the corner elements (false).
  void setAlignCorners(bool alignCorners);
  // Whether -1 and 1 are the corner elements' centers; false when never set.
  bool getAlignCorners() const;
};

// Determinant of each square matrix in the trailing two axes: [..., M, M] gives [...]; no settings.
class DeterminantLayer : public Layer {
  using Layer::Layer;
};

// Converts every element to another type. Floats become integers truncated toward zero (NaN gives 0); fp32 and
// fp64 become bf16 by dropping the low mantissa bits, as ONNX's reference Cast and test data do.
class CastLayer : public Layer {
 public:
  using Layer::Layer;
  // The output type. Throws kiln::Error (kINVALID_ARGUMENT) for a value that is not a DataType.
  void setToType(DataType type);
  // The output type.
  DataType getToType() const;
};

}  // namespace kiln
