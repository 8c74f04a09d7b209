// Assigns arena offsets to activation tensors so that tensors alive at the same time never overlap.
#pragma once

#include <cstdint>
#include <vector>

#include "plan/plan.h"

namespace kiln::builder {

constexpr uint64_t kActivationAlignment = 256;

struct MemoryPlan {
  std::vector<uint64_t> offsets;  // per plan tensor (0 for non-activations)
  uint64_t totalBytes = 0;
};

// `bytes` holds each activation's upper-bound size for the profile; liveness comes from the plan's step order.
MemoryPlan planActivationMemory(const plan::Plan& plan, const std::vector<uint64_t>& bytes);

}  // namespace kiln::builder
