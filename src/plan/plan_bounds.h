// Upper bounds of tensor sizes over a profile's shape range, from interval arithmetic on the shape program.
#pragma once

#include <vector>

#include "plan/plan.h"

namespace kiln::plan {

// Bounds of every expression when each input dimension ranges over the profile's [min, max].
std::vector<core::Interval> exprBounds(const Plan& plan, int32_t profile);
// The largest shape a tensor can take in the profile (per-axis upper bounds, at least 0).
Dims maxShape(const Plan& plan, const std::vector<core::Interval>& bounds, int32_t tensor);
uint64_t maxBytes(const Plan& plan, const std::vector<core::Interval>& bounds, int32_t tensor);

}  // namespace kiln::plan
