// kiln.Logger: severities, the console default and Python overrides of log().
#include "logger.h"

#include <string>

#include "bindings.h"

namespace kiln::python {

void PyLogger::log(Severity severity, std::string_view message) noexcept {
  // Objects destroyed while the interpreter shuts down may still log; Python cannot be called then.
  if (!Py_IsInitialized() || _Py_IsFinalizing()) return;
  {
    py::gil_scoped_acquire gil;
    try {
      py::function override = py::get_override(static_cast<const PyLogger*>(this), "log");
      if (override) {
        override(severity, std::string(message));
        return;
      }
    } catch (py::error_already_set& error) {
      // log() must not throw: an exception from the override is reported as Python reports unraisable ones.
      error.discard_as_unraisable("kiln.Logger.log");
      return;
    }
  }
  ConsoleLogger(minSeverity).log(severity, message);
}

void bindLogger(py::module_& module) {
  py::class_<PyLogger> logger(module, "Logger",
                              "Receives kiln's messages (kiln::Logger). Writes those at or above min_severity to "
                              "stderr; a subclass may override log(severity, msg) (calling Logger.__init__ first). "
                              "log() is called from the threads that use kiln objects, with the GIL held.");
  bindEnum<Severity>(logger, "Severity", "How serious a message is; lower values are more serious.",
                     {{"INTERNAL_ERROR", Severity::kINTERNAL_ERROR},
                      {"ERROR", Severity::kERROR},
                      {"WARNING", Severity::kWARNING},
                      {"INFO", Severity::kINFO},
                      {"VERBOSE", Severity::kVERBOSE}})
      .export_values();
  logger.def(py::init<Severity>(), py::arg("min_severity") = Severity::kWARNING)
      .def_readwrite("min_severity", &PyLogger::minSeverity, "The least serious severity the default log() shows.")
      .def(
          "log",
          [](const PyLogger& self, Severity severity, const std::string& msg) {
            ConsoleLogger(self.minSeverity).log(severity, msg);
          },
          py::arg("severity"), py::arg("msg"), "Receives one message; the default writes it to stderr.");
  module.attr("ILogger") = logger;
}

}  // namespace kiln::python
