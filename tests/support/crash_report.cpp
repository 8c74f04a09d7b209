// Linked into the test binaries that run on the GPU machine, where no debugger is at hand: a fatal signal prints
// the test that was running and a backtrace to stderr before the process dies as it would have. Standard output is
// line-buffered, so the log of a crashed run ends where the run did.
#include <execinfo.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstring>

namespace {

void writeText(const char* text) {
  if (write(STDERR_FILENO, text, std::strlen(text)) < 0) return;  // stderr is gone: nothing else to do
}

// Not async-signal-safe (the test name, backtrace_symbols_fd): acceptable for a process that is dying anyway.
extern "C" void reportFatalSignal(int signal) {
  writeText("\n*** fatal signal ");
  writeText(strsignal(signal));
  const testing::TestInfo* test = testing::UnitTest::GetInstance()->current_test_info();
  if (test) {
    writeText(" in test ");
    writeText(test->test_suite_name());
    writeText(".");
    writeText(test->name());
  }
  writeText("; backtrace:\n");
  void* frames[64];
  backtrace_symbols_fd(frames, backtrace(frames, 64), STDERR_FILENO);
  std::signal(signal, SIG_DFL);
  raise(signal);
}

#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define KILN_SANITIZED 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define KILN_SANITIZED 1
#endif

const bool installed = [] {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
#ifndef KILN_SANITIZED  // a sanitizer's own report says more
  for (int signal : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT}) std::signal(signal, reportFatalSignal);
#endif
  return true;
}();

}  // namespace
