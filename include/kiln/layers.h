// Layer kinds of a network definition and the settings each kind exposes.
// Every setter re-runs shape inference from the layer onward and throws kiln::Error
// (naming the layer) when the new setting makes the graph impossible; the old value is kept then.
#pragma once

#include <cstdint>
#include <vector>

#include "kiln/types.h"

namespace kiln {

class NetworkDefinition;
class Tensor;

enum class LayerType : int32_t {
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
  kSHAPE_VALUES,  // internal: a shape-valued tensor materialized by the builder
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
  kLAYER_TYPE_COUNT  // not a layer: the number of layer types
};
const char* layerTypeName(LayerType type);

enum class ElementWiseOperation : int32_t {
  kSUM,
  kPROD,
  kMAX,
  kMIN,
  kSUB,
  kDIV,
  kPOW,
  kFLOOR_DIV,
  kAND,
  kOR,
  kXOR,
  kEQUAL,
  kGREATER,
  kLESS,
  kMOD,
  kFMOD,
  kSHIFT_LEFT,
  kSHIFT_RIGHT,  // unsigned integers; a shift by the bit width or more gives 0
};
enum class ActivationType : int32_t {
  kRELU,
  kSIGMOID,
  kTANH,
  kLEAKY_RELU,
  kELU,
  kSELU,
  kSOFTSIGN,
  kSOFTPLUS,
  kCLIP,
  kHARD_SIGMOID,
  kSCALED_TANH,
  kTHRESHOLDED_RELU,
  kGELU_ERF,
  kGELU_TANH,
};
enum class UnaryOperation : int32_t {
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
  kNOT,
  kSIGN,
  kROUND,
  kISINF,
  kISNAN,
};
enum class PoolingType : int32_t { kMAX, kAVERAGE };
// How convolution and pooling pad: kEXPLICIT uses the pre/post padding; kSAME_UPPER and kSAME_LOWER pad just enough
// for output = ceil(input / stride), computed from the input shape at run time, the odd element at the end (upper)
// or the start (lower), as ONNX auto_pad. The SAME modes ignore the explicit padding.
enum class PaddingMode : int32_t { kEXPLICIT, kSAME_UPPER, kSAME_LOWER };
enum class ReduceOperation : int32_t { kSUM, kPROD, kMAX, kMIN, kAVG };
enum class TopKOperation : int32_t { kMAX, kMIN };
enum class MatrixOperation : int32_t { kNONE, kTRANSPOSE };
// kLINEAR and kCUBIC interpolate along every resized axis (bilinear/bicubic for 2-D, and so on).
enum class ResizeMode : int32_t { kNEAREST, kLINEAR, kCUBIC };
// How an output coordinate maps to an input coordinate (ONNX Resize's coordinate_transformation_mode).
// kTF_CROP_AND_RESIZE samples the region of interest and writes the extrapolation value outside the input.
enum class ResizeCoordinateTransformation : int32_t {
  kHALF_PIXEL,
  kASYMMETRIC,
  kALIGN_CORNERS,
  kPYTORCH_HALF_PIXEL,
  kTF_HALF_PIXEL_FOR_NN,
  kTF_CROP_AND_RESIZE,
  kHALF_PIXEL_SYMMETRIC,
};
enum class ResizeRoundMode : int32_t { kHALF_DOWN, kHALF_UP, kFLOOR, kCEIL };
// How a slice treats coordinates outside the input (TensorRT's SampleMode): an error, or wrap around, clamp to the
// edge, read a fill value (input 4 of the slice, zero when absent), or reflect about the edge.
enum class SampleMode : int32_t { kSTRICT_BOUNDS, kWRAP, kCLAMP, kFILL, kREFLECT };
// kDEFAULT: ONNX Gather. kELEMENT: ONNX GatherElements. kND: ONNX GatherND.
enum class GatherMode : int32_t { kDEFAULT, kELEMENT, kND };
// kELEMENT: ONNX ScatterElements. kND: ONNX ScatterND.
enum class ScatterMode : int32_t { kELEMENT, kND };
enum class ScatterReduction : int32_t { kNONE, kADD, kMUL, kMAX, kMIN };
// kCONSTANT: every element is alpha. kLINSPACE: alpha + sum over axes of index * beta[axis].
enum class FillOperation : int32_t { kCONSTANT, kLINSPACE };
enum class CumulativeOperation : int32_t { kSUM };
// The cell of a recurrence layer: ONNX RNN (one gate), GRU (update, reset, hidden) or LSTM (input, output, forget,
// cell gates, and a cell state).
enum class RecurrenceCell : int32_t { kRNN, kGRU, kLSTM };
// kBIDIRECTIONAL runs a forward and a reverse pass, each with its own weights (direction 0 and 1 of W, R, ...).
enum class RecurrenceDirection : int32_t { kFORWARD, kREVERSE, kBIDIRECTIONAL };
// Where a grid sample outside the input reads from (ONNX GridSample's padding_mode): zeros, the nearest edge
// element, or the input reflected about its border.
enum class GridSamplePadding : int32_t { kZEROS, kBORDER, kREFLECTION };

// Base of every layer. Owned by its NetworkDefinition; pointers stay valid for the network's lifetime.
class Layer {
 public:
  virtual ~Layer() = default;
  Layer(const Layer&) = delete;
  Layer& operator=(const Layer&) = delete;

  LayerType getType() const;
  const char* getName() const;
  void setName(const char* name);
  int32_t getNbInputs() const;
  // nullptr for an optional input that is not set.
  Tensor* getInput(int32_t index) const;
  int32_t getNbOutputs() const;
  Tensor* getOutput(int32_t index) const;
  // Replaces input `index` (for example a shape tensor as input 1 of a shuffle or resize layer).
  void setInput(int32_t index, Tensor& tensor);

 public:
  // Layers are created by NetworkDefinition::add*; this constructor is for its use.
  Layer(NetworkDefinition& network, int32_t id) : network_(&network), id_(id) {}
  int32_t id() const { return id_; }

 protected:
  void setIntAttr(const char* key, int64_t value);
  void setIntsAttr(const char* key, const std::vector<int64_t>& values);
  void setFloatAttr(const char* key, double value);
  void setFloatsAttr(const char* key, const std::vector<double>& values);
  int64_t intAttr(const char* key) const;
  std::vector<int64_t> intsAttr(const char* key) const;
  double floatAttr(const char* key) const;
  std::vector<double> floatsAttr(const char* key) const;

  NetworkDefinition* network_;
  int32_t id_;
};

class ConstantLayer : public Layer {
  using Layer::Layer;
};
class IdentityLayer : public Layer {
  using Layer::Layer;
};
class ShapeLayer : public Layer {
  using Layer::Layer;
};

class ConvolutionLayer : public Layer {
 public:
  using Layer::Layer;
  void setStrideNd(const Dims& stride);
  Dims getStrideNd() const;
  // Padding before (top/left/...) and after (bottom/right/...) each spatial axis.
  void setPrePadding(const Dims& padding);
  Dims getPrePadding() const;
  void setPostPadding(const Dims& padding);
  Dims getPostPadding() const;
  void setPaddingNd(const Dims& padding);  // same padding before and after
  void setDilationNd(const Dims& dilation);
  Dims getDilationNd() const;
  void setNbGroups(int64_t groups);
  int64_t getNbGroups() const;
  void setPaddingMode(PaddingMode mode);
  PaddingMode getPaddingMode() const;
};

class MatrixMultiplyLayer : public Layer {
 public:
  using Layer::Layer;
  void setOperation(int32_t index, MatrixOperation op);
  MatrixOperation getOperation(int32_t index) const;
};

class ElementWiseLayer : public Layer {
 public:
  using Layer::Layer;
  void setOperation(ElementWiseOperation op);
  ElementWiseOperation getOperation() const;
};

class ActivationLayer : public Layer {
 public:
  using Layer::Layer;
  void setActivationType(ActivationType type);
  ActivationType getActivationType() const;
  // Meaning depends on the type: leaky relu slope, elu/selu alpha, clip min/max, hard sigmoid alpha/beta, ...
  void setAlpha(double alpha);
  void setBeta(double beta);
  double getAlpha() const;
  double getBeta() const;
};

class UnaryLayer : public Layer {
 public:
  using Layer::Layer;
  void setOperation(UnaryOperation op);
  UnaryOperation getOperation() const;
};

class PoolingLayer : public Layer {
 public:
  using Layer::Layer;
  void setPoolingType(PoolingType type);
  PoolingType getPoolingType() const;
  void setWindowSizeNd(const Dims& window);
  Dims getWindowSizeNd() const;
  void setStrideNd(const Dims& stride);
  Dims getStrideNd() const;
  void setPrePadding(const Dims& padding);
  void setPostPadding(const Dims& padding);
  void setPaddingNd(const Dims& padding);
  Dims getPrePadding() const;
  Dims getPostPadding() const;
  void setDilationNd(const Dims& dilation);
  // Average pooling: whether padded elements are left out of the divisor. Default true (ONNX count_include_pad=0).
  void setAverageCountExcludesPadding(bool exclude);
  bool getAverageCountExcludesPadding() const;
  // Output size rounds up instead of down (ONNX ceil_mode).
  void setCeilMode(bool ceil);
  void setPaddingMode(PaddingMode mode);
  PaddingMode getPaddingMode() const;
  // The window covers every spatial element; the window size is then taken from the input at run time.
  void setGlobal(bool global);
  bool getGlobal() const;
  // Max pooling made by addMaxPoolingWithIndices: the spatial part of each index counts column-major (the last
  // spatial axis slowest) instead of row-major (ONNX storage_order=1).
  void setIndicesColumnMajor(bool columnMajor);
};

class SoftMaxLayer : public Layer {
 public:
  using Layer::Layer;
  // Exactly one bit set: the axis to normalize over. The default is the last axis.
  void setAxes(uint32_t axes);
  uint32_t getAxes() const;
  // Log-softmax instead of softmax.
  void setLog(bool log);
};

class ResizeLayer : public Layer {
 public:
  using Layer::Layer;
  // Fixed output shape (overrides scales and a shape tensor input).
  void setOutputDimensions(const Dims& dims);
  Dims getOutputDimensions() const;
  // Output = floor(input * scale) per axis.
  void setScales(const float* scales, int32_t count);
  std::vector<float> getScales() const;
  void setResizeMode(ResizeMode mode);
  ResizeMode getResizeMode() const;
  void setCoordinateTransformation(ResizeCoordinateTransformation transform);
  ResizeCoordinateTransformation getCoordinateTransformation() const;
  void setNearestRounding(ResizeRoundMode mode);
  ResizeRoundMode getNearestRounding() const;
  // The cubic kernel's coefficient a (default -0.75, as PyTorch; TensorFlow uses -0.5).
  void setCubicCoeff(float a);
  float getCubicCoeff() const;
  // Linear and cubic: taps outside the input get weight 0 and the rest are renormalized, instead of repeating the
  // edge value. Nearest always picks an index inside the input, so this does not change it.
  void setExcludeOutside(bool exclude);
  bool getExcludeOutside() const;
  // Linear and cubic: when downsampling, stretch the filter by 1/scale so every input element contributes.
  void setAntialias(bool antialias);
  bool getAntialias() const;
  // kTF_CROP_AND_RESIZE: normalized region per axis, all starts then all ends (2 x rank values; default the whole
  // input), and the value written where a sample falls outside the input (default 0).
  void setRegionOfInterest(const float* roi, int32_t count);
  std::vector<float> getRegionOfInterest() const;
  void setExtrapolationValue(float value);
  float getExtrapolationValue() const;
  // Scales that map output to input coordinates when the output size is set otherwise (dimensions or a shape
  // tensor), in place of output/input per axis: ONNX keep_aspect_ratio_policy rounds sizes from one common scale.
  void setCoordinateScales(const float* scales, int32_t count);
  std::vector<float> getCoordinateScales() const;
};

class ShuffleLayer : public Layer {
 public:
  using Layer::Layer;
  // Applied before the reshape.
  void setFirstTranspose(const std::vector<int32_t>& permutation);
  // 0 copies the input dimension at that index (unless setZeroIsPlaceholder(false)); one -1 is inferred.
  void setReshapeDimensions(const Dims& dims);
  Dims getReshapeDimensions() const;
  // Applied after the reshape.
  void setSecondTranspose(const std::vector<int32_t>& permutation);
  void setZeroIsPlaceholder(bool placeholder);
};

class ConcatenationLayer : public Layer {
 public:
  using Layer::Layer;
  void setAxis(int32_t axis);
  int32_t getAxis() const;
};

class SliceLayer : public Layer {
 public:
  using Layer::Layer;
  void setMode(SampleMode mode);
  SampleMode getMode() const;
  void setStart(const Dims& start);
  void setSize(const Dims& size);
  void setStride(const Dims& stride);
  Dims getStart() const;
  Dims getSize() const;
  Dims getStride() const;
};

class GatherLayer : public Layer {
 public:
  using Layer::Layer;
  void setMode(GatherMode mode);
  GatherMode getMode() const;
  // Leading dimensions shared by data and indices (ONNX GatherND's batch_dims).
  void setNbElementWiseDims(int32_t count);
  int32_t getNbElementWiseDims() const;
  void setGatherAxis(int32_t axis);
  int32_t getGatherAxis() const;
};

class ReduceLayer : public Layer {
 public:
  using Layer::Layer;
  void setOperation(ReduceOperation op);
  ReduceOperation getOperation() const;
  void setReduceAxes(uint32_t axes);
  uint32_t getReduceAxes() const;
  void setKeepDimensions(bool keep);
  bool getKeepDimensions() const;
};

class TopKLayer : public Layer {
 public:
  using Layer::Layer;
  void setOperation(TopKOperation op);
  void setK(int64_t k);
  int64_t getK() const;
  void setReduceAxes(uint32_t axes);
};

// Output[i] = condition[i] ? then[i] : else[i], with numpy broadcasting of all three (ONNX Where).
class SelectLayer : public Layer {
  using Layer::Layer;
};

// A tensor generated from its shape: input 0 (optional) is a 1-D shape tensor giving the dimensions; inputs 1
// (alpha, a scalar) and 2 (beta, one value per axis) override the attributes when given.
class FillLayer : public Layer {
 public:
  using Layer::Layer;
  void setDimensions(const Dims& dims);
  void setOperation(FillOperation op);
  FillOperation getOperation() const;
  void setAlpha(double alpha);
  void setBeta(double beta);  // the step on every axis (kLINSPACE)
  void setToType(DataType type);
};

// Copies data to the output, then writes `updates` at the positions `indices` name (ONNX ScatterElements/ND).
class ScatterLayer : public Layer {
 public:
  using Layer::Layer;
  void setMode(ScatterMode mode);
  ScatterMode getMode() const;
  void setAxis(int32_t axis);  // kELEMENT only
  void setReduction(ScatterReduction reduction);
};

// Transposed convolution. Input N x C x spatial; kernel C x K/groups x kernel-size (ONNX ConvTranspose layout).
class DeconvolutionLayer : public Layer {
 public:
  using Layer::Layer;
  void setStrideNd(const Dims& stride);
  void setPrePadding(const Dims& padding);
  void setPostPadding(const Dims& padding);
  void setPaddingNd(const Dims& padding);
  void setDilationNd(const Dims& dilation);
  void setNbGroups(int64_t groups);
  // Extra elements at the end of each spatial axis of the output (ONNX output_padding).
  void setOutputPadding(const Dims& padding);
};

// (x - mean) / sqrt(variance + epsilon) * scale + bias, mean and variance over the axes in the mask; with groups
// the channel axis (1) is split into that many groups first (layer, instance and group normalization).
class NormalizationLayer : public Layer {
 public:
  using Layer::Layer;
  void setEpsilon(double epsilon);
  double getEpsilon() const;
  void setAxes(uint32_t axesMask);
  uint32_t getAxes() const;
  void setNbGroups(int64_t groups);
};

// Running sum along one axis (ONNX CumSum). Input 1, when set, is a one-element int32/int64 tensor giving the axis
// at run time in place of setAxis (it does not change the output shape).
class CumulativeLayer : public Layer {
 public:
  using Layer::Layer;
  void setAxis(int32_t axis);
  void setExclusive(bool exclusive);
  void setReverse(bool reverse);
};

// ONNX OneHot: inputs indices, values ([off, on]), depth (a scalar shape tensor); a new axis of size depth.
class OneHotLayer : public Layer {
 public:
  using Layer::Layer;
  void setAxis(int32_t axis);
};

// Einstein summation over the inputs, e.g. "ij,jk->ik".
class EinsumLayer : public Layer {
 public:
  using Layer::Layer;
  void setEquation(const char* equation);
};

// Local response normalization across channels (ONNX LRN).
class LRNLayer : public Layer {
 public:
  using Layer::Layer;
  void setWindowSize(int64_t size);
  void setAlpha(double alpha);
  void setBeta(double beta);
  void setK(double k);
};

// A one-layer recurrent network over a sequence (ONNX RNN, GRU and LSTM, with their input order and weight layouts):
// inputs X, W, R, then optional B (1), sequence_lens (int32), initial_h, initial_c (LSTM), P (LSTM peepholes) at
// indices 3-7, set with setInput. Outputs Y, Y_h and (LSTM) Y_c. The hidden size is R's last dimension.
class RecurrenceLayer : public Layer {
 public:
  using Layer::Layer;
  void setDirection(RecurrenceDirection direction);
  RecurrenceDirection getDirection() const;
  // Batch-major tensors (ONNX layout=1): X is batch x sequence x input, Y batch x sequence x directions x hidden and
  // the states batch x directions x hidden; otherwise sequence, directions and batch come first in that order.
  void setBatchFirst(bool batchFirst);
  bool getBatchFirst() const;
  // The cell's activation functions in ONNX order: f (RNN); f, g (GRU); f, g, h (LSTM); bidirectional repeats them
  // for the reverse pass. alphas and betas give each function's parameters as for ActivationLayer. Defaults: tanh
  // (RNN), sigmoid and tanh (GRU), sigmoid, tanh and tanh (LSTM).
  void setActivations(const std::vector<ActivationType>& types, const std::vector<double>& alphas,
                      const std::vector<double>& betas);
  // Bounds every activation input to [-clip, clip]; a value <= 0 (the default) disables clipping.
  void setClip(double clip);
  // GRU: applies the reset gate after multiplying the previous hidden state by R (ONNX linear_before_reset).
  void setLinearBeforeReset(bool linearBeforeReset);
  // LSTM: the forget gate is 1 - the input gate (ONNX input_forget).
  void setInputForget(bool inputForget);
};

// Samples the N x C x H x W input at the N x H_out x W_out x 2 grid of (x, y) positions, normalized to [-1, 1]
// (ONNX GridSample). The output is N x C x H_out x W_out.
class GridSampleLayer : public Layer {
 public:
  using Layer::Layer;
  // kNEAREST (half to even), kLINEAR (bilinear) or kCUBIC (bicubic, coefficient -0.75).
  void setInterpolationMode(ResizeMode mode);
  void setPaddingMode(GridSamplePadding padding);
  // -1 and 1 are the centers of the corner elements (true) or the outer edges of the corner elements (false).
  void setAlignCorners(bool alignCorners);
};

// Determinant of each square matrix in the trailing two axes: [..., M, M] gives [...].
class DeterminantLayer : public Layer {
  using Layer::Layer;
};

// Converts every element to another type. Floats become integers truncated toward zero (NaN gives 0); fp32 and
// fp64 become bf16 by dropping the low mantissa bits, as ONNX's reference Cast and test data do.
class CastLayer : public Layer {
 public:
  using Layer::Layer;
  void setToType(DataType type);
  DataType getToType() const;
};

}  // namespace kiln
