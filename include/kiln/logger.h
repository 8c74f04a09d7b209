// Severity-filtered logging; every builder, network and runtime object takes a Logger.
#pragma once

#include <cstdint>
#include <string_view>

namespace kiln {

enum class Severity : int32_t { kINTERNAL_ERROR = 0, kERROR = 1, kWARNING = 2, kINFO = 3, kVERBOSE = 4 };

class Logger {
 public:
  virtual ~Logger() = default;
  virtual void log(Severity severity, std::string_view message) noexcept = 0;
};

// Writes messages at or above `threshold` to stderr, prefixed like "[W] ".
class ConsoleLogger : public Logger {
 public:
  explicit ConsoleLogger(Severity threshold = Severity::kWARNING) : threshold_(threshold) {}
  void log(Severity severity, std::string_view message) noexcept override;
  void setThreshold(Severity threshold) { threshold_ = threshold; }

 private:
  Severity threshold_;
};

// A logger that keeps quiet; handy for tests and tools.
Logger& nullLogger();

}  // namespace kiln
