// What an Engine holds: the plan, the backend, weights resident on it, and one kernel per step.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <vector>

#include "backends/common/backend.h"
#include "kiln/logger.h"
#include "kiln/runtime.h"
#include "plan/plan.h"

namespace kiln::runtime {

struct EngineState {
  plan::Plan plan;
  const backend::Backend* backend = nullptr;
  Logger* logger = nullptr;
  backend::Buffer weights;
  // Held shared by each context run, exclusively by a refit (which a run in progress refuses).
  std::shared_mutex runGuard;
  // Per profile, per step: the kernel running the tactic the builder chose for that profile. Profiles that chose the
  // same tactic for a step share its kernel.
  std::vector<std::vector<std::shared_ptr<backend::Kernel>>> kernels;
  std::vector<int32_t> ioTensors;           // plan tensor ids: inputs, then outputs
  std::map<std::string, int32_t> ioByName;  // name -> plan tensor id
  std::vector<int32_t> inputIndexOfTensor;  // plan tensor id -> network input index, -1 otherwise

  int32_t findIO(const char* name) const {
    if (!name) return -1;
    auto it = ioByName.find(name);
    return it == ioByName.end() ? -1 : it->second;
  }
};

// Validates the plan's internal consistency beyond what the reader checks, uploads weights, creates kernels.
void loadEngineState(EngineState& state, plan::Plan plan, Logger& logger);

}  // namespace kiln::runtime

namespace kiln {
// The public Engine's private implementation is the runtime's EngineState.
struct Engine::Impl : runtime::EngineState {};
}  // namespace kiln
