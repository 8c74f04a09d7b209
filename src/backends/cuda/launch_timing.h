// Timing on the GPU's own clock, without the host's work of queueing the kernels: tactic candidates and profiled steps.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>
#include <functional>
#include <vector>

namespace kiln::cuda {

// The median milliseconds of each launch (which queues one run of a kernel on the stream it is given) over `rounds`
// rounds that each run every launch once. Throws kiln::Error when a launch or the timing fails.
std::vector<double> medianLaunchTimes(const std::vector<std::function<void(void*)>>& launches, int32_t rounds);

// Runs `run(i)` for i = 0 .. count - 1 on `s` once, recorded into a graph with an event between consecutive steps
// where `s` can record (not the legacy default stream, not a stream being captured), and returns each step's
// milliseconds after waiting for them.
std::vector<double> timeEachStep(cudaStream_t s, size_t count, const std::function<void(size_t)>& run);

}  // namespace kiln::cuda
