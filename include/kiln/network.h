// NetworkDefinition: tensors and layers with shapes inferred symbolically as layers are added.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "kiln/layers.h"
#include "kiln/logger.h"
#include "kiln/types.h"

namespace kiln {

namespace graph {
struct Graph;
}

class Tensor {
 public:
  Tensor(const Tensor&) = delete;
  Tensor& operator=(const Tensor&) = delete;

  const char* getName() const;
  void setName(const char* name);
  DataType getType() const;
  // Dimensions with -1 where the size depends on the input shapes at run time.
  Dims getDimensions() const;
  // The dimension as an expression over the network inputs, e.g. "floor((in.2+2-3)/2)+1".
  std::string getDimensionExpression(int32_t axis) const;
  bool isNetworkInput() const;
  bool isNetworkOutput() const;
  // True when the tensor's values are known at build time as expressions of the input shapes and shape-input values
  // (a shape tensor).
  bool isShapeTensor() const;
  // True for a network input marked with NetworkDefinition::markShapeInput.
  bool isShapeInput() const;
  // Index into the network's internal tensor table.
  int32_t id() const { return id_; }

 private:
  friend class NetworkDefinition;
  Tensor(NetworkDefinition& network, int32_t id) : network_(&network), id_(id) {}
  NetworkDefinition* network_;
  int32_t id_;
};

class NetworkDefinition {
 public:
  explicit NetworkDefinition(Logger& logger = nullLogger());
  ~NetworkDefinition();
  NetworkDefinition(const NetworkDefinition&) = delete;
  NetworkDefinition& operator=(const NetworkDefinition&) = delete;

  // -1 in `dims` marks a dynamic dimension, to be covered by an optimization profile.
  Tensor* addInput(const char* name, DataType type, const Dims& dims);
  // Makes an int32/int64 input of rank 0 or 1 (static length, at most 64 elements) a shape input: its values, like
  // dimensions, may size other tensors (a reshape's target, a slice's starts, a fill's shape). They are read from
  // host memory (the address given to setTensorAddress) when shapes are resolved, and each optimization profile
  // bounds them with OptimizationProfile::setShapeValues.
  void markShapeInput(Tensor& input);
  void markOutput(Tensor& tensor);
  void unmarkOutput(Tensor& tensor);

  ConstantLayer* addConstant(const Dims& dims, const Weights& weights);
  IdentityLayer* addIdentity(Tensor& input);
  // Input NC<spatial>; kernel weights K x C/groups x <kernelSize>; bias of K values or empty.
  ConvolutionLayer* addConvolutionNd(Tensor& input, int64_t nbOutputMaps, const Dims& kernelSize,
                                     const Weights& kernelWeights, const Weights& biasWeights);
  // Convolution whose kernel (and optional bias) are tensors of the network.
  ConvolutionLayer* addConvolution(Tensor& input, Tensor& kernel, Tensor* bias);
  MatrixMultiplyLayer* addMatrixMultiply(Tensor& a, MatrixOperation opA, Tensor& b, MatrixOperation opB);
  ElementWiseLayer* addElementWise(Tensor& a, Tensor& b, ElementWiseOperation op);
  ActivationLayer* addActivation(Tensor& input, ActivationType type);
  UnaryLayer* addUnary(Tensor& input, UnaryOperation op);
  PoolingLayer* addPoolingNd(Tensor& input, PoolingType type, const Dims& windowSize);
  // Max pooling with a second output: int64 indices of each maximum into the flattened input (first maximum on
  // ties, row-major unless setIndicesColumnMajor).
  PoolingLayer* addMaxPoolingWithIndices(Tensor& input, const Dims& windowSize);
  SoftMaxLayer* addSoftMax(Tensor& input);
  ResizeLayer* addResize(Tensor& input);
  ShuffleLayer* addShuffle(Tensor& input);
  // Shapes are checked as the layer is added, so inputs that differ on a non-zero axis need that axis here.
  ConcatenationLayer* addConcatenation(Tensor* const* inputs, int32_t count, int32_t axis = 0);
  ConcatenationLayer* addConcatenation(const std::vector<Tensor*>& inputs, int32_t axis = 0);
  SliceLayer* addSlice(Tensor& input, const Dims& start, const Dims& size, const Dims& stride);
  GatherLayer* addGather(Tensor& data, Tensor& indices, int32_t axis);
  // A gather in `mode` (axis 0, no batch dimensions), shape-checked as that mode from the start.
  GatherLayer* addGatherV2(Tensor& data, Tensor& indices, GatherMode mode);
  ReduceLayer* addReduce(Tensor& input, ReduceOperation op, uint32_t reduceAxes, bool keepDimensions);
  // Outputs: values, and int32 indices along the reduced axis.
  TopKLayer* addTopK(Tensor& input, TopKOperation op, int64_t k, uint32_t reduceAxes);
  // A 1-D int64 tensor holding the input's dimensions.
  ShapeLayer* addShape(Tensor& input);
  CastLayer* addCast(Tensor& input, DataType toType);
  SelectLayer* addSelect(Tensor& condition, Tensor& thenInput, Tensor& elseInput);
  // `dims` may hold no -1; for a dynamic shape give a shape tensor as input 0 with setInput.
  FillLayer* addFill(const Dims& dims, FillOperation op, DataType type);
  // kELEMENT scatters along `axis`, given here because the shape check depends on it (indices may be longer than
  // data on that axis only).
  ScatterLayer* addScatter(Tensor& data, Tensor& indices, Tensor& updates, ScatterMode mode, int32_t axis = 0);
  DeconvolutionLayer* addDeconvolution(Tensor& input, Tensor& kernel, Tensor* bias);
  // scale and bias broadcast against the input (e.g. [C] for layer norm over the last axis, [1,C,1,1] per channel).
  NormalizationLayer* addNormalization(Tensor& input, Tensor& scale, Tensor& bias, uint32_t axesMask);
  CumulativeLayer* addCumulative(Tensor& input, int32_t axis, CumulativeOperation op, bool exclusive, bool reverse);
  OneHotLayer* addOneHot(Tensor& indices, Tensor& values, Tensor& depth, int32_t axis);
  EinsumLayer* addEinsum(const std::vector<Tensor*>& inputs, const char* equation);
  LRNLayer* addLRN(Tensor& input, int64_t windowSize, double alpha, double beta, double k);
  // A recurrence over `input` with weights W [directions, gates * hidden, input] and recurrent weights R
  // [directions, gates * hidden, hidden]; optional inputs are set with Layer::setInput (see RecurrenceLayer).
  RecurrenceLayer* addRecurrence(Tensor& input, Tensor& weights, Tensor& recurrentWeights, RecurrenceCell cell,
                                 RecurrenceDirection direction);
  GridSampleLayer* addGridSample(Tensor& input, Tensor& grid);
  DeterminantLayer* addDeterminant(Tensor& input);

  int32_t getNbInputs() const;
  Tensor* getInput(int32_t index) const;
  int32_t getNbOutputs() const;
  Tensor* getOutput(int32_t index) const;
  int32_t getNbLayers() const;
  Layer* getLayer(int32_t index) const;
  // nullptr when no tensor has that name.
  Tensor* getTensor(const char* name) const;

  Logger& logger() const { return *logger_; }

  // Internal representation, for the builder and importers.
  const graph::Graph& graph() const { return *graph_; }
  graph::Graph& graph() { return *graph_; }
  Tensor* tensorHandle(int32_t id) const;
  Layer* layerHandle(int32_t id) const;
  // Re-runs shape inference for layers from `firstLayer` on; throws kiln::Error naming the layer at fault.
  void reinferFrom(int32_t firstLayer);

 private:
  template <typename L>
  L* addLayer(int32_t layerId);
  Tensor* newTensorHandle(int32_t id);

  Logger* logger_;
  std::unique_ptr<graph::Graph> graph_;
  std::vector<std::unique_ptr<Tensor>> tensors_;
  std::vector<std::unique_ptr<Layer>> layers_;
};

}  // namespace kiln
