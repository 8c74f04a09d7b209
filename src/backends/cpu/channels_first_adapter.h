// Runs a channels-last step (plan/channels_last.h) on the host with the channels-first kernel of the same step: the
// NHWC inputs (and a convolution's [K, spatial..., C] kernel) are transposed into the workspace, the channels-first
// kernel runs there, and its output is transposed back. The CPU gains nothing from NHWC; this keeps plans that the
// layout pass converted runnable (and checkable) everywhere.
#pragma once

#include <vector>

#include "backends/cpu/cpu_kernel.h"

namespace kiln::cpu {

// `permuted`: the inputs held channels-last (absent ones are skipped); output 0 is too. `channelsFirst` makes the
// kernel of the step without the attribute.
std::unique_ptr<Kernel> makeChannelsFirstAdapter(const KernelSpec& spec, std::vector<int32_t> permuted,
                                                 const KernelFactory& channelsFirst);

}  // namespace kiln::cpu
