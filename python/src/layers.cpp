// Tensor, Layer and every layer class of layers.h, with TensorRT's Python property names. Tensors and layers are
// owned by their network: each Python handle keeps the network alive.
#include <pybind11/stl.h>

#include <string>
#include <vector>

#include "bindings.h"
#include "kiln/network.h"
#include "layer_downcast.h"

namespace kiln::python {

namespace {

constexpr auto kInternal = py::return_value_policy::reference_internal;

template <typename L>
using LayerClass = py::class_<L, Layer, std::unique_ptr<L, py::nodelete>>;

// Convolution and deconvolution share their spatial settings.
template <typename L>
void bindSpatialSettings(LayerClass<L>& layer) {
  layer.def_property("stride_nd", &L::getStrideNd, &L::setStrideNd, "Step per spatial axis.")
      .def_property("pre_padding", &L::getPrePadding, &L::setPrePadding, "Padding before each spatial axis.")
      .def_property("post_padding", &L::getPostPadding, &L::setPostPadding, "Padding after each spatial axis.")
      .def_property("padding_nd", &L::getPaddingNd, &L::setPaddingNd, "The same padding before and after.")
      .def_property("dilation_nd", &L::getDilationNd, &L::setDilationNd, "Spacing between kernel taps.")
      .def_property("num_groups", &L::getNbGroups, &L::setNbGroups, "Channel groups (depthwise: groups = C).");
}

void bindTensorAndLayer(py::module_& module) {
  py::class_<Tensor, std::unique_ptr<Tensor, py::nodelete>>(
      module, "Tensor", "A tensor of a network definition (kiln::Tensor); owned by its network.")
      .def_property(
          "name", [](const Tensor& t) { return std::string(t.getName()); },
          [](Tensor& t, const std::string& name) { t.setName(name.c_str()); }, "The tensor's unique name.")
      .def_property_readonly("dtype", &Tensor::getType, "The element type.")
      .def_property_readonly("shape", &Tensor::getDimensions, "Dimensions, -1 where known only at run time.")
      .def("get_dimension_expression", &Tensor::getDimensionExpression, py::arg("axis"),
           "The dimension as an expression of the inputs, e.g. 'floor((in.2+2-3)/2)+1'.")
      .def_property_readonly("is_network_input", &Tensor::isNetworkInput)
      .def_property_readonly("is_network_output", &Tensor::isNetworkOutput)
      .def_property_readonly("is_shape_tensor", &Tensor::isShapeTensor)
      .def_property_readonly("is_shape_input", &Tensor::isShapeInput)
      .def("__repr__", [](const Tensor& t) {
        return std::string("<kiln.Tensor '") + t.getName() + "' " + dataTypeName(t.getType()) + " " +
               toString(t.getDimensions()) + ">";
      });

  py::class_<Layer, std::unique_ptr<Layer, py::nodelete>>(
      module, "Layer", "Base of every layer (kiln::Layer); get_layer answers the layer's own class.")
      .def_property_readonly("type", &Layer::getType, "The LayerType (ActivationLayer and PoolingLayer shadow it).")
      .def_property_readonly("layer_type", &Layer::getType, "The LayerType, never shadowed.")
      .def_property(
          "name", [](const Layer& l) { return std::string(l.getName()); },
          [](Layer& l, const std::string& name) { l.setName(name.c_str()); }, "'<Type>_<index>' until set.")
      .def_property_readonly("num_inputs", &Layer::getNbInputs)
      .def("get_input", &Layer::getInput, py::arg("index"), kInternal, "Input index; None where not set.")
      .def_property_readonly("num_outputs", &Layer::getNbOutputs)
      .def("get_output", &Layer::getOutput, py::arg("index"), kInternal, "Output index; None out of range.")
      .def("set_input", &Layer::setInput, py::arg("index"), py::arg("tensor"),
           "Replaces (or adds) input index, e.g. a shape tensor as input 1 of a shuffle.")
      .def("__repr__", [](const Layer& l) {
        return std::string("<kiln.") + layerTypeName(l.getType()) + "Layer '" + l.getName() + "'>";
      });
}

void bindComputeLayers(py::module_& module) {
  LayerClass<ConstantLayer>(module, "ConstantLayer");
  LayerClass<IdentityLayer>(module, "IdentityLayer");
  LayerClass<ShapeLayer>(module, "ShapeLayer");
  LayerClass<SelectLayer>(module, "SelectLayer");
  LayerClass<DeterminantLayer>(module, "DeterminantLayer");
  LayerClass<PluginV3Layer>(module, "PluginV3Layer")
      .def_property_readonly("plugin_name", &PluginV3Layer::getPluginName)
      .def_property_readonly("plugin_version", &PluginV3Layer::getPluginVersion)
      .def_property_readonly("plugin_namespace", &PluginV3Layer::getPluginNamespace);

  LayerClass<ConvolutionLayer> convolution(module, "ConvolutionLayer");
  bindSpatialSettings(convolution);
  convolution.def_property("padding_mode", &ConvolutionLayer::getPaddingMode, &ConvolutionLayer::setPaddingMode);

  LayerClass<DeconvolutionLayer> deconvolution(module, "DeconvolutionLayer");
  bindSpatialSettings(deconvolution);
  deconvolution.def_property("output_padding", &DeconvolutionLayer::getOutputPadding,
                             &DeconvolutionLayer::setOutputPadding);

  LayerClass<MatrixMultiplyLayer>(module, "MatrixMultiplyLayer")
      .def_property(
          "op0", [](const MatrixMultiplyLayer& l) { return l.getOperation(0); },
          [](MatrixMultiplyLayer& l, MatrixOperation op) { l.setOperation(0, op); })
      .def_property(
          "op1", [](const MatrixMultiplyLayer& l) { return l.getOperation(1); },
          [](MatrixMultiplyLayer& l, MatrixOperation op) { l.setOperation(1, op); });
  LayerClass<ElementWiseLayer>(module, "ElementWiseLayer")
      .def_property("op", &ElementWiseLayer::getOperation, &ElementWiseLayer::setOperation);
  LayerClass<ActivationLayer>(module, "ActivationLayer")
      .def_property("type", &ActivationLayer::getActivationType, &ActivationLayer::setActivationType)
      .def_property("alpha", &ActivationLayer::getAlpha, &ActivationLayer::setAlpha)
      .def_property("beta", &ActivationLayer::getBeta, &ActivationLayer::setBeta);
  LayerClass<UnaryLayer>(module, "UnaryLayer").def_property("op", &UnaryLayer::getOperation, &UnaryLayer::setOperation);
  LayerClass<PoolingLayer>(module, "PoolingLayer")
      .def_property("type", &PoolingLayer::getPoolingType, &PoolingLayer::setPoolingType)
      .def_property("window_size_nd", &PoolingLayer::getWindowSizeNd, &PoolingLayer::setWindowSizeNd)
      .def_property("stride_nd", &PoolingLayer::getStrideNd, &PoolingLayer::setStrideNd)
      .def_property("pre_padding", &PoolingLayer::getPrePadding, &PoolingLayer::setPrePadding)
      .def_property("post_padding", &PoolingLayer::getPostPadding, &PoolingLayer::setPostPadding)
      .def_property("padding_nd", &PoolingLayer::getPaddingNd, &PoolingLayer::setPaddingNd)
      .def_property("dilation_nd", &PoolingLayer::getDilationNd, &PoolingLayer::setDilationNd)
      .def_property("average_count_excludes_padding", &PoolingLayer::getAverageCountExcludesPadding,
                    &PoolingLayer::setAverageCountExcludesPadding)
      .def_property("ceil_mode", &PoolingLayer::getCeilMode, &PoolingLayer::setCeilMode)
      .def_property("padding_mode", &PoolingLayer::getPaddingMode, &PoolingLayer::setPaddingMode)
      .def_property("global_pooling", &PoolingLayer::getGlobal, &PoolingLayer::setGlobal)
      .def_property("indices_column_major", &PoolingLayer::getIndicesColumnMajor, &PoolingLayer::setIndicesColumnMajor);
  LayerClass<SoftMaxLayer>(module, "SoftMaxLayer")
      .def_property("axes", &SoftMaxLayer::getAxes, &SoftMaxLayer::setAxes, "One bit set: the axis.")
      .def_property("log", &SoftMaxLayer::getLog, &SoftMaxLayer::setLog, "Log-softmax instead.");
  LayerClass<NormalizationLayer>(module, "NormalizationLayer")
      .def_property("epsilon", &NormalizationLayer::getEpsilon, &NormalizationLayer::setEpsilon)
      .def_property("axes", &NormalizationLayer::getAxes, &NormalizationLayer::setAxes)
      .def_property("num_groups", &NormalizationLayer::getNbGroups, &NormalizationLayer::setNbGroups);
  LayerClass<LRNLayer>(module, "LRNLayer")
      .def_property("window_size", &LRNLayer::getWindowSize, &LRNLayer::setWindowSize)
      .def_property("alpha", &LRNLayer::getAlpha, &LRNLayer::setAlpha)
      .def_property("beta", &LRNLayer::getBeta, &LRNLayer::setBeta)
      .def_property("k", &LRNLayer::getK, &LRNLayer::setK);
  LayerClass<CastLayer>(module, "CastLayer").def_property("to_type", &CastLayer::getToType, &CastLayer::setToType);
  LayerClass<EinsumLayer>(module, "EinsumLayer")
      .def_property(
          "equation", [](const EinsumLayer& l) { return std::string(l.getEquation()); },
          [](EinsumLayer& l, const std::string& equation) { l.setEquation(equation.c_str()); });
  LayerClass<RecurrenceLayer>(module, "RecurrenceLayer")
      .def_property("direction", &RecurrenceLayer::getDirection, &RecurrenceLayer::setDirection)
      .def_property("batch_first", &RecurrenceLayer::getBatchFirst, &RecurrenceLayer::setBatchFirst)
      .def("set_activations", &RecurrenceLayer::setActivations, py::arg("types"), py::arg("alphas"), py::arg("betas"))
      .def_property_readonly("activations", &RecurrenceLayer::getActivations)
      .def_property_readonly("activation_alphas", &RecurrenceLayer::getActivationAlphas)
      .def_property_readonly("activation_betas", &RecurrenceLayer::getActivationBetas)
      .def_property("clip", &RecurrenceLayer::getClip, &RecurrenceLayer::setClip)
      .def_property("linear_before_reset", &RecurrenceLayer::getLinearBeforeReset,
                    &RecurrenceLayer::setLinearBeforeReset)
      .def_property("input_forget", &RecurrenceLayer::getInputForget, &RecurrenceLayer::setInputForget);
  LayerClass<GridSampleLayer>(module, "GridSampleLayer")
      .def_property("interpolation_mode", &GridSampleLayer::getInterpolationMode,
                    &GridSampleLayer::setInterpolationMode)
      .def_property("padding_mode", &GridSampleLayer::getPaddingMode, &GridSampleLayer::setPaddingMode)
      .def_property("align_corners", &GridSampleLayer::getAlignCorners, &GridSampleLayer::setAlignCorners);
}

void bindDataMovementLayers(py::module_& module) {
  LayerClass<ResizeLayer>(module, "ResizeLayer")
      .def_property("shape", &ResizeLayer::getOutputDimensions, &ResizeLayer::setOutputDimensions)
      .def_property("scales", &ResizeLayer::getScales,
                    [](ResizeLayer& l, const std::vector<float>& s) { l.setScales(s.data(), int32_t(s.size())); })
      .def_property("resize_mode", &ResizeLayer::getResizeMode, &ResizeLayer::setResizeMode)
      .def_property("coordinate_transformation", &ResizeLayer::getCoordinateTransformation,
                    &ResizeLayer::setCoordinateTransformation)
      .def_property("nearest_rounding", &ResizeLayer::getNearestRounding, &ResizeLayer::setNearestRounding)
      .def_property("cubic_coeff", &ResizeLayer::getCubicCoeff, &ResizeLayer::setCubicCoeff)
      .def_property("exclude_outside", &ResizeLayer::getExcludeOutside, &ResizeLayer::setExcludeOutside)
      .def_property("antialias", &ResizeLayer::getAntialias, &ResizeLayer::setAntialias)
      .def_property(
          "region_of_interest", &ResizeLayer::getRegionOfInterest,
          [](ResizeLayer& l, const std::vector<float>& r) { l.setRegionOfInterest(r.data(), int32_t(r.size())); })
      .def_property("extrapolation_value", &ResizeLayer::getExtrapolationValue, &ResizeLayer::setExtrapolationValue)
      .def_property(
          "coordinate_scales", &ResizeLayer::getCoordinateScales,
          [](ResizeLayer& l, const std::vector<float>& s) { l.setCoordinateScales(s.data(), int32_t(s.size())); });
  LayerClass<ShuffleLayer>(module, "ShuffleLayer")
      .def_property("first_transpose", &ShuffleLayer::getFirstTranspose, &ShuffleLayer::setFirstTranspose)
      .def_property("reshape_dims", &ShuffleLayer::getReshapeDimensions, &ShuffleLayer::setReshapeDimensions,
                    "0 copies the input dimension, one -1 is inferred.")
      .def_property("second_transpose", &ShuffleLayer::getSecondTranspose, &ShuffleLayer::setSecondTranspose)
      .def_property("zero_is_placeholder", &ShuffleLayer::getZeroIsPlaceholder, &ShuffleLayer::setZeroIsPlaceholder);
  LayerClass<ConcatenationLayer>(module, "ConcatenationLayer")
      .def_property("axis", &ConcatenationLayer::getAxis, &ConcatenationLayer::setAxis);
  LayerClass<SliceLayer>(module, "SliceLayer")
      .def_property("mode", &SliceLayer::getMode, &SliceLayer::setMode)
      .def_property("start", &SliceLayer::getStart, &SliceLayer::setStart)
      .def_property("shape", &SliceLayer::getSize, &SliceLayer::setSize)
      .def_property("stride", &SliceLayer::getStride, &SliceLayer::setStride);
  LayerClass<GatherLayer>(module, "GatherLayer")
      .def_property("mode", &GatherLayer::getMode, &GatherLayer::setMode)
      .def_property("num_elementwise_dims", &GatherLayer::getNbElementWiseDims, &GatherLayer::setNbElementWiseDims)
      .def_property("axis", &GatherLayer::getGatherAxis, &GatherLayer::setGatherAxis);
  LayerClass<ReduceLayer>(module, "ReduceLayer")
      .def_property("op", &ReduceLayer::getOperation, &ReduceLayer::setOperation)
      .def_property("axes", &ReduceLayer::getReduceAxes, &ReduceLayer::setReduceAxes, "Bit i: axis i.")
      .def_property("keep_dims", &ReduceLayer::getKeepDimensions, &ReduceLayer::setKeepDimensions);
  LayerClass<TopKLayer>(module, "TopKLayer")
      .def_property("op", &TopKLayer::getOperation, &TopKLayer::setOperation)
      .def_property("k", &TopKLayer::getK, &TopKLayer::setK)
      .def_property("axes", &TopKLayer::getReduceAxes, &TopKLayer::setReduceAxes);
  LayerClass<FillLayer>(module, "FillLayer")
      .def_property("shape", &FillLayer::getDimensions, &FillLayer::setDimensions)
      .def_property("operation", &FillLayer::getOperation, &FillLayer::setOperation)
      .def_property("alpha", &FillLayer::getAlpha, &FillLayer::setAlpha)
      .def_property("beta", &FillLayer::getBeta, &FillLayer::setBeta)
      .def_property("to_type", &FillLayer::getToType, &FillLayer::setToType);
  LayerClass<ScatterLayer>(module, "ScatterLayer")
      .def_property("mode", &ScatterLayer::getMode, &ScatterLayer::setMode)
      .def_property("axis", &ScatterLayer::getAxis, &ScatterLayer::setAxis)
      .def_property("reduction", &ScatterLayer::getReduction, &ScatterLayer::setReduction);
  LayerClass<CumulativeLayer>(module, "CumulativeLayer")
      .def_property("axis", &CumulativeLayer::getAxis, &CumulativeLayer::setAxis)
      .def_property("exclusive", &CumulativeLayer::getExclusive, &CumulativeLayer::setExclusive)
      .def_property("reverse", &CumulativeLayer::getReverse, &CumulativeLayer::setReverse);
  LayerClass<OneHotLayer>(module, "OneHotLayer").def_property("axis", &OneHotLayer::getAxis, &OneHotLayer::setAxis);
}

}  // namespace

void bindLayers(py::module_& module) {
  bindTensorAndLayer(module);
  bindComputeLayers(module);
  bindDataMovementLayers(module);
}

}  // namespace kiln::python
