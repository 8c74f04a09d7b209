// Plan bytes -> deserialize -> a context -> one run at profile 0's min shapes on the CPU backend. The checksum is
// recomputed over the mutated bytes first, so mutants reach the loader's consistency checks the way a forged plan
// (or a buggy writer) would, instead of all stopping at the checksum.
#include <zlib.h>

#include <cstring>
#include <vector>

#include "fuzz_support.h"

namespace {

constexpr size_t kHeaderSize = 64;      // docs/plan-format.md
constexpr size_t kChecksumOffset = 24;  // CRC-32 (zlib) of every byte after the header

std::vector<uint8_t> resealed(const uint8_t* data, size_t size) {
  std::vector<uint8_t> bytes(data, data + size);
  if (size < kHeaderSize) return bytes;
  uint32_t checksum = static_cast<uint32_t>(
      crc32(crc32(0L, Z_NULL, 0), bytes.data() + kHeaderSize, static_cast<uInt>(size - kHeaderSize)));
  std::memcpy(bytes.data() + kChecksumOffset, &checksum, sizeof checksum);
  return bytes;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace kiln;
  if (size > (64u << 20)) return 0;
  try {
    auto engine = Runtime().deserialize(resealed(data, size));
    fuzz::runAtMinShapes(*engine);
  } catch (const Error&) {
    // A corrupted or forged plan is refused: the expected outcome.
  }
  return 0;
}
