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

// A tensor of a network definition: a network input or a layer's output. Owned by its NetworkDefinition; the pointer
// stays valid for the network's lifetime.
class Tensor {
 public:
  Tensor(const Tensor&) = delete;
  Tensor& operator=(const Tensor&) = delete;

  // The tensor's name, unique in the network; a layer's outputs are named "<layer>_output_<index>" until renamed.
  const char* getName() const;
  // Renames the tensor. Throws kiln::Error (kINVALID_ARGUMENT) for an empty name or one another tensor has.
  void setName(const char* name);
  // The element type: given for an input, inferred for a layer's output.
  DataType getType() const;
  // Dimensions with -1 where the size depends on the input shapes at run time.
  Dims getDimensions() const;
  // The dimension as an expression over the network inputs, e.g. "floor((in.2+2-3)/2)+1". Throws kiln::Error
  // (kINVALID_ARGUMENT) for an axis outside [0, rank).
  std::string getDimensionExpression(int32_t axis) const;
  // True for a tensor made by NetworkDefinition::addInput.
  bool isNetworkInput() const;
  // True while the tensor is marked with NetworkDefinition::markOutput.
  bool isNetworkOutput() const;
  // True when the tensor's values are known at build time as expressions of the input shapes and shape-input values
  // (a shape tensor).
  bool isShapeTensor() const;
  // True for a network input marked with NetworkDefinition::markShapeInput.
  bool isShapeInput() const;

 private:
  friend class NetworkDefinition;
  friend class graph::NetworkAccess;
  Tensor(NetworkDefinition& network, int32_t id) : network_(&network), id_(id) {}
  NetworkDefinition* network_;
  int32_t id_;
};

// A network being defined: inputs, layers (each added with an add* call) and marked outputs, as TensorRT's
// INetworkDefinition. Shapes are inferred symbolically as each layer is added: an add* call whose inputs do not fit
// the layer throws kiln::Error (kINVALID_ARGUMENT or kINVALID_GRAPH, naming the layer) and adds nothing. Layers get
// the name "<Type>_<index>" (e.g. "Convolution_3") until Layer::setName. The returned Tensor and Layer pointers are
// owned by the network.
class NetworkDefinition {
 public:
  // An empty network; `logger` must outlive it.
  explicit NetworkDefinition(Logger& logger = nullLogger());
  // Frees every tensor and layer of the network.
  ~NetworkDefinition();
  NetworkDefinition(const NetworkDefinition&) = delete;
  NetworkDefinition& operator=(const NetworkDefinition&) = delete;

  // Adds a network input. -1 in `dims` marks a dynamic dimension, to be covered by an optimization profile. Throws
  // kiln::Error (kINVALID_ARGUMENT) for an empty or taken name, an invalid type, or a dimension below -1.
  Tensor* addInput(const char* name, DataType type, const Dims& dims);
  // Makes an int32/int64 input of rank 0 or 1 (static length, at most 64 elements) a shape input: its values, like
  // dimensions, may size other tensors (a reshape's target, a slice's starts, a fill's shape). They are read from
  // host memory (the address given to setTensorAddress) when shapes are resolved, and each optimization profile
  // bounds them with OptimizationProfile::setShapeValues. Throws kiln::Error (kINVALID_ARGUMENT) for another tensor.
  void markShapeInput(Tensor& input);
  // Makes the tensor a network output (outputs keep the order they were marked in); marking twice does nothing.
  void markOutput(Tensor& tensor);
  // Undoes markOutput. Throws kiln::Error (kINVALID_ARGUMENT) when the tensor is not an output.
  void unmarkOutput(Tensor& tensor);

  // A tensor of constant values, copied from `weights` (weights.count must equal the volume of `dims`, which may
  // hold no -1). Throws kiln::Error (kINVALID_ARGUMENT) otherwise.
  ConstantLayer* addConstant(const Dims& dims, const Weights& weights);
  // Copies its input to its output.
  IdentityLayer* addIdentity(Tensor& input);
  // A convolution with constant weights. Input NC<spatial>; kernel weights K x C/groups x <kernelSize> (their count
  // gives C/groups); bias of K values or empty. Throws kiln::Error (kINVALID_ARGUMENT) for a weight count that is
  // not a multiple of nbOutputMaps x the kernel volume.
  ConvolutionLayer* addConvolutionNd(Tensor& input, int64_t nbOutputMaps, const Dims& kernelSize,
                                     const Weights& kernelWeights, const Weights& biasWeights);
  // Convolution whose kernel (and optional bias, null for none) are tensors of the network.
  ConvolutionLayer* addConvolution(Tensor& input, Tensor& kernel, Tensor* bias);
  // op(a) x op(b) over the last two axes, the leading axes broadcast (a vector operand is treated as in numpy).
  MatrixMultiplyLayer* addMatrixMultiply(Tensor& a, MatrixOperation opA, Tensor& b, MatrixOperation opB);
  // `op` applied to a and b element by element, with numpy broadcasting.
  ElementWiseLayer* addElementWise(Tensor& a, Tensor& b, ElementWiseOperation op);
  // An activation function applied to every element; alpha and beta are set on the layer.
  ActivationLayer* addActivation(Tensor& input, ActivationType type);
  // A one-input function applied to every element.
  UnaryLayer* addUnary(Tensor& input, UnaryOperation op);
  // Pooling over the spatial axes (all but the first two) with a window of `windowSize` elements.
  PoolingLayer* addPoolingNd(Tensor& input, PoolingType type, const Dims& windowSize);
  // Max pooling with a second output: int64 indices of each maximum into the flattened input (first maximum on
  // ties, row-major unless setIndicesColumnMajor).
  PoolingLayer* addMaxPoolingWithIndices(Tensor& input, const Dims& windowSize);
  // Softmax over one axis (the last unless SoftMaxLayer::setAxes).
  SoftMaxLayer* addSoftMax(Tensor& input);
  // Resizes the input; the output size comes from ResizeLayer's settings or a shape tensor as input 1.
  ResizeLayer* addResize(Tensor& input);
  // Transpose, reshape, transpose (ShuffleLayer); an identity until configured.
  ShuffleLayer* addShuffle(Tensor& input);
  // Joins `count` tensors along `axis`. Shapes are checked as the layer is added, so inputs that differ on a
  // non-zero axis need that axis here. Throws kiln::Error (kINVALID_ARGUMENT) for no inputs or a null one.
  ConcatenationLayer* addConcatenation(Tensor* const* inputs, int32_t count, int32_t axis = 0);
  // Same, for a vector of inputs.
  ConcatenationLayer* addConcatenation(const std::vector<Tensor*>& inputs, int32_t axis = 0);
  // A strided window of the input: `size` elements per axis from `start`, stepping by `stride`.
  SliceLayer* addSlice(Tensor& input, const Dims& start, const Dims& size, const Dims& stride);
  // Picks entries of `data` along `axis` at `indices` (ONNX Gather).
  GatherLayer* addGather(Tensor& data, Tensor& indices, int32_t axis);
  // A gather in `mode` (axis 0, no batch dimensions), shape-checked as that mode from the start.
  GatherLayer* addGatherV2(Tensor& data, Tensor& indices, GatherMode mode);
  // Reduces the axes whose bits are set in `reduceAxes` (bit i: axis i), keeping them as size 1 if keepDimensions.
  ReduceLayer* addReduce(Tensor& input, ReduceOperation op, uint32_t reduceAxes, bool keepDimensions);
  // The k largest or smallest values along the one axis set in `reduceAxes`. Outputs: values, and int32 indices
  // along that axis.
  TopKLayer* addTopK(Tensor& input, TopKOperation op, int64_t k, uint32_t reduceAxes);
  // A 1-D int64 tensor holding the input's dimensions.
  ShapeLayer* addShape(Tensor& input);
  // Converts the input to `toType` (see CastLayer). Throws kiln::Error (kINVALID_ARGUMENT) for an invalid type.
  CastLayer* addCast(Tensor& input, DataType toType);
  // condition ? thenInput : elseInput, element by element (see SelectLayer).
  SelectLayer* addSelect(Tensor& condition, Tensor& thenInput, Tensor& elseInput);
  // A generated tensor of `type` (see FillLayer). `dims` may hold no -1; for a dynamic shape give a shape tensor as
  // input 0 with setInput.
  FillLayer* addFill(const Dims& dims, FillOperation op, DataType type);
  // Writes `updates` into a copy of `data` at `indices` (see ScatterLayer). kELEMENT scatters along `axis`, given
  // here because the shape check depends on it (indices may be longer than data on that axis only).
  ScatterLayer* addScatter(Tensor& data, Tensor& indices, Tensor& updates, ScatterMode mode, int32_t axis = 0);
  // A transposed convolution whose kernel (and optional bias, null for none) are tensors (see DeconvolutionLayer).
  DeconvolutionLayer* addDeconvolution(Tensor& input, Tensor& kernel, Tensor* bias);
  // Normalizes over the axes set in `axesMask` (see NormalizationLayer). scale and bias broadcast against the input
  // (e.g. [C] for layer norm over the last axis, [1,C,1,1] per channel).
  NormalizationLayer* addNormalization(Tensor& input, Tensor& scale, Tensor& bias, uint32_t axesMask);
  // A running `op` along `axis`; exclusive leaves out the current element, reverse runs from the end.
  CumulativeLayer* addCumulative(Tensor& input, int32_t axis, CumulativeOperation op, bool exclusive, bool reverse);
  // One-hot encoding with a new axis at `axis` (see OneHotLayer).
  OneHotLayer* addOneHot(Tensor& indices, Tensor& values, Tensor& depth, int32_t axis);
  // Einstein summation of `inputs` as `equation` says, e.g. "ij,jk->ik". Throws kiln::Error (kINVALID_ARGUMENT) for
  // a null input.
  EinsumLayer* addEinsum(const std::vector<Tensor*>& inputs, const char* equation);
  // Local response normalization across channels over `windowSize` channels (ONNX LRN's size, alpha, beta, bias).
  LRNLayer* addLRN(Tensor& input, int64_t windowSize, double alpha, double beta, double k);
  // A recurrence over `input` with weights W [directions, gates * hidden, input] and recurrent weights R
  // [directions, gates * hidden, hidden]; optional inputs are set with Layer::setInput (see RecurrenceLayer).
  RecurrenceLayer* addRecurrence(Tensor& input, Tensor& weights, Tensor& recurrentWeights, RecurrenceCell cell,
                                 RecurrenceDirection direction);
  // Samples `input` at the positions in `grid`; bilinear, zero padding, align_corners off until set otherwise.
  GridSampleLayer* addGridSample(Tensor& input, Tensor& grid);
  // The determinant of each square matrix in the last two axes.
  DeterminantLayer* addDeterminant(Tensor& input);
  // A layer running `plugin` on `inputs`. The network keeps the plugin's name, version, namespace and fields
  // (getFieldsToSerialize), not the object: its creator must be registered (getPluginRegistry), as building and
  // loading the plan recreate the plugin through it. Throws kiln::Error (kINVALID_ARGUMENT) naming the plugin when it
  // is not; kINVALID_GRAPH when the plugin's types or shapes do not fit the inputs.
  PluginV3Layer* addPluginV3(const std::vector<Tensor*>& inputs, const IPluginV3& plugin);

  // The number of network inputs.
  int32_t getNbInputs() const;
  // Input `index` in the order added; nullptr for an index out of range.
  Tensor* getInput(int32_t index) const;
  // The number of marked outputs.
  int32_t getNbOutputs() const;
  // Output `index` in the order marked; nullptr for an index out of range.
  Tensor* getOutput(int32_t index) const;
  // The number of layers added.
  int32_t getNbLayers() const;
  // Layer `index` in the order added; nullptr for an index out of range.
  Layer* getLayer(int32_t index) const;
  // The tensor named `name`; nullptr when no tensor has that name.
  Tensor* getTensor(const char* name) const;

  // The logger given at construction.
  Logger& logger() const { return *logger_; }

 private:
  friend class graph::NetworkAccess;
  template <typename L>
  L* addLayer(int32_t layerId);
  Tensor* newTensorHandle(int32_t id);
  Tensor* tensorHandle(int32_t id) const;
  Layer* layerHandle(int32_t id) const;
  void reinferFrom(int32_t firstLayer);

  // The graph IR together with the Tensor and Layer handles, defined in the library's sources (pimpl: the layout of
  // this class does not depend on them). Named for the graph, which is what the implementation reads through it.
  struct Impl;
  Logger* logger_;
  std::unique_ptr<Impl> graph_;
};

}  // namespace kiln
