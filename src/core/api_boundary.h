// The error boundary of the public API. Calls that return a Status never throw, and calls documented to throw
// kiln::Error throw nothing else: whatever escapes the code behind them (std::bad_alloc, a CUDA library's
// exception, std::out_of_range, ...) is turned into a kiln::Error naming the object the call was made on.
#pragma once

#include <exception>
#include <new>
#include <string>
#include <utility>

#include "kiln/error.h"

namespace kiln::core {

// The exception in flight (call inside a catch block) as a kiln::Error: a kiln::Error as it is, anything else as
// kRUNTIME naming `object` and saying what it was.
inline Error currentExceptionAsError(const char* object) {
  try {
    throw;
  } catch (const Error& e) {
    return e;
  } catch (const std::bad_alloc&) {
    return Error(ErrorCode::kRUNTIME, "out of host memory", object);
  } catch (const std::exception& e) {
    return Error(ErrorCode::kRUNTIME, std::string("unexpected exception: ") + e.what(), object);
  } catch (...) {
    return Error(ErrorCode::kRUNTIME, "unexpected exception of a type that is not std::exception", object);
  }
}

// Runs `body` (which returns a Status) and returns its Status, or the Status of any exception it throws. `object` is
// a C string so that the path without exceptions allocates nothing (enqueue's promise).
template <typename Body>
Status statusBoundary(const char* object, Body&& body) noexcept {
  try {
    return body();
  } catch (...) {
    try {
      return currentExceptionAsError(object);
    } catch (...) {  // building the message itself ran out of memory
      return Status(Error(ErrorCode::kRUNTIME, "out of host memory"));
    }
  }
}

// Runs `body` and returns what it returns; any exception other than kiln::Error leaves as a kiln::Error naming
// `object` (for the calls documented to throw kiln::Error).
template <typename Body>
decltype(auto) errorBoundary(const char* object, Body&& body) {
  try {
    return body();
  } catch (const Error&) {
    throw;
  } catch (...) {
    throw currentExceptionAsError(object);
  }
}

}  // namespace kiln::core
