// Forged plans for tests: a valid plan read into its in-memory form (plan/plan.h), one metadata field changed, and
// written back with a correct checksum, as an attacker or a buggy tool would make it. The loader must refuse such a
// plan or run it safely at every shape its profiles allow.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "kiln/kiln.h"
#include "plan/plan.h"

namespace kiln::test {

// One change to a plan's metadata, described the way a failure report should name it.
struct PlanMutation {
  std::string what;  // "tensor 3 ('conv_output_0') dim 1 -> expr 0"
  std::function<void(plan::Plan&)> apply;
};

// Small valid CPU plans over dynamic shapes, built once: convolution (bias and ReLU fused) with strided max pooling
// and SAME average pooling; concatenation and a gather of constant indices; a reshape to a target computed from the
// input's shape with a transpose and a dynamic slice; a reshape to a shape input's values; a matrix multiply (bias
// and ReLU fused), a broadcast product and a softmax.
struct NamedPlan {
  const char* name;
  std::vector<uint8_t> bytes;
};
const std::vector<NamedPlan>& forgeablePlans();

// Recomputes the header's checksum (CRC-32 of every byte after the 64-byte header) after `plan`'s bytes were edited
// in place, so that the edit reaches the loader's deeper checks.
void resealChecksum(std::vector<uint8_t>& plan);

// `bytes` read, changed by `edit`, and serialized again (with its checksum recomputed).
std::vector<uint8_t> forgePlan(const std::vector<uint8_t>& bytes, const std::function<void(plan::Plan&)>& edit);

// Every single-field change the forger makes to `plan`, in a fixed order: shape-program constants, operands and
// ops; tensor types, kinds, dims and weight ranges; the input and output lists; step types, inputs, outputs and
// attribute values; assertions; profile bounds, shape values and arena offsets.
std::vector<PlanMutation> planMutations(const plan::Plan& plan);

// What happened to a plan given to the runtime.
enum class PlanOutcome { kREFUSED_AT_LOAD, kREFUSED_LATER, kRAN };

// Loads `bytes` with Runtime::deserialize, creates a context and, for every profile, sets the input shapes (and
// shape-input values) at the profile's min, opt and max, binds fresh buffers and runs on the CPU backend. Errors
// (a kiln::Error or a failed Status) are refusals; `message` receives the first one.
PlanOutcome loadAndRun(const std::vector<uint8_t>& bytes, std::string* message = nullptr);

}  // namespace kiln::test
