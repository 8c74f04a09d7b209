// The logger Python code gives kiln: a console logger whose `log` a Python subclass may override.
#pragma once

#include <pybind11/pybind11.h>

#include <string_view>

#include "kiln/logger.h"

namespace kiln::python {

// kiln.Logger (alias kiln.ILogger). kiln calls log() from whichever thread logs; it takes the GIL and calls the Python
// override if there is one, else writes to stderr at or above min_severity as ConsoleLogger does.
class PyLogger : public Logger {
 public:
  explicit PyLogger(Severity minSeverity = Severity::kWARNING) : minSeverity(minSeverity) {}
  void log(Severity severity, std::string_view message) noexcept override;

  Severity minSeverity;
};

// The logger to hand kiln for an optional Python logger: the quiet one for None.
inline Logger& loggerOrQuiet(PyLogger* logger) { return logger ? static_cast<Logger&>(*logger) : nullLogger(); }

}  // namespace kiln::python
