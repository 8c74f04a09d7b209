#include "kiln/error.h"

namespace kiln {

const char* errorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kINVALID_ARGUMENT: return "invalid argument";
    case ErrorCode::kINVALID_GRAPH: return "invalid graph";
    case ErrorCode::kUNSUPPORTED: return "unsupported";
    case ErrorCode::kSHAPE_OUT_OF_RANGE: return "shape out of range";
    case ErrorCode::kINVALID_PROFILE: return "invalid profile";
    case ErrorCode::kINVALID_PLAN: return "invalid plan";
    case ErrorCode::kINVALID_STATE: return "invalid state";
    case ErrorCode::kRUNTIME: return "runtime error";
    case ErrorCode::kIO: return "i/o error";
  }
  return "error";
}

static std::string formatError(ErrorCode code, const std::string& message, const std::string& object) {
  std::string text = errorCodeName(code);
  if (!object.empty()) text += " in '" + object + "'";
  return text + ": " + message;
}

Error::Error(ErrorCode code, const std::string& message, std::string object)
    : std::runtime_error(formatError(code, message, object)),
      code_(code),
      object_(std::move(object)),
      message_(message) {}

}  // namespace kiln
