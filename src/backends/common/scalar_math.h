// Scalar arithmetic with numpy/ONNX semantics, shared by the CPU kernels and the CUDA kernels.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "backends/common/host_device.h"
#include "kiln/layers.h"

namespace kiln::backend {

// Integer x / -1 traps on the most negative value; numpy wraps it (the result is x itself), and so do we.
template <typename T>
KILN_HOST_DEVICE bool isMinusOne(T b) {
  if constexpr (std::is_signed_v<T> && !std::is_floating_point_v<T>) return b == T(-1);
  return false;
}

template <typename T>
KILN_HOST_DEVICE T wrappingNegate(T a) {
  using U = std::make_unsigned_t<T>;
  return static_cast<T>(U(0) - static_cast<U>(a));
}

// Integer sums wrap (as numpy) instead of overflowing into undefined behaviour; floating-point sums are plain.
template <typename T>
KILN_HOST_DEVICE T wrappingAdd(T a, T b) {
  if constexpr (std::is_integral_v<T>) {
    using U = std::make_unsigned_t<T>;
    return static_cast<T>(static_cast<U>(a) + static_cast<U>(b));
  } else {
    return a + b;
  }
}

// Multiplies as uint64_t: unsigned types narrower than int would promote to (signed) int, whose overflow is undefined.
template <typename T>
KILN_HOST_DEVICE T wrappingMultiply(T a, T b) {
  return static_cast<T>(static_cast<uint64_t>(a) * static_cast<uint64_t>(b));
}

// v < 0, without an always-false comparison on unsigned types.
template <typename T>
KILN_HOST_DEVICE bool isNegative(T v) {
  if constexpr (std::is_signed_v<T>) return v < 0;
  return false;
}

template <typename T>
KILN_HOST_DEVICE bool signsDiffer(T a, T b) {
  return isNegative(a) != isNegative(b);
}

// Shifts of unsigned integers; shifting by the bit width or more gives 0 (as numpy), not undefined behaviour.
template <typename T>
KILN_HOST_DEVICE T shiftLeft(T a, T b) {
  return b >= T(std::numeric_limits<T>::digits) ? T(0) : static_cast<T>(static_cast<uint64_t>(a) << b);
}

template <typename T>
KILN_HOST_DEVICE T shiftRight(T a, T b) {
  return b >= T(std::numeric_limits<T>::digits) ? T(0) : static_cast<T>(a >> b);
}

// Integer differences wrap like sums.
template <typename T>
KILN_HOST_DEVICE T wrappingSubtract(T a, T b) {
  if constexpr (std::is_integral_v<T>) {
    using U = std::make_unsigned_t<T>;
    return static_cast<T>(static_cast<U>(a) - static_cast<U>(b));
  } else {
    return a - b;
  }
}

// Integer division and remainder by zero give 0, as numpy does (C leaves it undefined, and x86 traps).
template <typename T>
KILN_HOST_DEVICE T truncDivide(T a, T b) {
  if constexpr (!std::is_floating_point_v<T>) {
    if (b == 0) return 0;
    if (isMinusOne(b)) return wrappingNegate(a);
  }
  return a / b;
}

// The remainder of truncating division (C's %, fmod for floating point).
template <typename T>
KILN_HOST_DEVICE T truncMod(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    return std::fmod(a, b);
  } else {
    if (b == 0 || isMinusOne(b)) return 0;
    return static_cast<T>(a % b);
  }
}

template <typename T>
KILN_HOST_DEVICE T floorDivide(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    return std::floor(a / b);
  } else {
    if (b == 0) return 0;
    if (isMinusOne(b)) return wrappingNegate(a);
    T q = a / b;
    if ((a % b != 0) && signsDiffer(a, b)) --q;
    return q;
  }
}

template <typename T>
KILN_HOST_DEVICE T floorMod(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    T r = std::fmod(a, b);
    if (r != 0 && ((r < 0) != (b < 0))) r += b;
    return r;
  } else {
    if (b == 0 || isMinusOne(b)) return 0;
    T r = a % b;
    if (r != 0 && signsDiffer(r, b)) r += b;
    return r;
  }
}

// Integer powers by squaring, wrapping on overflow like numpy; a negative exponent truncates 1 / a^-b toward zero.
template <typename T>
KILN_HOST_DEVICE T power(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    return std::pow(a, b);
  } else {
    if constexpr (std::is_signed_v<T>) {
      if (b < 0) {
        if (a == 1) return 1;
        if (isMinusOne(a)) return (b % 2 == 0) ? T(1) : a;
        return 0;
      }
    }
    T result = 1;
    for (; b != 0; b /= 2, a = wrappingMultiply(a, a))
      if (b % 2 != 0) result = wrappingMultiply(result, a);
    return result;
  }
}

template <typename T>
KILN_HOST_DEVICE T unaryFloat(UnaryOperation op, T x) {
  using U = UnaryOperation;
  switch (op) {
    case U::kEXP: return std::exp(x);
    case U::kLOG: return std::log(x);
    case U::kSQRT: return std::sqrt(x);
    case U::kRECIP: return T(1) / x;
    case U::kABS: return std::fabs(x);
    case U::kNEG: return -x;
    case U::kSIN: return std::sin(x);
    case U::kCOS: return std::cos(x);
    case U::kTAN: return std::tan(x);
    case U::kSINH: return std::sinh(x);
    case U::kCOSH: return std::cosh(x);
    case U::kASIN: return std::asin(x);
    case U::kACOS: return std::acos(x);
    case U::kATAN: return std::atan(x);
    case U::kASINH: return std::asinh(x);
    case U::kACOSH: return std::acosh(x);
    case U::kATANH: return std::atanh(x);
    case U::kCEIL: return std::ceil(x);
    case U::kFLOOR: return std::floor(x);
    case U::kERF: return std::erf(x);
    case U::kSIGN: return x > 0 ? T(1) : (x < 0 ? T(-1) : T(0));  // NaN gives 0 here; kept as NaN below
    case U::kROUND: return std::nearbyint(x);                     // half to even, as ONNX Round
    default: return x;
  }
}

// Abs, Neg and Sign of integers; negation wraps like numpy (abs(INT_MIN) stays INT_MIN).
template <typename T>
KILN_HOST_DEVICE T unaryInteger(UnaryOperation op, T x) {
  using U = UnaryOperation;
  if constexpr (std::is_unsigned_v<T>) {
    if (op == U::kABS) return x;
    if (op == U::kNEG) return static_cast<T>(T(0) - x);
    return x > 0 ? T(1) : T(0);
  } else {
    if (op == U::kABS) return x < 0 ? wrappingNegate(x) : x;
    if (op == U::kNEG) return wrappingNegate(x);
    return static_cast<T>((x > 0) - (x < 0));
  }
}

}  // namespace kiln::backend
