// Builder: validate profiles, optimize a copy of the graph, lower it onto the backend, serialize.
#include "kiln/builder.h"

#include <algorithm>
#include <chrono>
#include <sstream>

#include "backends/registry.h"
#include "builder/lowering.h"
#include "builder/passes/pass.h"
#include "builder/profile_validation.h"
#include "builder/refittable_weights.h"
#include "builder/tactic_selection.h"
#include "core/api_boundary.h"
#include "graph/graph.h"
#include "graph/network_access.h"
#include "kiln/error.h"
#include "plan/plan_bounds.h"

namespace kiln {

namespace {

// Checks the run-time shape assertions at each profile's min, opt and max, so that a profile which can never
// run is rejected at build time with the layer named.
// The min and max values of a shape input bound each element separately, so together they need not be a valid
// configuration (a reshape target's elementwise minimum rarely keeps the volume): assertions that read shape-input
// values are checked at the opt values only, which must be one; the rest at min, opt and max.
void checkAssertionsAtProfileShapes(const plan::Plan& plan) {
  std::vector<bool> readsValues(plan.exprs.size(), false);
  for (size_t i = 0; i < plan.exprs.size(); ++i) {
    const core::ExprNode& n = plan.exprs[i];
    readsValues[i] =
        n.op == core::ExprOp::kINPUT_VALUE || (!core::isLeaf(n.op) && (readsValues[n.a] || readsValues[n.b]));
  }
  bool anyValues = std::find(readsValues.begin(), readsValues.end(), true) != readsValues.end();
  std::vector<int64_t> values;
  const char* names[3] = {"min", "opt", "max"};
  for (size_t p = 0; p < plan.profiles.size(); ++p) {
    for (int32_t s = 0; s < 3; ++s) {
      bool ok = plan::evaluateAtProfile(plan, static_cast<int32_t>(p), static_cast<OptProfileSelector>(s), values);
      for (const auto& a : plan.assertions) {
        if (s != static_cast<int32_t>(OptProfileSelector::kOPT) && (readsValues[a.a] || readsValues[a.b])) continue;
        int64_t x = values[a.a], y = values[a.b];
        bool holds = core::assertionHolds(a.kind, x, y);
        // With shape inputs, a division by zero at min or max may come from value expressions skipped above.
        if (!holds || (!ok && (s == static_cast<int32_t>(OptProfileSelector::kOPT) || !anyValues)))
          throw Error(ErrorCode::kINVALID_PROFILE,
                      a.message + " at the " + names[s] + " shapes of profile " + std::to_string(p) + " (" +
                          std::to_string(x) + " vs " + std::to_string(y) + ")",
                      a.layer);
      }
    }
  }
}

// Logs each profile's activation memory and its largest tensor, and rejects a profile whose bound exceeds the
// target's memory: the context could never be created, and the largest tensor is what to look at. An input or
// output larger than the memory is refused too, naming it.
void checkActivationMemory(const plan::Plan& plan, const backend::Backend& target, Logger& logger) {
  uint64_t capacity = target.memoryCapacity();
  for (size_t p = 0; p < plan.profiles.size(); ++p) {
    auto bounds = plan::exprBounds(plan, static_cast<int32_t>(p));
    std::vector<uint64_t> byteBounds = plan::tensorByteBounds(plan, bounds);
    int32_t largest = -1;
    uint64_t largestBytes = 0;
    for (size_t t = 0; t < plan.tensors.size(); ++t) {
      // An input or output the caller could never allocate is refused as well.
      bool io = plan.tensors[t].kind == plan::TensorKind::kINPUT || plan.tensors[t].kind == plan::TensorKind::kOUTPUT;
      if (io && capacity > 0 && byteBounds[t] > capacity)
        throw Error(ErrorCode::kINVALID_PROFILE,
                    "needs up to " + std::to_string(byteBounds[t]) + " bytes at the max shapes of profile " +
                        std::to_string(p) + ", more than the " + std::to_string(capacity) + " bytes of the " +
                        target.name() + " backend's memory",
                    plan.tensors[t].name);
      if (plan.tensors[t].kind != plan::TensorKind::kACTIVATION) continue;
      uint64_t bytes = byteBounds[t];
      if (largest < 0 || bytes > largestBytes) largest = static_cast<int32_t>(t), largestBytes = bytes;
    }
    uint64_t total = plan.profiles[p].activationBytes;
    std::ostringstream text;
    text << "profile " << p << ": activation memory " << total << " bytes";
    if (largest >= 0)
      text << ", largest tensor '" << plan.tensors[largest].name << "' (up to " << largestBytes << " bytes)";
    logger.log(Severity::kINFO, text.str());
    if (capacity > 0 && total > capacity) {
      text << " exceeds the " << capacity << " bytes of the " << target.name()
           << " backend's memory; narrow the profile's max shapes";
      throw Error(ErrorCode::kINVALID_PROFILE, text.str(),
                  largest >= 0 ? plan.tensors[largest].name : "profile " + std::to_string(p));
    }
  }
}

}  // namespace

struct Builder::Impl {
  std::vector<std::unique_ptr<OptimizationProfile>> profiles;
};

Builder::Builder(Logger& logger) : logger_(&logger), impl_(std::make_unique<Impl>()) {}
Builder::~Builder() = default;

std::unique_ptr<NetworkDefinition> Builder::createNetwork() const {
  return std::make_unique<NetworkDefinition>(*logger_);
}
std::unique_ptr<BuilderConfig> Builder::createBuilderConfig() const { return std::make_unique<BuilderConfig>(); }

OptimizationProfile* Builder::createOptimizationProfile() {
  impl_->profiles.push_back(std::make_unique<OptimizationProfile>());
  return impl_->profiles.back().get();
}

std::vector<uint8_t> Builder::buildSerializedNetwork(const NetworkDefinition& network,
                                                     const BuilderConfig& config) const {
  return core::errorBoundary("builder", [&] {
    auto start = std::chrono::steady_clock::now();
    const backend::Backend* target = backend::findBackend(config.getBackend());
    if (!target) {
      std::string known;
      for (const auto& name : backend::backendNames()) known += (known.empty() ? "" : ", ") + name;
      throw Error(ErrorCode::kUNSUPPORTED,
                  "unknown backend '" + config.getBackend() + "' (this build has: " + known + ")", "builder config");
    }
    std::string reason;
    if (!target->available(&reason))
      throw Error(ErrorCode::kUNSUPPORTED, "backend '" + config.getBackend() + "' is not available: " + reason,
                  "builder config");
    if (network.getNbOutputs() == 0) throw Error(ErrorCode::kINVALID_GRAPH, "the network has no outputs", "network");

    graph::Graph graph = graph::NetworkAccess::graph(network);
    auto ranges = builder::validateProfiles(graph, config);
    bool refit = config.getFlag(BuilderFlag::kREFIT);
    if (refit) builder::markRefittableWeights(graph);
    if (config.getFlag(BuilderFlag::kINT8))
      logger_->log(Severity::kWARNING,
                   "INT8 is not implemented yet: the flag is ignored (layers run in fp32, or in "
                   "fp16/bf16 where those flags allow)");
    auto passes = builder::defaultPipeline(*target);
    // After the fusions, which fold constants in fp32. fp16 where both are allowed: it has the finer mantissa.
    if (config.getFlag(BuilderFlag::kFP16) || config.getFlag(BuilderFlag::kBF16))
      passes.push_back(builder::makeLowerPrecisionPass(
          *target, config.getFlag(BuilderFlag::kFP16) ? DataType::kHALF : DataType::kBF16));
    // Last: the layout follows the types the layers run in.
    passes.push_back(builder::makeChannelsLastPass(*target));
    builder::runPipeline(graph, passes, *logger_);
    plan::Plan plan = builder::lowerToPlan(graph, ranges);
    if (refit) builder::lowerRecipes(graph, plan);
    plan.backend = target->name();
    plan.target = target->target();
    if (config.getFlag(BuilderFlag::kTF32)) plan.set(plan::PlanFlag::kTF32);
    checkAssertionsAtProfileShapes(plan);
    checkActivationMemory(plan, *target, *logger_);
    // Every step must have a kernel on the target: fail now, not when the plan is loaded.
    for (const auto& step : plan.steps) target->createKernel(backend::KernelSpec{plan, step});
    builder::selectTactics(plan, *target, config, *logger_);
    auto bytes = plan::serialize(plan);
    double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    logger_->log(Severity::kINFO, "built a " + std::string(target->name()) +
                                      " plan: " + std::to_string(plan.steps.size()) + " steps, " +
                                      std::to_string(plan.profiles.size()) + " profile(s), " +
                                      std::to_string(bytes.size()) + " bytes in " + std::to_string(ms) + " ms");
    return bytes;
  });
}

}  // namespace kiln
