#include "kiln/logger.h"

#include <cstdio>

namespace kiln {

void ConsoleLogger::log(Severity severity, std::string_view message) noexcept {
  if (severity > threshold_) return;
  static const char* tags[] = {"[F] ", "[E] ", "[W] ", "[I] ", "[V] "};
  std::fprintf(stderr, "%s%.*s\n", tags[static_cast<int>(severity)], static_cast<int>(message.size()), message.data());
}

Logger& nullLogger() {
  struct Quiet : Logger {
    void log(Severity, std::string_view) noexcept override {}
  };
  static Quiet quiet;
  return quiet;
}

}  // namespace kiln
