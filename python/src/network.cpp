// NetworkDefinition: the layer-by-layer API. Weights come from numpy arrays (or anything numpy converts); the network
// copies them, so the arrays may be dropped after the add_* call.
#include "kiln/network.h"

#include <pybind11/stl.h>

#include <string>
#include <vector>

#include "bindings.h"
#include "layer_downcast.h"
#include "logger.h"

namespace kiln::python {

namespace {

constexpr auto kInternal = py::return_value_policy::reference_internal;

// A C-contiguous array of the values: an ndarray keeps its dtype, other values (lists, scalars) become float32. The
// returned array owns what Weights points to, so it must outlive the add_* call.
py::array weightsArray(const py::object& values) {
  if (values.is_none()) return py::array_t<float>(0);
  if (py::isinstance<py::array>(values)) return py::array::ensure(values, py::array::c_style);
  return py::array_t<float, py::array::c_style | py::array::forcecast>::ensure(values);
}

Weights toWeights(const py::array& array) {
  return Weights{kilnType(array.dtype()), array.data(), static_cast<int64_t>(array.size())};
}

}  // namespace

void bindNetwork(py::module_& module) {
  py::class_<NetworkDefinition> network(
      module, "NetworkDefinition",
      "A network being defined layer by layer (kiln::NetworkDefinition); -1 in a dimension is known only at run "
      "time. add_* calls whose inputs do not fit raise kiln.Error naming the layer.");
  network
      .def(py::init([](PyLogger* logger) { return std::make_unique<NetworkDefinition>(loggerOrQuiet(logger)); }),
           py::arg("logger") = nullptr, py::keep_alive<1, 2>())
      .def(
          "add_input",
          [](NetworkDefinition& n, const std::string& name, DataType dtype, const Dims& shape) {
            return n.addInput(name.c_str(), dtype, shape);
          },
          py::arg("name"), py::arg("dtype"), py::arg("shape"), kInternal, "Adds a network input (-1: dynamic axis).")
      .def("mark_output", &NetworkDefinition::markOutput, py::arg("tensor"))
      .def("unmark_output", &NetworkDefinition::unmarkOutput, py::arg("tensor"))
      .def("mark_shape_input", &NetworkDefinition::markShapeInput, py::arg("tensor"),
           "Makes an int32/int64 input of rank 0 or 1 a shape input (its values size other tensors).")
      .def_property_readonly("num_inputs", &NetworkDefinition::getNbInputs)
      .def("get_input", &NetworkDefinition::getInput, py::arg("index"), kInternal)
      .def_property_readonly("num_outputs", &NetworkDefinition::getNbOutputs)
      .def("get_output", &NetworkDefinition::getOutput, py::arg("index"), kInternal)
      .def_property_readonly("num_layers", &NetworkDefinition::getNbLayers)
      .def("get_layer", &NetworkDefinition::getLayer, py::arg("index"), kInternal,
           "Layer index as its own class (ConvolutionLayer, ...); None out of range.")
      .def("__len__", &NetworkDefinition::getNbLayers)
      .def(
          "get_tensor", [](const NetworkDefinition& n, const std::string& name) { return n.getTensor(name.c_str()); },
          py::arg("name"), kInternal, "The tensor of that name; None when there is none.");

  network
      .def(
          "add_constant",
          [](NetworkDefinition& n, const Dims& shape, const py::object& weights) {
            const py::array values = weightsArray(weights);
            return n.addConstant(shape, toWeights(values));
          },
          py::arg("shape"), py::arg("weights"), kInternal, "A constant tensor; the values are copied.")
      .def("add_identity", &NetworkDefinition::addIdentity, py::arg("input"), kInternal)
      .def(
          "add_convolution_nd",
          [](NetworkDefinition& n, Tensor& input, int64_t maps, const Dims& kernelShape, const py::object& kernel,
             const py::object& bias) {
            const py::array kernelValues = weightsArray(kernel);
            const py::array biasValues = weightsArray(bias);
            return n.addConvolutionNd(input, maps, kernelShape, toWeights(kernelValues), toWeights(biasValues));
          },
          py::arg("input"), py::arg("num_output_maps"), py::arg("kernel_shape"), py::arg("kernel"),
          py::arg("bias") = py::none(), kInternal,
          "Convolution with constant weights K x C/groups x kernel_shape and an optional bias of K values.")
      .def("add_convolution", &NetworkDefinition::addConvolution, py::arg("input"), py::arg("kernel"),
           py::arg("bias") = nullptr, kInternal, "Convolution whose kernel and bias are tensors of the network.")
      .def("add_deconvolution", &NetworkDefinition::addDeconvolution, py::arg("input"), py::arg("kernel"),
           py::arg("bias") = nullptr, kInternal, "Transposed convolution; kernel C x K/groups x kernel-size.")
      .def("add_matrix_multiply", &NetworkDefinition::addMatrixMultiply, py::arg("input0"), py::arg("op0"),
           py::arg("input1"), py::arg("op1"), kInternal, "op0(a) x op1(b) over the last two axes.")
      .def("add_elementwise", &NetworkDefinition::addElementWise, py::arg("input1"), py::arg("input2"), py::arg("op"),
           kInternal, "op(a, b) with numpy broadcasting.")
      .def("add_activation", &NetworkDefinition::addActivation, py::arg("input"), py::arg("type"), kInternal)
      .def("add_unary", &NetworkDefinition::addUnary, py::arg("input"), py::arg("op"), kInternal)
      .def("add_pooling_nd", &NetworkDefinition::addPoolingNd, py::arg("input"), py::arg("type"),
           py::arg("window_size"), kInternal)
      .def("add_max_pooling_with_indices", &NetworkDefinition::addMaxPoolingWithIndices, py::arg("input"),
           py::arg("window_size"), kInternal)
      .def("add_softmax", &NetworkDefinition::addSoftMax, py::arg("input"), kInternal, "Softmax over the last axis.")
      .def("add_resize", &NetworkDefinition::addResize, py::arg("input"), kInternal)
      .def("add_shuffle", &NetworkDefinition::addShuffle, py::arg("input"), kInternal,
           "Transpose, reshape, transpose; set reshape_dims for a reshape.")
      .def(
          "add_concatenation",
          [](NetworkDefinition& n, const std::vector<Tensor*>& inputs, int32_t axis) {
            return n.addConcatenation(inputs, axis);
          },
          py::arg("inputs"), py::arg("axis") = 0, kInternal)
      .def("add_slice", &NetworkDefinition::addSlice, py::arg("input"), py::arg("start"), py::arg("shape"),
           py::arg("stride"), kInternal)
      .def("add_gather", &NetworkDefinition::addGather, py::arg("input"), py::arg("indices"), py::arg("axis"),
           kInternal)
      .def("add_gather_v2", &NetworkDefinition::addGatherV2, py::arg("input"), py::arg("indices"), py::arg("mode"),
           kInternal)
      .def("add_reduce", &NetworkDefinition::addReduce, py::arg("input"), py::arg("op"), py::arg("axes"),
           py::arg("keep_dims"), kInternal, "axes: bit i reduces axis i.")
      .def("add_topk", &NetworkDefinition::addTopK, py::arg("input"), py::arg("op"), py::arg("k"), py::arg("axes"),
           kInternal)
      .def("add_shape", &NetworkDefinition::addShape, py::arg("input"), kInternal)
      .def("add_cast", &NetworkDefinition::addCast, py::arg("input"), py::arg("to_type"), kInternal)
      .def("add_select", &NetworkDefinition::addSelect, py::arg("condition"), py::arg("then_input"),
           py::arg("else_input"), kInternal)
      .def("add_fill", &NetworkDefinition::addFill, py::arg("shape"), py::arg("op"), py::arg("dtype"), kInternal)
      .def("add_scatter", &NetworkDefinition::addScatter, py::arg("data"), py::arg("indices"), py::arg("updates"),
           py::arg("mode"), py::arg("axis") = 0, kInternal)
      .def("add_normalization", &NetworkDefinition::addNormalization, py::arg("input"), py::arg("scale"),
           py::arg("bias"), py::arg("axes"), kInternal)
      .def("add_cumulative", &NetworkDefinition::addCumulative, py::arg("input"), py::arg("axis"), py::arg("op"),
           py::arg("exclusive"), py::arg("reverse"), kInternal)
      .def("add_one_hot", &NetworkDefinition::addOneHot, py::arg("indices"), py::arg("values"), py::arg("depth"),
           py::arg("axis"), kInternal)
      .def(
          "add_einsum",
          [](NetworkDefinition& n, const std::vector<Tensor*>& inputs, const std::string& equation) {
            return n.addEinsum(inputs, equation.c_str());
          },
          py::arg("inputs"), py::arg("equation"), kInternal)
      .def("add_lrn", &NetworkDefinition::addLRN, py::arg("input"), py::arg("window"), py::arg("alpha"),
           py::arg("beta"), py::arg("k"), kInternal)
      .def("add_recurrence", &NetworkDefinition::addRecurrence, py::arg("input"), py::arg("weights"),
           py::arg("recurrent_weights"), py::arg("cell"), py::arg("direction"), kInternal)
      .def("add_grid_sample", &NetworkDefinition::addGridSample, py::arg("input"), py::arg("grid"), kInternal)
      .def("add_determinant", &NetworkDefinition::addDeterminant, py::arg("input"), kInternal);
}

}  // namespace kiln::python
