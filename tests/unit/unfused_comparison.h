// Checks a builder optimization by building a network twice: as is, and with its intermediate results also marked
// as outputs, which keeps every fusion and merge from firing. Output 0 of both must agree at each shape.
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "test_util.h"

namespace kiln::test {

// Builds the network; `observe` marks its intermediate results as outputs too (after the final output, output 0).
using MakeNetwork = std::function<void(NetworkDefinition&, bool observe)>;

// Builds for the CPU with one profile for input "x" from `min` to `max` (opt = max).
std::unique_ptr<Engine> buildFor(NetworkDefinition& net, const Dims& min, const Dims& max);

struct LayerCounts {
  int32_t fused = 0, unfused = 0;
};

// Builds `make`'s network fused and unfused and compares output 0 of both at each shape (input "x" random in
// [-2, 2)); returns the step counts. The fused engine goes to `fusedEngine` when given (to inspect its plan).
LayerCounts compareWithUnfused(const MakeNetwork& make, const Dims& min, const Dims& max,
                               const std::vector<Dims>& shapes, std::unique_ptr<Engine>* fusedEngine = nullptr);

}  // namespace kiln::test
