// What the binding files of the `kiln` Python module share: the Dims <-> tuple conversion, the Status check and the
// function each file defines to add its part of the API to the module.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "kiln/error.h"
#include "kiln/types.h"

namespace pybind11::detail {

// Dims travel as tuples of ints: any sequence of integers (a tuple, a list, a numpy shape) is accepted, a tuple
// comes back. Dims with nbDims == -1 ("not set") come back as None.
template <>
struct type_caster<kiln::Dims> {
 public:
  PYBIND11_TYPE_CASTER(kiln::Dims, const_name("tuple[int, ...]"));

  bool load(handle source, bool /*convert*/) {
    if (!source || isinstance<str>(source) || !isinstance<sequence>(source)) return false;
    auto items = reinterpret_borrow<sequence>(source);
    const auto count = static_cast<int32_t>(len(items));
    // More than MAX_DIMS values give MAX_DIMS + 1, which every call taking Dims refuses with a kiln::Error.
    value.nbDims = count > kiln::Dims::MAX_DIMS ? kiln::Dims::MAX_DIMS + 1 : count;
    for (int32_t i = 0; i < count && i < kiln::Dims::MAX_DIMS; ++i) {
      object item = items[static_cast<size_t>(i)];
      if (!PyIndex_Check(item.ptr())) return false;
      value.d[i] = item.cast<int64_t>();
    }
    return true;
  }

  static handle cast(const kiln::Dims& dims, return_value_policy /*policy*/, handle /*parent*/) {
    if (dims.nbDims < 0) return none().release();
    const int32_t rank = dims.nbDims > kiln::Dims::MAX_DIMS ? kiln::Dims::MAX_DIMS : dims.nbDims;
    tuple result(rank);
    for (int32_t i = 0; i < rank; ++i) result[static_cast<size_t>(i)] = int_(dims.d[i]);
    return result.release();
  }
};

}  // namespace pybind11::detail

namespace kiln::python {

namespace py = pybind11;

// Raises the status's error as kiln.Error; returns true (TensorRT's Python calls answer True on success).
bool check(const Status& status);

// The numpy dtype of a kiln type. Throws kiln::Error (kUNSUPPORTED) for bf16, which numpy lacks.
py::dtype numpyDtype(DataType type);
// numpy's name of a dtype ("float32", ...).
inline std::string dtypeName(const py::dtype& dtype) { return dtype.attr("name").cast<std::string>(); }
// The kiln type of a numpy dtype. Throws kiln::Error (kUNSUPPORTED) for a dtype kiln has no type for.
DataType kilnType(const py::dtype& dtype);

// [read(MIN), read(OPT), read(MAX)]: what the profile queries answer.
template <typename Read>
auto minOptMax(Read&& read) {
  using Value = decltype(read(OptProfileSelector::kMIN));
  return std::vector<Value>{read(OptProfileSelector::kMIN), read(OptProfileSelector::kOPT),
                            read(OptProfileSelector::kMAX)};
}

// Binds an enum with its values under `scope` (the module or a class); TensorRT's names drop C++'s "k" prefix.
template <typename Enum>
py::enum_<Enum> bindEnum(py::handle scope, const char* name, const char* doc,
                         std::initializer_list<std::pair<const char*, Enum>> values) {
  py::enum_<Enum> bound(scope, name, doc);
  for (const auto& [valueName, value] : values) bound.value(valueName, value);
  return bound;
}

// Each binding file adds its part of the API.
void bindTypes(py::module_& module);
void bindErrors(py::module_& module);
void bindLogger(py::module_& module);
void bindLayerEnums(py::module_& module);
void bindLayers(py::module_& module);
void bindNetwork(py::module_& module);
void bindOnnxParser(py::module_& module);
void bindBuilder(py::module_& module);
void bindRuntime(py::module_& module);
void bindDeviceArray(py::module_& module);
void bindContext(py::module_& module);

}  // namespace kiln::python
