// Runtime and Engine: load a plan (bytes) and answer questions about it.
#include <pybind11/stl.h>

#include <string>
#include <vector>

#include "bindings.h"
#include "engine.h"
#include "logger.h"

namespace kiln::python {

namespace {

std::string orEmpty(const char* text) { return text ? std::string(text) : std::string(); }

PyEngine deserialize(const Runtime& runtime, const py::buffer& plan) {
  const py::buffer_info bytes = plan.request();
  const auto* begin = static_cast<const uint8_t*>(bytes.ptr);
  PyEngine loaded;
  loaded.plan.assign(begin, begin + bytes.size * bytes.itemsize);
  py::gil_scoped_release release;
  loaded.engine = runtime.deserialize(loaded.plan);
  return loaded;
}

const Engine& of(const PyEngine& e) { return *e.engine; }

}  // namespace

void bindRuntime(py::module_& module) {
  py::class_<LayerInfo>(module, "LayerInfo", "One step of an engine (layers after fusion).")
      .def_readonly("name", &LayerInfo::name)
      .def_readonly("type", &LayerInfo::type)
      .def_readonly("inputs", &LayerInfo::inputs)
      .def_readonly("outputs", &LayerInfo::outputs)
      .def_readonly("output_types", &LayerInfo::outputTypes)
      .def_readonly("attributes", &LayerInfo::attributes)
      .def_readonly("tactics", &LayerInfo::tactics, "Per profile: the implementation chosen ('' for the default).")
      .def("__repr__", [](const LayerInfo& l) { return "<kiln.LayerInfo " + l.type + " '" + l.name + "'>"; });

  py::class_<Runtime>(module, "Runtime", "Loads plans (kiln::Runtime, TensorRT's IRuntime).")
      .def(py::init([](PyLogger* logger) { return Runtime(loggerOrQuiet(logger)); }), py::arg("logger") = nullptr,
           py::keep_alive<1, 2>())
      .def("deserialize_cuda_engine", &deserialize, py::arg("serialized_engine"), py::keep_alive<0, 1>(),
           "Loads a plan (bytes, bytearray, memoryview) on whichever backend it was built for; TensorRT's name.")
      .def("deserialize_engine", &deserialize, py::arg("serialized_engine"), py::keep_alive<0, 1>(),
           "Same as deserialize_cuda_engine.");

  py::class_<PyEngine>(module, "Engine", "A loaded plan, shared by its execution contexts (kiln::Engine).")
      .def_property_readonly("num_io_tensors", [](const PyEngine& e) { return of(e).getNbIOTensors(); })
      .def(
          "get_tensor_name", [](const PyEngine& e, int32_t index) { return orEmpty(of(e).getIOTensorName(index)); },
          py::arg("index"), "IO tensor index: inputs first, then outputs; '' out of range.")
      .def(
          "get_tensor_mode",
          [](const PyEngine& e, const std::string& name) { return of(e).getTensorIOMode(name.c_str()); },
          py::arg("name"))
      .def(
          "get_tensor_dtype",
          [](const PyEngine& e, const std::string& name) { return of(e).getTensorDataType(name.c_str()); },
          py::arg("name"))
      .def(
          "get_tensor_shape",
          [](const PyEngine& e, const std::string& name) { return of(e).getTensorShape(name.c_str()); },
          py::arg("name"), "Dimensions with -1 where dynamic; None for a name that is not an IO tensor.")
      .def_property_readonly("num_optimization_profiles",
                             [](const PyEngine& e) { return of(e).getNbOptimizationProfiles(); })
      .def(
          "get_tensor_profile_shape",
          [](const PyEngine& e, const std::string& name, int32_t profile) {
            return minOptMax([&](OptProfileSelector s) { return of(e).getProfileShape(name.c_str(), profile, s); });
          },
          py::arg("name"), py::arg("profile_index"), "[min, opt, max] of an input in a profile.")
      .def(
          "get_tensor_profile_values",
          [](const PyEngine& e, int32_t profile, const std::string& name) {
            return minOptMax(
                [&](OptProfileSelector s) { return of(e).getProfileShapeValues(name.c_str(), profile, s); });
          },
          py::arg("profile_index"), py::arg("name"), "[min, opt, max] values of a shape input in a profile.")
      .def(
          "is_shape_inference_io",
          [](const PyEngine& e, const std::string& name) { return of(e).isShapeInferenceIO(name.c_str()); },
          py::arg("name"))
      .def(
          "get_device_memory_size",
          [](const PyEngine& e, int32_t profile) { return of(e).getDeviceMemorySize(profile); },
          py::arg("profile_index") = 0, "Activation memory a context needs for the profile (bytes).")
      .def_property_readonly("num_layers", [](const PyEngine& e) { return of(e).getNbLayers(); })
      .def(
          "get_layer_information", [](const PyEngine& e, int32_t index) { return of(e).getLayerInformation(index); },
          py::arg("index"))
      .def_property_readonly("backend", [](const PyEngine& e) { return orEmpty(of(e).getBackendName()); })
      .def_property_readonly(
          "is_device_memory", [](const PyEngine& e) { return of(e).isDeviceMemory(); },
          "True when IO addresses are device pointers (the CUDA backend).")
      .def_property_readonly("kiln_version", [](const PyEngine& e) { return orEmpty(of(e).getKilnVersion()); })
      .def_property_readonly("weights_size", [](const PyEngine& e) { return of(e).getWeightsSize(); })
      .def(
          "serialize",
          [](const PyEngine& e) { return py::bytes(reinterpret_cast<const char*>(e.plan.data()), e.plan.size()); },
          "The plan's bytes (as loaded).");
}

}  // namespace kiln::python
