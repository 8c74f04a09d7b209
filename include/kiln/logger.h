// Severity-filtered logging; every builder, network and runtime object takes a Logger.
#pragma once

#include <cstdint>
#include <string_view>

namespace kiln {

// How serious a logged message is; lower values are more serious.
enum class Severity : int32_t {
  kINTERNAL_ERROR = 0,  // kiln itself is in an inconsistent state
  kERROR = 1,           // a call failed
  kWARNING = 2,         // something the user should know: a flag ignored, a fallback taken
  kINFO = 3,            // progress: what a build did and how long it took
  kVERBOSE = 4,         // details for debugging kiln
};

// Receives kiln's messages. Implementations must be safe to call from the threads that use kiln objects.
class Logger {
 public:
  // Loggers are owned by the caller, who keeps them alive as long as the objects given them.
  virtual ~Logger() = default;
  // One message, without a trailing newline. Must not throw.
  virtual void log(Severity severity, std::string_view message) noexcept = 0;
};

// Writes messages at or above `threshold` to stderr, prefixed like "[W] ".
class ConsoleLogger : public Logger {
 public:
  // Shows messages of `threshold` and more serious ones.
  explicit ConsoleLogger(Severity threshold = Severity::kWARNING) : threshold_(threshold) {}
  // Writes the message to stderr when it is at or above the threshold.
  void log(Severity severity, std::string_view message) noexcept override;
  // Changes which messages are shown from now on.
  void setThreshold(Severity threshold) { threshold_ = threshold; }
  // The least serious severity shown.
  Severity getThreshold() const { return threshold_; }

 private:
  Severity threshold_;
};

// A logger that keeps quiet; handy for tests and tools.
Logger& nullLogger();

}  // namespace kiln
