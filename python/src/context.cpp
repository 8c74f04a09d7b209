// ExecutionContext: shapes, addresses and runs, TensorRT's names; and infer(), which takes numpy arrays (or, for CUDA
// engines, device arrays) by input name and answers the outputs sized from the resolved shapes.
#include <pybind11/stl.h>

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "bindings.h"
#include "dlpack.h"
#include "engine.h"

namespace kiln::python {

namespace {

// kiln.IProfiler: Python subclasses override report_layer_time(layer_name, ms); kiln calls it after a profiled run,
// from the thread that ran it.
class PyProfiler : public Profiler {
 public:
  void reportLayerTime(const char* layerName, float ms) override {
    py::gil_scoped_acquire gil;
    try {
      py::function override = py::get_override(static_cast<const Profiler*>(this), "report_layer_time");
      if (override) override(std::string(layerName), ms);
    } catch (py::error_already_set& error) {
      error.discard_as_unraisable("kiln.IProfiler.report_layer_time");
    }
  }
};

// kiln.ExecutionContext: the context with the Python engine and profiler it uses, kept alive with it.
struct PyContext {
  std::unique_ptr<ExecutionContext> context;
  py::object engine;
  py::object profiler;
  // infer() binds, sizes and runs as one step; a second thread's infer() in between would rebind the outputs.
  std::atomic<bool> inferring{false};
};

// Marks a context busy for one infer(); a second thread is refused as kiln refuses concurrent calls on a context.
class InferGuard {
 public:
  explicit InferGuard(PyContext& context) : context_(context) {
    if (context_.inferring.exchange(true)) {
      throw Error(ErrorCode::kINVALID_STATE,
                  "infer() is running on this context in another thread; use one context per thread");
    }
  }
  ~InferGuard() { context_.inferring = false; }
  InferGuard(const InferGuard&) = delete;
  InferGuard& operator=(const InferGuard&) = delete;

 private:
  PyContext& context_;
};

// A device tensor handed to infer: its address, shape and type, and what keeps the memory alive.
struct DeviceView {
  void* data = nullptr;
  Dims shape;
  DataType type = DataType::kFLOAT;
  bool contiguous = true;
  py::object owner;
};

Dims dimsOf(const std::vector<int64_t>& sizes) {
  Dims dims;
  dims.nbDims = sizes.size() > size_t(Dims::MAX_DIMS) ? Dims::MAX_DIMS + 1 : static_cast<int32_t>(sizes.size());
  for (int32_t i = 0; i < dims.nbDims && i < Dims::MAX_DIMS; ++i) dims.d[i] = sizes[static_cast<size_t>(i)];
  return dims;
}

bool rowMajor(const Dims& shape, const std::vector<int64_t>& strides, int64_t unit) {
  if (shape.nbDims > Dims::MAX_DIMS) return true;  // setInputShape refuses the rank, naming the input
  int64_t expected = unit;
  for (int32_t i = shape.nbDims - 1; i >= 0; --i) {
    if (shape.d[i] != 1 && strides[static_cast<size_t>(i)] != expected) return false;
    expected *= shape.d[i];
  }
  return true;
}

DataType dlpackKilnType(const dlpack::DataType& type, const std::string& input) {
  const auto fromNumpy = [](const char* name) { return kilnType(py::dtype(name)); };
  if (type.lanes == 1) {
    if (type.code == dlpack::kBfloat && type.bits == 16) return DataType::kBF16;
    if (type.code == dlpack::kBool) return DataType::kBOOL;
    const char kind = type.code == dlpack::kFloat ? 'f' : type.code == dlpack::kInt ? 'i' : 'u';
    if (type.code <= dlpack::kFloat) return fromNumpy((std::string(1, kind) + std::to_string(type.bits / 8)).c_str());
  }
  throw Error(ErrorCode::kUNSUPPORTED, "a DLPack element type kiln has no type for", input);
}

// Reads __cuda_array_interface__ (version 2 or 3).
DeviceView viewCudaArrayInterface(const py::object& array) {
  const auto interface = array.attr("__cuda_array_interface__").cast<py::dict>();
  DeviceView view;
  view.owner = array;
  view.data = reinterpret_cast<void*>(interface["data"].cast<py::tuple>()[0].cast<uintptr_t>());
  view.shape = dimsOf(interface["shape"].cast<std::vector<int64_t>>());
  view.type = kilnType(py::dtype(interface["typestr"].cast<std::string>()));
  if (interface.contains("strides") && !interface["strides"].is_none()) {
    view.contiguous = rowMajor(view.shape, interface["strides"].cast<std::vector<int64_t>>(),
                               static_cast<int64_t>(dataTypeSize(view.type)));
  }
  return view;
}

// Reads a DLPack capsule; the capsule (kept as the owner) frees the producer's tensor when it goes.
DeviceView viewDlpack(const py::object& array, const std::string& input) {
  py::object capsule = array.attr("__dlpack__")();
  auto* managed = static_cast<dlpack::ManagedTensor*>(PyCapsule_GetPointer(capsule.ptr(), dlpack::kCapsuleName));
  if (!managed) throw py::error_already_set();
  const auto& tensor = managed->tensor;
  DeviceView view;
  view.owner = capsule;
  view.data = static_cast<char*>(tensor.data) + tensor.byteOffset;
  view.shape = dimsOf({tensor.shape, tensor.shape + tensor.ndim});
  view.type = dlpackKilnType(tensor.dtype, input);
  if (tensor.strides) view.contiguous = rowMajor(view.shape, {tensor.strides, tensor.strides + tensor.ndim}, 1);
  return view;
}

bool isDlpackOnDevice(const py::object& array) {
  if (!py::hasattr(array, "__dlpack__") || !py::hasattr(array, "__dlpack_device__")) return false;
  const auto device = array.attr("__dlpack_device__")().cast<py::tuple>();
  const auto type = device[0].cast<int32_t>();
  return type == dlpack::kCUDA || type == dlpack::kCUDAManaged;
}

bool isDeviceArray(const py::object& array) {
  return py::hasattr(array, "__cuda_array_interface__") || isDlpackOnDevice(array);
}

void checkType(const std::string& input, DataType given, DataType expected, const std::string& givenName) {
  if (given == expected) return;
  std::string expectedName = dataTypeName(expected);
  try {
    expectedName = dtypeName(numpyDtype(expected)) + " (" + expectedName + ")";
  } catch (const Error&) {
  }
  throw Error(ErrorCode::kINVALID_ARGUMENT, "dtype " + givenName + " given, the engine takes " + expectedName, input);
}

std::string inputNames(const Engine& engine) {
  std::string names;
  for (int32_t i = 0; i < engine.getNbIOTensors(); ++i) {
    const char* name = engine.getIOTensorName(i);
    if (engine.getTensorIOMode(name) != TensorIOMode::kINPUT) continue;
    names += (names.empty() ? "'" : ", '") + std::string(name) + "'";
  }
  return names;
}

// Binds one input of infer(): a device array in place, a numpy array in place (or a contiguous copy), uploaded to
// the device where the engine's IO lives there. What must stay alive during the run goes to `keep`.
void bindInput(ExecutionContext& context, const std::string& name, const py::object& value,
               std::vector<py::object>& keep, bool& foreignDevice) {
  const Engine& engine = context.getEngine();
  const DataType expected = engine.getTensorDataType(name.c_str());
  const bool hostMemory = !engine.isDeviceMemory() || engine.isShapeInferenceIO(name.c_str());
  if (isDeviceArray(value)) {
    if (hostMemory) {
      throw Error(ErrorCode::kINVALID_ARGUMENT,
                  engine.isDeviceMemory() ? "a shape input's values are read on the host: give a numpy array"
                                          : "the engine runs on the '" + std::string(engine.getBackendName()) +
                                                "' backend and reads host memory: give a numpy array, not a device "
                                                "array",
                  name);
    }
    DeviceView view =
        py::hasattr(value, "__cuda_array_interface__") ? viewCudaArrayInterface(value) : viewDlpack(value, name);
    checkType(name, view.type, expected, dataTypeName(view.type));
    if (!view.contiguous) {
      throw Error(ErrorCode::kINVALID_ARGUMENT,
                  "the device array is not contiguous (row-major); make it so first (e.g. tensor.contiguous())", name);
    }
    check(context.setInputShape(name.c_str(), view.shape));
    check(context.setTensorAddress(name.c_str(), view.data));
    keep.push_back(view.owner);
    foreignDevice = true;
    return;
  }
  py::array array = py::array::ensure(value);
  if (!array) throw Error(ErrorCode::kINVALID_ARGUMENT, "not convertible to a numpy array", name);
  DataType given;
  try {
    given = kilnType(array.dtype());
  } catch (const Error&) {
    throw Error(ErrorCode::kINVALID_ARGUMENT,
                "dtype " + dtypeName(array.dtype()) + " given, the engine takes " + dataTypeName(expected), name);
  }
  checkType(name, given, expected, dtypeName(array.dtype()));
  // Strided views (a transpose, a slice) are copied into a contiguous array: kiln reads dense row-major tensors.
  if (!(array.flags() & py::array::c_style) || !(array.flags() & py::detail::npy_api::NPY_ARRAY_ALIGNED_)) {
    array = py::array::ensure(array, py::array::c_style);
  }
  Dims shape;
  shape.nbDims = static_cast<int32_t>(array.ndim());
  for (int32_t i = 0; i < shape.nbDims && i < Dims::MAX_DIMS; ++i) shape.d[i] = array.shape(i);
  check(context.setInputShape(name.c_str(), shape));
  keep.push_back(array);
  if (hostMemory) {
    // kiln only reads inputs: a read-only array is fine.
    check(context.setTensorAddress(name.c_str(), const_cast<void*>(array.data())));
    return;
  }
  auto uploaded = std::make_unique<DeviceArray>(shape, expected);
  uploaded->copyFromHost(array.data(), uploaded->bytes());
  check(context.setTensorAddress(name.c_str(), uploaded->data()));
  keep.push_back(py::cast(std::move(uploaded)));
}

py::dict infer(PyContext& self, const py::dict& feeds) {
  const InferGuard guard(self);
  ExecutionContext& context = *self.context;
  const Engine& engine = context.getEngine();
  for (const auto& [key, value] : feeds) {
    const auto name = py::str(key).cast<std::string>();
    if (engine.getTensorIOMode(name.c_str()) != TensorIOMode::kINPUT) {
      throw Error(ErrorCode::kINVALID_ARGUMENT, "not an input of the engine; its inputs are " + inputNames(engine),
                  name);
    }
  }
  std::vector<py::object> keep;
  bool foreignDevice = false;
  for (int32_t i = 0; i < engine.getNbIOTensors(); ++i) {
    const std::string name = engine.getIOTensorName(i);
    if (engine.getTensorIOMode(name.c_str()) != TensorIOMode::kINPUT) continue;
    if (!feeds.contains(name)) throw Error(ErrorCode::kINVALID_ARGUMENT, "no value given for the input", name);
    bindInput(context, name, feeds[py::str(name)], keep, foreignDevice);
  }
  check(context.inferShapes());
  py::dict outputs;
  for (int32_t i = 0; i < engine.getNbIOTensors(); ++i) {
    const std::string name = engine.getIOTensorName(i);
    if (engine.getTensorIOMode(name.c_str()) != TensorIOMode::kOUTPUT) continue;
    const Dims shape = context.getTensorShape(name.c_str());
    const DataType type = engine.getTensorDataType(name.c_str());
    if (engine.isDeviceMemory()) {
      auto output = std::make_unique<DeviceArray>(shape, type);
      check(context.setTensorAddress(name.c_str(), output->data()));
      outputs[py::str(name)] = py::cast(std::move(output));
    } else {
      py::array output(numpyDtype(type), std::vector<int64_t>(shape.d, shape.d + shape.nbDims));
      check(context.setTensorAddress(name.c_str(), output.mutable_data()));
      outputs[py::str(name)] = output;
    }
  }
  Status status;
  {
    py::gil_scoped_release release;
    if (foreignDevice) synchronizeDevice();
    status = context.executeV2();
  }
  check(status);
  return outputs;
}

template <typename Call>
bool runReleased(Call&& call) {
  Status status;
  {
    py::gil_scoped_release release;
    status = call();
  }
  return check(status);
}

void* address(uintptr_t pointer) { return reinterpret_cast<void*>(pointer); }

// IO tensor `index`'s name; kiln.Error for an index out of range.
const char* ioName(const ExecutionContext& context, int32_t index) {
  const char* name = context.getEngine().getIOTensorName(index);
  if (!name) throw Error(ErrorCode::kINVALID_ARGUMENT, "no IO tensor " + std::to_string(index) + " in the engine");
  return name;
}

// TensorRT's bindings: addresses in IO tensor order (inputs, then outputs).
void bindAddresses(ExecutionContext& context, const std::vector<uintptr_t>& bindings) {
  for (size_t i = 0; i < bindings.size(); ++i) {
    check(context.setTensorAddress(ioName(context, static_cast<int32_t>(i)), address(bindings[i])));
  }
}

}  // namespace

void bindContext(py::module_& module) {
  py::class_<Profiler, PyProfiler>(module, "IProfiler",
                                   "Receives every step's time of a profiled run; override "
                                   "report_layer_time(layer_name, ms) (calling IProfiler.__init__ first).")
      .def(py::init<>())
      .def("report_layer_time", &Profiler::reportLayerTime, py::arg("layer_name"), py::arg("ms"));

  py::class_<PyContext>(module, "ExecutionContext",
                        "Mutable state for running an engine (kiln::ExecutionContext). One thread at a time per "
                        "context; several contexts of an engine may run at once. Failures raise kiln.Error.")
      .def(
          "set_input_shape",
          [](PyContext& c, const std::string& name, const Dims& shape) {
            return check(c.context->setInputShape(name.c_str(), shape));
          },
          py::arg("name"), py::arg("shape"),
          "Sets an input's shape; raises kiln.Error naming the input and the profile's range when outside it.")
      .def(
          "get_tensor_shape",
          [](const PyContext& c, const std::string& name) { return c.context->getTensorShape(name.c_str()); },
          py::arg("name"), "The shape resolved from the input shapes; None while unresolved.")
      .def_property_readonly("all_input_dimensions_specified",
                             [](const PyContext& c) { return c.context->allInputDimensionsSpecified(); })
      .def(
          "infer_shapes",
          [](PyContext& c) {
            check(c.context->inferShapes());
            return std::vector<std::string>{};
          },
          "Resolves the output shapes; raises kiln.Error naming the layer whose conditions fail.")
      .def(
          "set_tensor_address",
          [](PyContext& c, const std::string& name, uintptr_t pointer) {
            return check(c.context->setTensorAddress(name.c_str(), address(pointer)));
          },
          py::arg("name"), py::arg("memory"),
          "Binds an IO tensor to an address (an int: array.ctypes.data, tensor.data_ptr(), DeviceArray.ptr).")
      .def(
          "get_tensor_address",
          [](const PyContext& c, const std::string& name) {
            return reinterpret_cast<uintptr_t>(c.context->getTensorAddress(name.c_str()));
          },
          py::arg("name"))
      .def(
          "execute_v2",
          [](PyContext& c, const py::object& bindings) {
            if (!bindings.is_none()) bindAddresses(*c.context, bindings.cast<std::vector<uintptr_t>>());
            return runReleased([&] { return c.context->executeV2(); });
          },
          py::arg("bindings") = py::none(),
          "Runs to completion; bindings (addresses in IO tensor order) are bound first when given.")
      .def(
          "execute_async_v2",
          [](PyContext& c, const std::vector<uintptr_t>& bindings, uintptr_t stream) {
            bindAddresses(*c.context, bindings);
            return runReleased([&] { return c.context->enqueueV3(address(stream)); });
          },
          py::arg("bindings"), py::arg("stream_handle"),
          "TensorRT 8's call: binds the addresses (IO tensor order) and queues the run on the stream.")
      .def(
          "set_binding_shape",
          [](PyContext& c, int32_t index, const Dims& shape) {
            return check(c.context->setInputShape(ioName(*c.context, index), shape));
          },
          py::arg("binding"), py::arg("shape"), "TensorRT 8's set_input_shape by IO tensor index.")
      .def(
          "get_binding_shape",
          [](const PyContext& c, int32_t index) { return c.context->getTensorShape(ioName(*c.context, index)); },
          py::arg("binding"), "TensorRT 8's get_tensor_shape by IO tensor index.")
      .def(
          "execute_async_v3",
          [](PyContext& c, uintptr_t stream) {
            return runReleased([&] { return c.context->enqueueV3(address(stream)); });
          },
          py::arg("stream_handle"), "Queues the run on a CUDA stream (an int); the CPU backend runs it inline.")
      .def(
          "set_optimization_profile_async",
          [](PyContext& c, int32_t index, uintptr_t /*stream*/) {
            return runReleased([&] { return c.context->setOptimizationProfile(index); });
          },
          py::arg("profile_index"), py::arg("stream_handle") = 0)
      .def_property(
          "active_optimization_profile", [](const PyContext& c) { return c.context->getOptimizationProfile(); },
          [](PyContext& c, int32_t index) { check(c.context->setOptimizationProfile(index)); })
      .def_property(
          "profiler", [](const PyContext& c) { return c.profiler; },
          [](PyContext& c, const py::object& profiler) {
            c.context->setProfiler(profiler.is_none() ? nullptr : profiler.cast<Profiler*>());
            c.profiler = profiler;
          },
          "An IProfiler receiving each step's time after every run; None turns profiling off.")
      .def_property(
          "graph_replay", [](const PyContext& c) { return c.context->getGraphReplay(); },
          [](PyContext& c, bool enabled) { c.context->setGraphReplay(enabled); })
      .def_property_readonly("engine", [](const PyContext& c) { return c.engine; })
      .def("infer", &infer, py::arg("feeds"),
           "Runs with {input name: array} and answers {output name: array}. Sets each input's shape from its "
           "array, refuses a wrong dtype naming the input, copies non-contiguous numpy arrays into contiguous ones "
           "(contiguous ones are read in place on the CPU backend), sizes outputs from the resolved shapes. CUDA "
           "engines also take device arrays (__cuda_array_interface__ or __dlpack__) and answer kiln.DeviceArray.");

  module.attr("Engine").cast<py::class_<PyEngine>>().def(
      "create_execution_context",
      [](const py::object& engine) {
        auto context = std::make_unique<PyContext>();
        context->context = engine.cast<const PyEngine&>().engine->createExecutionContext();
        context->engine = engine;
        return context;
      },
      "A new context with profile 0 active and its own activation memory.");
}

}  // namespace kiln::python
