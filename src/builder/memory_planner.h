// Assigns arena offsets to activation tensors so that tensors alive at the same time never overlap.
#pragma once

#include <cstdint>
#include <vector>

#include "plan/plan.h"

namespace kiln::builder {

struct MemoryPlan {
  std::vector<uint64_t> offsets;  // per plan tensor (0 for non-activations)
  uint64_t totalBytes = 0;
};

// Whether `step` is a reshape-only Shuffle between two activations: it writes its input's bytes unchanged, so its
// output takes the input's memory and the step does nothing (the Shuffle kernels skip a copy onto itself). Network
// inputs and outputs are the caller's buffers and keep their copy.
bool sharesInputMemory(const plan::Plan& plan, const plan::Step& step);

// `tensorBytes` holds each activation's upper-bound size for the profile; liveness comes from the plan's step order.
// A tensor that shares its input's memory (sharesInputMemory) gets the input's offset, the input living as long as
// either is read. Throws kiln::Error (kINVALID_PROFILE, naming a tensor) when the arena does not fit in 64 bits.
MemoryPlan planActivationMemory(const plan::Plan& plan, const std::vector<uint64_t>& tensorBytes);

}  // namespace kiln::builder
