// Checked size arithmetic for element counts, byte sizes, arena offsets and shape values that come from what a caller
// or a file supplies. An overflow is refused with a kiln::Error naming the quantity and the object at fault, instead
// of wrapping into a small size that a later allocation or copy would trust.
#pragma once

#include <concepts>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "kiln/error.h"
#include "kiln/types.h"

namespace kiln::core {

// How an overflow is reported: the error code, the quantity being computed ("element count", "activation memory")
// and the object at fault (a tensor, a layer, an input). The views must outlive the calls given the context.
struct SizeContext {
  ErrorCode code = ErrorCode::kINVALID_ARGUMENT;
  std::string_view quantity;
  std::string_view object;
};

// Throws kiln::Error(context.code, "<quantity> overflows 64-bit integers (<detail>)", context.object).
[[noreturn]] void throwOverflow(const SizeContext& context, const std::string& detail);

// a + b, a - b and a * b, or nullopt where the exact result does not fit in T.
template <std::integral T>
std::optional<T> tryAdd(T a, T b) {
  T r;
  return __builtin_add_overflow(a, b, &r) ? std::nullopt : std::optional<T>(r);
}
template <std::integral T>
std::optional<T> trySub(T a, T b) {
  T r;
  return __builtin_sub_overflow(a, b, &r) ? std::nullopt : std::optional<T>(r);
}
template <std::integral T>
std::optional<T> tryMul(T a, T b) {
  T r;
  return __builtin_mul_overflow(a, b, &r) ? std::nullopt : std::optional<T>(r);
}

// a + b and a * b, throwing the error `context` describes where the exact result does not fit in T.
template <std::integral T>
T checkedAdd(T a, T b, const SizeContext& context) {
  if (auto result = tryAdd(a, b)) return *result;
  throwOverflow(context, std::to_string(a) + " + " + std::to_string(b));
}
template <std::integral T>
T checkedMul(T a, T b, const SizeContext& context) {
  if (auto result = tryMul(a, b)) return *result;
  throwOverflow(context, std::to_string(a) + " * " + std::to_string(b));
}

// `value` rounded up to a multiple of `alignment` (> 0), throwing where that does not fit in 64 bits.
uint64_t checkedRoundUp(uint64_t value, uint64_t alignment, const SizeContext& context);

// The product of `sizes` (1 when empty, 0 when one is 0), or nullopt where it does not fit in int64.
std::optional<int64_t> tryProduct(std::span<const int64_t> sizes);
// The element count of `dims` (product of its sizes, 1 for rank 0), or nullopt where it does not fit in int64.
std::optional<int64_t> tryVolume(const Dims& dims);
// The element count of `dims`, throwing where it does not fit in int64.
int64_t checkedVolume(const Dims& dims, const SizeContext& context);

// The bytes of `count` (>= 0) elements of `elementSize` bytes, throwing where that does not fit in 64 bits.
uint64_t checkedBytes(int64_t count, uint64_t elementSize, const SizeContext& context);

}  // namespace kiln::core
