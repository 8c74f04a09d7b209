// Upper bounds of tensor sizes over a profile's shape range, from interval arithmetic on the shape program.
#pragma once

#include <cstdint>
#include <vector>

#include "kiln/builder.h"
#include "plan/plan.h"

namespace kiln::plan {

// Bounds of every expression when each input dimension (and shape-input value) ranges over the profile's [min, max].
std::vector<core::Interval> exprBounds(const Plan& plan, int32_t profile);
// Evaluates the shape program at the profile's min, opt or max shapes and values; false on division by zero.
bool evaluateAtProfile(const Plan& plan, int32_t profile, OptProfileSelector selector, std::vector<int64_t>& values);
// The largest shape a tensor can take in the profile (per-axis upper bounds, at least 0).
Dims maxShape(const Plan& plan, const std::vector<core::Interval>& bounds, int32_t tensor);
uint64_t maxBytes(const Plan& plan, const std::vector<core::Interval>& bounds, int32_t tensor);

}  // namespace kiln::plan
