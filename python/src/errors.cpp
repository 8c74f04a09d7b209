// kiln::Error becomes the Python exception kiln.Error (a RuntimeError) carrying kiln's code, message and object.
#include "bindings.h"

namespace kiln::python {

namespace {

// The exception class, made once when the module loads; the module keeps it alive.
PyObject* errorClass = nullptr;

void raise(const Error& error) {
  py::object instance = py::reinterpret_borrow<py::object>(errorClass)(error.what());
  instance.attr("code") = py::cast(error.code());
  instance.attr("message") = error.message();
  instance.attr("object") = error.object();
  PyErr_SetObject(errorClass, instance.ptr());
}

}  // namespace

void bindErrors(py::module_& module) {
  py::enum_<ErrorCode>(module, "ErrorCode", "What kind of failure a kiln.Error reports (kiln::ErrorCode).")
      .value("INVALID_ARGUMENT", ErrorCode::kINVALID_ARGUMENT)
      .value("INVALID_GRAPH", ErrorCode::kINVALID_GRAPH)
      .value("UNSUPPORTED", ErrorCode::kUNSUPPORTED)
      .value("SHAPE_OUT_OF_RANGE", ErrorCode::kSHAPE_OUT_OF_RANGE)
      .value("INVALID_PROFILE", ErrorCode::kINVALID_PROFILE)
      .value("INVALID_PLAN", ErrorCode::kINVALID_PLAN)
      .value("INVALID_STATE", ErrorCode::kINVALID_STATE)
      .value("RUNTIME", ErrorCode::kRUNTIME)
      .value("IO", ErrorCode::kIO);

  static py::exception<Error> error(module, "Error", PyExc_RuntimeError);
  error.doc() =
      "What kiln raises: str(e) reads \"<code> in '<object>': <message>\"; e.code (kiln.ErrorCode), e.message "
      "and e.object (the tensor, layer, input or plan section at fault; '' when none) give the parts.";
  error.attr("code") = py::none();
  error.attr("message") = "";
  error.attr("object") = "";
  errorClass = error.ptr();
  py::register_exception_translator([](std::exception_ptr pending) {
    try {
      if (pending) std::rethrow_exception(pending);
    } catch (const Error& caught) {
      raise(caught);
    }
  });
}

}  // namespace kiln::python
