// How far one backend's tensor is from the reference's: the numbers `kiln compare` reports, apart from the command
// so that tests can check them on arrays made in memory.
#pragma once

#include <cstdint>
#include <vector>

#include "npy.h"

namespace kiln::cli {

// An element passes when |a - b| <= atol + rtol * |b|, b the reference's value (numpy.isclose's rule, polygraphy's
// defaults); NaN equals only NaN, and an infinity only the same infinity.
struct Tolerance {
  double atol = 1e-5;
  double rtol = 1e-5;
};

struct TensorDifference {
  bool sameShape = true;   // the dimensions agree (the element types may differ: values are compared as numbers)
  double maxAbs = 0.0;     // the largest |a - b|; infinite where a NaN or an infinity meets another value
  double maxRel = 0.0;     // the largest |a - b| / |b|; infinite where b is 0 and a is not
  int64_t elements = 0;    // compared
  int64_t mismatches = 0;  // elements outside the tolerance
  bool passed() const { return sameShape && mismatches == 0; }
};

// Every element as a double: integers and bools by value, fp16 and bf16 widened.
std::vector<double> valuesAsDoubles(const NpyArray& array);

// `subject` against `reference`, element by element; arrays of other shapes are not compared (sameShape false).
TensorDifference compareTensors(const NpyArray& subject, const NpyArray& reference, const Tolerance& tolerance);

}  // namespace kiln::cli
