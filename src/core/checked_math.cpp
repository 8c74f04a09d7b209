#include "core/checked_math.h"

#include <algorithm>

namespace kiln::core {

void throwOverflow(const SizeContext& context, const std::string& detail) {
  throw Error(context.code, std::string(context.quantity) + " overflows 64-bit integers (" + detail + ")",
              std::string(context.object));
}

uint64_t checkedRoundUp(uint64_t value, uint64_t alignment, const SizeContext& context) {
  uint64_t padded = checkedAdd(value, alignment - 1, context);
  return padded / alignment * alignment;
}

std::optional<int64_t> tryProduct(std::span<const int64_t> sizes) {
  // An empty axis makes the product 0 however large the others are.
  if (std::find(sizes.begin(), sizes.end(), 0) != sizes.end()) return 0;
  int64_t product = 1;
  for (int64_t size : sizes)
    if (__builtin_mul_overflow(product, size, &product)) return std::nullopt;
  return product;
}

std::optional<int64_t> tryVolume(const Dims& dims) {
  return tryProduct(std::span<const int64_t>(dims.d, static_cast<size_t>(std::clamp(dims.nbDims, 0, Dims::MAX_DIMS))));
}

int64_t checkedVolume(const Dims& dims, const SizeContext& context) {
  if (auto volume = tryVolume(dims)) return *volume;
  throwOverflow(context, "dimensions " + toString(dims));
}

uint64_t checkedBytes(int64_t count, uint64_t elementSize, const SizeContext& context) {
  return checkedMul(static_cast<uint64_t>(count), elementSize, context);
}

}  // namespace kiln::core
