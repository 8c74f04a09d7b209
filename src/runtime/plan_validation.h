// What the loader checks of a plan beyond the reader's sizes and indices: that it is a plan the builder could have
// made, so that every kernel gets what its step's rule promised at every shape the profiles allow.
#pragma once

#include "plan/plan.h"

namespace kiln::runtime {

// Data flow, network inputs and outputs, constants against their weights, profile ranges, the arena, and every
// step through its op's shape rule at each profile's min, opt and max shapes. Throws kiln::Error (kINVALID_PLAN)
// naming the section, tensor or step at fault.
void validatePlan(const plan::Plan& plan);

}  // namespace kiln::runtime
