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
  kCONSTANT, kCONVOLUTION, kMATRIX_MULTIPLY, kELEMENTWISE, kACTIVATION, kUNARY, kPOOLING, kSOFTMAX,
  kRESIZE, kSHUFFLE, kCONCATENATION, kSLICE, kGATHER, kREDUCE, kTOPK, kSHAPE, kCAST, kIDENTITY,
  kSHAPE_VALUES,  // internal: a shape-valued tensor materialized by the builder
};
const char* layerTypeName(LayerType type);

enum class ElementWiseOperation : int32_t {
  kSUM, kPROD, kMAX, kMIN, kSUB, kDIV, kPOW, kFLOOR_DIV, kAND, kOR, kXOR, kEQUAL, kGREATER, kLESS, kMOD, kFMOD,
};
enum class ActivationType : int32_t {
  kRELU, kSIGMOID, kTANH, kLEAKY_RELU, kELU, kSELU, kSOFTSIGN, kSOFTPLUS, kCLIP, kHARD_SIGMOID, kSCALED_TANH,
  kTHRESHOLDED_RELU, kGELU_ERF, kGELU_TANH,
};
enum class UnaryOperation : int32_t {
  kEXP, kLOG, kSQRT, kRECIP, kABS, kNEG, kSIN, kCOS, kTAN, kSINH, kCOSH, kASIN, kACOS, kATAN, kASINH, kACOSH,
  kATANH, kCEIL, kFLOOR, kERF, kNOT, kSIGN, kROUND, kISINF, kISNAN,
};
enum class PoolingType : int32_t { kMAX, kAVERAGE };
enum class ReduceOperation : int32_t { kSUM, kPROD, kMAX, kMIN, kAVG };
enum class TopKOperation : int32_t { kMAX, kMIN };
enum class MatrixOperation : int32_t { kNONE, kTRANSPOSE };
enum class ResizeMode : int32_t { kNEAREST, kLINEAR };
// How an output coordinate maps to an input coordinate (ONNX Resize's coordinate_transformation_mode).
enum class ResizeCoordinateTransformation : int32_t { kHALF_PIXEL, kASYMMETRIC, kALIGN_CORNERS, kPYTORCH_HALF_PIXEL };
enum class ResizeRoundMode : int32_t { kHALF_DOWN, kHALF_UP, kFLOOR, kCEIL };

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

class ConstantLayer : public Layer { using Layer::Layer; };
class IdentityLayer : public Layer { using Layer::Layer; };
class ShapeLayer : public Layer { using Layer::Layer; };

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
  // The window covers every spatial element; the window size is then taken from the input at run time.
  void setGlobal(bool global);
  bool getGlobal() const;
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

class CastLayer : public Layer {
 public:
  using Layer::Layer;
  void setToType(DataType type);
  DataType getToType() const;
};

}  // namespace kiln
