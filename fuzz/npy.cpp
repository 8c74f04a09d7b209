// .npy bytes -> the kiln command's loader (header, dtype, shape, Fortran order, payload size).
#include "npy.h"

#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    kiln::cli::parseNpy(data, size, "fuzz.npy");
  } catch (const kiln::Error&) {
    // A damaged array is refused: the expected outcome.
  }
  return 0;
}
