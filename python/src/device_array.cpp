// kiln.DeviceArray: outputs of CUDA engines, owning device memory and handing it to torch, CuPy and others through
// DLPack or __cuda_array_interface__ without a copy. Built without CUDA, making one raises kiln.Error.
#include <pybind11/stl.h>

#include <algorithm>
#include <memory>
#include <string>

#ifdef KILN_HAVE_CUDA
#include <cuda_runtime.h>
#endif

#include "bindings.h"
#include "dlpack.h"
#include "engine.h"

namespace kiln::python {

namespace {

#ifdef KILN_HAVE_CUDA
void checkCuda(cudaError_t status, const std::string& what) {
  if (status != cudaSuccess) throw Error(ErrorCode::kRUNTIME, what + " failed: " + cudaGetErrorString(status));
}
int currentDevice() {
  int device = 0;
  checkCuda(cudaGetDevice(&device), "cudaGetDevice");
  return device;
}
#endif

#ifndef KILN_HAVE_CUDA
[[noreturn]] void noCuda() {
  throw Error(ErrorCode::kUNSUPPORTED, "device arrays need a kiln built with CUDA; this one has only the CPU backend");
}
#endif

std::vector<int64_t> shapeVector(const Dims& dims) { return {dims.d, dims.d + dims.nbDims}; }

// A DLPack tensor of a DeviceArray: the managed tensor, its shape, and a reference that keeps the array alive until
// the consumer calls the deleter.
struct ExportedTensor {
  dlpack::ManagedTensor managed{};
  std::vector<int64_t> shape;
  PyObject* owner = nullptr;
};

void deleteExported(dlpack::ManagedTensor* managed) {
  auto* exported = static_cast<ExportedTensor*>(managed->managerContext);
  if (Py_IsInitialized()) {
    py::gil_scoped_acquire gil;
    Py_XDECREF(exported->owner);
  }
  delete exported;
}

dlpack::DataType dlpackType(DataType type) {
  const auto bits = static_cast<uint8_t>(dataTypeSize(type) * 8);
  switch (type) {
    case DataType::kFLOAT:
    case DataType::kHALF:
    case DataType::kDOUBLE: return {dlpack::kFloat, bits, 1};
    case DataType::kBF16: return {dlpack::kBfloat, bits, 1};
    case DataType::kBOOL: return {dlpack::kBool, bits, 1};
    case DataType::kUINT8:
    case DataType::kUINT16:
    case DataType::kUINT32:
    case DataType::kUINT64: return {dlpack::kUInt, bits, 1};
    default: return {dlpack::kInt, bits, 1};
  }
}

py::capsule exportDlpack(const py::object& self) {
  const auto& array = self.cast<const DeviceArray&>();
  auto exported = std::make_unique<ExportedTensor>();
  exported->shape = shapeVector(array.shape());
  exported->owner = self.ptr();
  auto& tensor = exported->managed.tensor;
  tensor.data = array.data();
#ifdef KILN_HAVE_CUDA
  tensor.device = {dlpack::kCUDA, currentDevice()};
#endif
  tensor.ndim = array.shape().nbDims;
  tensor.dtype = dlpackType(array.type());
  tensor.shape = exported->shape.data();
  tensor.strides = nullptr;
  tensor.byteOffset = 0;
  exported->managed.managerContext = exported.get();
  exported->managed.deleter = &deleteExported;
  Py_INCREF(exported->owner);
  auto* managed = &exported.release()->managed;
  // A capsule nobody consumed still owns the tensor; a consumer renames it and calls the deleter itself.
  PyObject* capsule = PyCapsule_New(managed, dlpack::kCapsuleName, [](PyObject* object) {
    if (!PyCapsule_IsValid(object, dlpack::kCapsuleName)) return;
    auto* unused = static_cast<dlpack::ManagedTensor*>(PyCapsule_GetPointer(object, dlpack::kCapsuleName));
    unused->deleter(unused);
  });
  if (!capsule) {
    managed->deleter(managed);
    throw py::error_already_set();
  }
  return py::reinterpret_steal<py::capsule>(capsule);
}

py::dict cudaArrayInterface(const DeviceArray& array) {
  py::dict interface;
  interface["shape"] = py::cast(array.shape());
  interface["typestr"] = numpyDtype(array.type()).attr("str");
  interface["data"] = py::make_tuple(reinterpret_cast<uintptr_t>(array.data()), false);
  interface["strides"] = py::none();
  interface["version"] = 3;
  // The producer's work is complete when an array is handed out (runs end synchronized): no stream to wait on.
  interface["stream"] = py::none();
  return interface;
}

py::array toNumpy(const DeviceArray& array) {
  py::array host(numpyDtype(array.type()), shapeVector(array.shape()));
  array.copyToHost(host.mutable_data(), array.bytes());
  return host;
}

}  // namespace

DeviceArray::DeviceArray(const Dims& shape, DataType type) : shape_(shape), type_(type) {
  if (shape.nbDims < 0 || shape.nbDims > Dims::MAX_DIMS || shape.hasDynamic())
    throw Error(ErrorCode::kINVALID_ARGUMENT, "a device array needs a concrete shape, not " + toString(shape));
#ifdef KILN_HAVE_CUDA
  checkCuda(cudaMalloc(&data_, std::max<size_t>(bytes(), 1)), "cudaMalloc of " + std::to_string(bytes()) + " bytes");
#else
  noCuda();
#endif
}

DeviceArray::~DeviceArray() {
#ifdef KILN_HAVE_CUDA
  if (data_) cudaFree(data_);  // a failure here (a dead context) has nowhere to go
#endif
}

size_t DeviceArray::bytes() const { return static_cast<size_t>(shape_.volume()) * dataTypeSize(type_); }

void DeviceArray::copyFromHost(const void* host, size_t count) {
#ifdef KILN_HAVE_CUDA
  checkCuda(cudaMemcpy(data_, host, count, cudaMemcpyHostToDevice), "copy to the device");
#else
  (void)host;
  (void)count;
  noCuda();
#endif
}

void DeviceArray::copyToHost(void* host, size_t count) const {
#ifdef KILN_HAVE_CUDA
  checkCuda(cudaMemcpy(host, data_, count, cudaMemcpyDeviceToHost), "copy to the host");
#else
  (void)host;
  (void)count;
  noCuda();
#endif
}

void synchronizeDevice() {
#ifdef KILN_HAVE_CUDA
  checkCuda(cudaDeviceSynchronize(), "cudaDeviceSynchronize");
#endif
}

void bindDeviceArray(py::module_& module) {
  module.attr("HAS_CUDA") =
#ifdef KILN_HAVE_CUDA
      true;
#else
      false;
#endif
  py::class_<DeviceArray>(module, "DeviceArray",
                          "Device memory with a shape and a DataType, what infer() answers for CUDA engines. Hand it "
                          "to torch (torch.from_dlpack) or CuPy without a copy; numpy() copies it to the host.")
      .def(py::init<const Dims&, DataType>(), py::arg("shape"), py::arg("dtype"),
           "Uninitialized device memory; raises kiln.Error in a build without CUDA.")
      .def_static(
          "from_numpy",
          [](const py::array& host) {
            const py::array contiguous = py::array::ensure(host, py::array::c_style);
            Dims shape;
            shape.nbDims = static_cast<int32_t>(contiguous.ndim());
            for (int32_t i = 0; i < shape.nbDims; ++i) shape.d[i] = contiguous.shape(i);
            auto array = std::make_unique<DeviceArray>(shape, kilnType(contiguous.dtype()));
            array->copyFromHost(contiguous.data(), array->bytes());
            return array;
          },
          py::arg("array"), "A device copy of a numpy array.")
      .def_property_readonly("shape", &DeviceArray::shape)
      .def_property_readonly("dtype", &DeviceArray::type, "The kiln.DataType.")
      .def_property_readonly("nbytes", &DeviceArray::bytes)
      .def_property_readonly(
          "ptr", [](const DeviceArray& a) { return reinterpret_cast<uintptr_t>(a.data()); },
          "The device address, for set_tensor_address.")
      .def("numpy", &toNumpy, "A host copy as a numpy array.")
      .def(
          "__array__",
          [](const DeviceArray& a, const py::object& dtype, const py::object& /*copy*/) {
            py::array host = toNumpy(a);  // always a copy: the data lives on the device
            return dtype.is_none() ? host : py::array(host.attr("astype")(dtype));
          },
          py::arg("dtype") = py::none(), py::arg("copy") = py::none())
      .def_property_readonly("__cuda_array_interface__", &cudaArrayInterface)
      .def(
          "__dlpack__",
          [](const py::object& self, const py::object& /*stream*/, const py::object& /*maxVersion*/,
             const py::object& /*dlDevice*/, const py::object& /*copy*/) { return exportDlpack(self); },
          py::arg("stream") = py::none(), py::arg("max_version") = py::none(), py::arg("dl_device") = py::none(),
          py::arg("copy") = py::none(),
          "A DLPack capsule sharing the memory (the array stays alive meanwhile). The data is complete when an array "
          "is handed out, so there is no stream to order against; an unversioned capsule answers every max_version.")
      .def("__dlpack_device__", [](const DeviceArray&) {
#ifdef KILN_HAVE_CUDA
        return py::make_tuple(dlpack::kCUDA, currentDevice());
#else
        return py::make_tuple(dlpack::kCUDA, 0);
#endif
      });
}

}  // namespace kiln::python
