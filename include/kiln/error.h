// The one error type: a code, a message and the name of the object at fault.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

namespace kiln {

// What kind of failure an Error reports.
enum class ErrorCode : int32_t {
  kINVALID_ARGUMENT = 1,    // a value handed to the API is wrong (bad axis, null pointer, wrong type)
  kINVALID_GRAPH = 2,       // the network cannot be built (mismatched shapes, unknown tensor)
  kUNSUPPORTED = 3,         // valid, but not implemented by kiln or by the chosen backend
  kSHAPE_OUT_OF_RANGE = 4,  // input shapes or shape-input values outside the profile, or that the network rejects
  kINVALID_PROFILE = 5,     // an optimization profile that is incomplete or does not fit the network
  kINVALID_PLAN = 6,        // a plan that is corrupted, truncated or of another version
  kINVALID_STATE = 7,       // a call made at the wrong time (no shapes set, address missing)
  kRUNTIME = 8,             // a failure while running (allocation, backend error)
  kIO = 9,                  // a file that cannot be read or written
};

// A short lower-case name of `code` ("invalid argument", "shape out of range", ...); "error" for other values.
const char* errorCodeName(ErrorCode code);

// What every throwing call of the API throws, and what a Status holds. what() reads
// "<code name> in '<object>': <message>" ("in '<object>'" only when an object is named).
class Error : public std::runtime_error {
 public:
  // `object` names what is at fault: a tensor, a layer, an input, a profile, a plan section.
  Error(ErrorCode code, const std::string& message, std::string object = {});

  // The kind of failure.
  ErrorCode code() const noexcept { return code_; }
  // The name of the tensor, layer, input, profile or plan section at fault; empty when none applies.
  const std::string& object() const noexcept { return object_; }
  // The message without the code and object prefix.
  const std::string& message() const noexcept { return message_; }

 private:
  ErrorCode code_;
  std::string object_;
  std::string message_;
};

// Result of a run-time call that must not throw (setInputShape, enqueue, ...).
class [[nodiscard]] Status {
 public:
  // Success.
  Status() = default;
  // A failure holding `error`.
  Status(Error error) : error_(std::move(error)) {}
  // Success.
  static Status ok() { return {}; }

  // True when the call succeeded.
  bool isOk() const noexcept { return !error_.has_value(); }
  // Same as isOk().
  explicit operator bool() const noexcept { return isOk(); }
  // The failure; only valid when isOk() is false.
  const Error& error() const { return *error_; }
  // Throws the error if there is one.
  void check() const {
    if (error_) throw *error_;
  }

 private:
  std::optional<Error> error_;
};

}  // namespace kiln
