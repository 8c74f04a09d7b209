// Forged plans: small valid plans with one metadata field changed and the checksum recomputed (plan_forger.h). Each
// must be refused with a kiln::Error or Status, or run; none may crash or, under the sanitizers, touch memory it
// does not own.
#include <gtest/gtest.h>

#include <cstdlib>
#include <iostream>

#include "plan_forger.h"
#include "test_util.h"

namespace kiln::test {
namespace {

TEST(PlanForgery, BasePlansRunAtEveryProfileShape) {
  for (const auto& base : forgeablePlans()) {
    std::string message;
    EXPECT_EQ(loadAndRun(base.bytes, &message), PlanOutcome::kRAN) << base.name << ": " << message;
  }
}

// KILN_PLAN_FORGERY_FROM=N starts at mutant N and KILN_PLAN_FORGERY_TRACE=1 prints each mutant before it runs: to
// find the mutant that crashed a run.
TEST(PlanForgery, EveryForgedPlanIsRefusedOrRuns) {
  const char* from = std::getenv("KILN_PLAN_FORGERY_FROM");
  size_t first = from ? std::strtoull(from, nullptr, 10) : 0;
  bool trace = std::getenv("KILN_PLAN_FORGERY_TRACE") != nullptr;
  size_t index = 0, atLoad = 0, later = 0, ran = 0;
  for (const auto& base : forgeablePlans()) {
    plan::Plan original = plan::deserialize(base.bytes.data(), base.bytes.size());
    for (const PlanMutation& mutation : planMutations(original)) {
      size_t n = index++;
      if (n < first) continue;
      if (trace) std::cerr << "mutant " << n << ": " << base.name << ": " << mutation.what << std::endl;
      switch (loadAndRun(forgePlan(base.bytes, mutation.apply))) {
        case PlanOutcome::kREFUSED_AT_LOAD: ++atLoad; break;
        case PlanOutcome::kREFUSED_LATER: ++later; break;
        case PlanOutcome::kRAN: ++ran; break;
      }
    }
  }
  std::cout << index << " forged plans: " << atLoad << " refused at load, " << later << " refused at a shape or a run, "
            << ran << " ran\n";
  EXPECT_GE(index, 2000u);
}

}  // namespace
}  // namespace kiln::test
