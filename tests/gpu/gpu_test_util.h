// Helpers of the GPU tests: skipping without a CUDA device, building for a named backend, running a CUDA engine.
#pragma once

#include <cuda_runtime.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <vector>

#include "test_util.h"

namespace kiln::gpu_test {

using test::HostTensor;

// Skips the test unless a CUDA device is present.
#define REQUIRE_CUDA()                                                                                         \
  do {                                                                                                         \
    const auto names = availableBackends();                                                                    \
    if (std::find(names.begin(), names.end(), "cuda") == names.end()) GTEST_SKIP() << "no CUDA device here"; \
  } while (0)

void check(cudaError_t status);

std::unique_ptr<Engine> buildFor(const char* backend, NetworkDefinition& network, const OptimizationProfile& profile);

// Runs a CUDA engine: inputs copied to device buffers, one enqueue on a stream, outputs copied back.
std::vector<HostTensor> runOnDevice(const Engine& engine, const std::vector<HostTensor>& inputs);

}  // namespace kiln::gpu_test
