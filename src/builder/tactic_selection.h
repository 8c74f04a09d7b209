// Tactic selection: time every candidate implementation of a step at each profile's opt shapes, keep the fastest.
#pragma once

#include "backends/common/backend.h"
#include "kiln/builder.h"
#include "kiln/logger.h"
#include "plan/plan.h"

namespace kiln::builder {

// Fills plan.profiles[*].tactics for the steps whose kernels offer a choice. Uses and extends the config's timing
// cache (or a cache of this build alone); logs progress (layers timed / total) and a summary.
void selectTactics(plan::Plan& plan, const backend::Backend& backend, const BuilderConfig& config, Logger& logger);

}  // namespace kiln::builder
