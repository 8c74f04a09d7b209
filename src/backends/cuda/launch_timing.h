// Tactic timing on the GPU's own clock, without the host's work of queueing the kernels.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

namespace kiln::cuda {

// The median milliseconds of each launch (which queues one run of a kernel on the stream it is given) over `rounds`
// rounds that each run every launch once. Throws kiln::Error when a launch or the timing fails.
std::vector<double> medianLaunchTimes(const std::vector<std::function<void(void*)>>& launches, int32_t rounds);

}  // namespace kiln::cuda
