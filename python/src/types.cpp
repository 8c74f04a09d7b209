// Element types, their numpy dtypes, and the small enums shared by the whole API.
#include <pybind11/stl.h>

#include "bindings.h"
#include "kiln/builder.h"
#include "kiln/runtime.h"
#include "kiln/version.h"

namespace kiln::python {

namespace {

struct TypePair {
  DataType kiln;
  char numpyKind;  // numpy's dtype.kind
  size_t itemsize;
};
// bf16 has no numpy dtype and is left out.
constexpr TypePair kTypePairs[] = {
    {DataType::kFLOAT, 'f', 4},  {DataType::kHALF, 'f', 2},   {DataType::kDOUBLE, 'f', 8}, {DataType::kINT8, 'i', 1},
    {DataType::kINT16, 'i', 2},  {DataType::kINT32, 'i', 4},  {DataType::kINT64, 'i', 8},  {DataType::kUINT8, 'u', 1},
    {DataType::kUINT16, 'u', 2}, {DataType::kUINT32, 'u', 4}, {DataType::kUINT64, 'u', 8}, {DataType::kBOOL, 'b', 1},
};

}  // namespace

bool check(const Status& status) {
  status.check();
  return true;
}

py::dtype numpyDtype(DataType type) {
  for (const auto& pair : kTypePairs) {
    if (pair.kiln != type) continue;
    const std::string kind(1, pair.numpyKind);
    return py::dtype(pair.numpyKind == 'b' ? std::string("bool") : kind + std::to_string(pair.itemsize));
  }
  throw Error(ErrorCode::kUNSUPPORTED, std::string("numpy has no dtype for ") + dataTypeName(type) +
                                           "; bind the tensor with set_tensor_address");
}

DataType kilnType(const py::dtype& dtype) {
  for (const auto& pair : kTypePairs) {
    if (pair.numpyKind == dtype.kind() && pair.itemsize == static_cast<size_t>(dtype.itemsize())) return pair.kiln;
  }
  throw Error(ErrorCode::kUNSUPPORTED, "kiln has no element type for numpy dtype " + dtypeName(dtype));
}

void bindTypes(py::module_& module) {
  using DT = DataType;
  auto dataType = bindEnum<DT>(module, "DataType", "The type of a tensor's elements (kiln::DataType).",
                               {{"FLOAT", DT::kFLOAT},
                                {"HALF", DT::kHALF},
                                {"BF16", DT::kBF16},
                                {"INT8", DT::kINT8},
                                {"UINT8", DT::kUINT8},
                                {"INT32", DT::kINT32},
                                {"INT64", DT::kINT64},
                                {"BOOL", DT::kBOOL},
                                {"DOUBLE", DT::kDOUBLE},
                                {"INT16", DT::kINT16},
                                {"UINT16", DT::kUINT16},
                                {"UINT32", DT::kUINT32},
                                {"UINT64", DT::kUINT64}});
  dataType.def_property_readonly(
      "itemsize", [](DataType type) { return dataTypeSize(type); }, "Bytes per element.");
  // TensorRT's lower-case aliases (trt.float32, ...).
  const std::pair<const char*, DataType> aliases[] = {
      {"float32", DataType::kFLOAT}, {"float16", DataType::kHALF},  {"bfloat16", DataType::kBF16},
      {"int8", DataType::kINT8},     {"uint8", DataType::kUINT8},   {"int32", DataType::kINT32},
      {"int64", DataType::kINT64},   {"bool", DataType::kBOOL},     {"float64", DataType::kDOUBLE},
      {"int16", DataType::kINT16},   {"uint16", DataType::kUINT16}, {"uint32", DataType::kUINT32},
      {"uint64", DataType::kUINT64},
  };
  for (const auto& [name, type] : aliases) module.attr(name) = py::cast(type);

  module.def(
      "nptype", [](DataType type) { return numpyDtype(type).attr("type"); }, py::arg("dtype"),
      "The numpy scalar type of a DataType (trt.nptype); raises kiln.Error for BF16, which numpy lacks.");
  module.def(
      "from_numpy_dtype", [](const py::object& dtype) { return kilnType(py::dtype::from_args(dtype)); },
      py::arg("dtype"), "The DataType of a numpy dtype; raises kiln.Error for one kiln has no type for.");
  module.def(
      "volume", [](const Dims& dims) { return dims.volume(); }, py::arg("shape"),
      "The number of elements of a shape (1 for ()).");

  bindEnum<OptProfileSelector>(
      module, "OptProfileSelector", "Which of a profile's three shapes a call reads.",
      {{"MIN", OptProfileSelector::kMIN}, {"OPT", OptProfileSelector::kOPT}, {"MAX", OptProfileSelector::kMAX}});
  bindEnum<TensorIOMode>(
      module, "TensorIOMode", "Whether an engine's tensor is an input or an output.",
      {{"NONE", TensorIOMode::kNONE}, {"INPUT", TensorIOMode::kINPUT}, {"OUTPUT", TensorIOMode::kOUTPUT}});
  module.def("available_backends", &availableBackends,
             "Backends this build has that can run on this machine ('cpu', and 'cuda' where a GPU is present).");
  module.attr("__version__") = kilnVersion();
}

}  // namespace kiln::python
