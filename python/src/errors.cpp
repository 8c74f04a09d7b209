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
  using EC = ErrorCode;
  bindEnum<EC>(module, "ErrorCode", "What kind of failure a kiln.Error reports (kiln::ErrorCode).",
               {{"INVALID_ARGUMENT", EC::kINVALID_ARGUMENT},
                {"INVALID_GRAPH", EC::kINVALID_GRAPH},
                {"UNSUPPORTED", EC::kUNSUPPORTED},
                {"SHAPE_OUT_OF_RANGE", EC::kSHAPE_OUT_OF_RANGE},
                {"INVALID_PROFILE", EC::kINVALID_PROFILE},
                {"INVALID_PLAN", EC::kINVALID_PLAN},
                {"INVALID_STATE", EC::kINVALID_STATE},
                {"RUNTIME", EC::kRUNTIME},
                {"IO", EC::kIO}});

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
