#include "tensor_comparison.h"

#include <cmath>
#include <cstring>
#include <limits>

namespace kiln::cli {

namespace {

template <typename T>
T load(const uint8_t* bytes, int64_t index) {
  T value;
  std::memcpy(&value, bytes + index * static_cast<int64_t>(sizeof(T)), sizeof(T));
  return value;
}

// IEEE half: 1 sign, 5 exponent, 10 mantissa bits.
double halfToDouble(uint16_t bits) {
  int sign = bits >> 15, exponent = (bits >> 10) & 0x1f, mantissa = bits & 0x3ff;
  double magnitude =
      exponent == 0    ? std::ldexp(mantissa, -24)
      : exponent == 31 ? (mantissa ? std::numeric_limits<double>::quiet_NaN() : std::numeric_limits<double>::infinity())
                       : std::ldexp(mantissa + 1024, exponent - 25);
  return sign ? -magnitude : magnitude;
}

// bfloat16 is the upper half of an fp32.
double bf16ToDouble(uint16_t bits) {
  uint32_t wide = static_cast<uint32_t>(bits) << 16;
  float value;
  std::memcpy(&value, &wide, sizeof value);
  return value;
}

double elementAsDouble(DataType type, const uint8_t* bytes, int64_t i) {
  switch (type) {
    case DataType::kFLOAT: return load<float>(bytes, i);
    case DataType::kHALF: return halfToDouble(load<uint16_t>(bytes, i));
    case DataType::kBF16: return bf16ToDouble(load<uint16_t>(bytes, i));
    case DataType::kDOUBLE: return load<double>(bytes, i);
    case DataType::kINT8: return load<int8_t>(bytes, i);
    case DataType::kUINT8:
    case DataType::kBOOL: return load<uint8_t>(bytes, i);
    case DataType::kINT16: return load<int16_t>(bytes, i);
    case DataType::kUINT16: return load<uint16_t>(bytes, i);
    case DataType::kINT32: return load<int32_t>(bytes, i);
    case DataType::kUINT32: return load<uint32_t>(bytes, i);
    case DataType::kINT64: return static_cast<double>(load<int64_t>(bytes, i));
    case DataType::kUINT64: return static_cast<double>(load<uint64_t>(bytes, i));
  }
  return std::numeric_limits<double>::quiet_NaN();
}

struct ElementDifference {
  double abs, rel;
  bool passed;
};

ElementDifference compareElement(double a, double b, const Tolerance& tolerance) {
  constexpr double kInfinity = std::numeric_limits<double>::infinity();
  if (std::isnan(a) || std::isnan(b)) {
    bool both = std::isnan(a) && std::isnan(b);
    return {both ? 0.0 : kInfinity, both ? 0.0 : kInfinity, both};
  }
  if (a == b) return {0.0, 0.0, true};  // equal infinities included, whose difference would be NaN
  // An infinity meets another value (the tolerance of an infinite reference would pass anything).
  if (std::isinf(a) || std::isinf(b)) return {kInfinity, kInfinity, false};
  double abs = std::fabs(a - b);
  double rel = b == 0.0 ? kInfinity : abs / std::fabs(b);
  return {abs, rel, abs <= tolerance.atol + tolerance.rtol * std::fabs(b)};
}

}  // namespace

std::vector<double> valuesAsDoubles(const NpyArray& array) {
  int64_t count = array.dims.volume();
  std::vector<double> values(static_cast<size_t>(count));
  for (int64_t i = 0; i < count; ++i) values[i] = elementAsDouble(array.type, array.bytes.data(), i);
  return values;
}

TensorDifference compareTensors(const NpyArray& subject, const NpyArray& reference, const Tolerance& tolerance) {
  TensorDifference difference;
  if (!(subject.dims == reference.dims)) {
    difference.sameShape = false;
    return difference;
  }
  std::vector<double> a = valuesAsDoubles(subject), b = valuesAsDoubles(reference);
  difference.elements = static_cast<int64_t>(a.size());
  for (size_t i = 0; i < a.size(); ++i) {
    ElementDifference e = compareElement(a[i], b[i], tolerance);
    difference.maxAbs = std::fmax(difference.maxAbs, e.abs);
    difference.maxRel = std::fmax(difference.maxRel, e.rel);
    difference.mismatches += e.passed ? 0 : 1;
  }
  return difference;
}

}  // namespace kiln::cli
