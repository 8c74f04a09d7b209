// Runs the one step of a single-step plan on a host backend: constant folding at build time, a refit's recipe steps.
#pragma once

#include <cstdint>
#include <vector>

#include "backends/common/backend.h"

namespace kiln::backend {

// `mini.steps[0]` run by `host` on `inputs` (the bytes of each step input, null for an absent one), its tensors'
// dims read from `exprValues`; one buffer per output. Throws kiln::Error when the backend cannot run it.
std::vector<std::vector<uint8_t>> runSingleStep(const Backend& host, const plan::Plan& mini,
                                                const std::vector<const uint8_t*>& inputs, const int64_t* exprValues);

}  // namespace kiln::backend
