// Upper bounds of tensor sizes over a profile's shape range, from interval arithmetic on the shape program.
#pragma once

#include <cstdint>
#include <vector>

#include "kiln/types.h"
#include "plan/plan.h"

namespace kiln::plan {

// Bounds of every expression when each input dimension (and shape-input value) ranges over the profile's [min, max].
std::vector<core::Interval> exprBounds(const Plan& plan, int32_t profile);
// Evaluates the shape program at the profile's min, opt or max shapes and values; false on division by zero.
bool evaluateAtProfile(const Plan& plan, int32_t profile, OptProfileSelector selector, std::vector<int64_t>& values);
// The largest shape a tensor can take in the profile (per-axis upper bounds, at least 0).
Dims maxShape(const Plan& plan, const std::vector<core::Interval>& bounds, int32_t tensor);
// Upper bounds of every tensor's bytes in the profile (what the memory plan reserves): the per-axis bounds' product,
// tightened through the steps that keep their input's element count (reshapes and transposes, casts, element-wise
// maps, normalizations). A reshape's inferred axis is a volume divided by the other axes, and bounding that quotient
// axis by axis loses what the two share (a batch axis broadcast from two inputs, say); the element count does not.
// Throws kiln::Error (kINVALID_PROFILE, naming the tensor) when a bound does not fit in 64 bits.
std::vector<uint64_t> tensorByteBounds(const Plan& plan, const std::vector<core::Interval>& bounds);

}  // namespace kiln::plan
