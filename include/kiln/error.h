// The one error type: a code, a message and the name of the object at fault.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

namespace kiln {

enum class ErrorCode : int32_t {
  kINVALID_ARGUMENT = 1,  // a value handed to the API is wrong (bad axis, null pointer, wrong type)
  kINVALID_GRAPH = 2,     // the network cannot be built (mismatched shapes, unknown tensor)
  kUNSUPPORTED = 3,       // valid, but not implemented by kiln or by the chosen backend
  kSHAPE_OUT_OF_RANGE = 4,
  kINVALID_PROFILE = 5,
  kINVALID_PLAN = 6,   // a plan that is corrupted, truncated or of another version
  kINVALID_STATE = 7,  // a call made at the wrong time (no shapes set, address missing)
  kRUNTIME = 8,        // a failure while running (allocation, backend error)
  kIO = 9,
};

const char* errorCodeName(ErrorCode code);

class Error : public std::runtime_error {
 public:
  // `object` names what is at fault: a tensor, a layer, an input, a profile, a plan section.
  Error(ErrorCode code, const std::string& message, std::string object = {});

  ErrorCode code() const noexcept { return code_; }
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
  Status() = default;
  Status(Error error) : error_(std::move(error)) {}
  static Status ok() { return {}; }

  bool isOk() const noexcept { return !error_.has_value(); }
  explicit operator bool() const noexcept { return isOk(); }
  const Error& error() const { return *error_; }
  // Throws the error if there is one.
  void check() const {
    if (error_) throw *error_;
  }

 private:
  std::optional<Error> error_;
};

}  // namespace kiln
