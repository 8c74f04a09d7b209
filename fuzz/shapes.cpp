// Shape strings (--shapes, --minShapes, ...) -> the kiln command's parser.
#include "shapes.h"

#include <string>

#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    kiln::cli::parseShapes(std::string(reinterpret_cast<const char*>(data), size));
  } catch (const kiln::Error&) {
    // A malformed shape list is refused: the expected outcome.
  }
  return 0;
}
