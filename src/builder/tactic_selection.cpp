// Tactic selection. Timing runs on zero-filled buffers of the opt shapes: the kernels that offer tactics (matrix
// multiplies, convolutions) take the same time whatever the values, and zeros are valid for every element type.
#include "builder/tactic_selection.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <limits>
#include <variant>

#include "plan/plan_bounds.h"

namespace kiln::builder {

namespace {

struct Candidates {
  int32_t profile = 0;
  size_t step = 0;
  std::string key;
  std::vector<plan::Tactic> tactics;
};

// Concrete shapes of every tensor at one profile's opt shapes.
std::vector<Dims> optShapes(const plan::Plan& plan, const std::vector<int64_t>& values) {
  std::vector<Dims> shapes(plan.tensors.size());
  for (size_t t = 0; t < plan.tensors.size(); ++t) {
    const auto& dims = plan.tensors[t].dims;
    shapes[t].nbDims = static_cast<int32_t>(dims.size());
    for (size_t d = 0; d < dims.size(); ++d) shapes[t].d[d] = std::max<int64_t>(0, values[dims[d]]);
  }
  return shapes;
}

std::string number(double v, const char* format = "%.17g") {
  char text[32];
  std::snprintf(text, sizeof text, format, v);
  return text;
}

template <typename T>
std::string list(const std::vector<T>& v) {
  std::string out = "[";
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) out += ",";
    if constexpr (std::is_floating_point_v<T>)
      out += number(v[i]);
    else
      out += std::to_string(v[i]);
  }
  return out + "]";
}

// What decides a step's timing: target, the plan's kernel flags, layer type, attributes (run-time expressions
// evaluated), and the types and concrete shapes of its inputs and outputs.
std::string timingKey(const plan::Plan& plan, const plan::Step& step, const std::vector<Dims>& shapes,
                      const std::vector<int64_t>& values) {
  std::string key =
      plan.backend + " " + plan.target + " flags=" + std::to_string(plan.flags) + " " + layerTypeName(step.type);
  for (const auto& [name, value] : step.attrs.values()) {
    key += " " + name + "=";
    std::visit(
        [&](const auto& v) {
          using V = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<V, int64_t>)
            key += std::to_string(v);
          else if constexpr (std::is_same_v<V, double>)
            key += number(v);
          else if constexpr (std::is_same_v<V, std::string>)
            key += "'" + v + "'";
          else if constexpr (std::is_same_v<V, ops::ExprList>) {
            std::vector<int64_t> evaluated;
            for (core::ExprId id : v.ids) evaluated.push_back(values[id]);
            key += list(evaluated);
          } else
            key += list(v);
        },
        value);
  }
  auto tensors = [&](const char* what, const std::vector<int32_t>& ids) {
    key.append(" ").append(what).append(":");
    for (int32_t t : ids) {
      if (t < 0) {
        key.append(" -");
        continue;
      }
      key.append(" ").append(dataTypeName(plan.tensors[t].type)).append(toString(shapes[t]));
    }
  };
  tensors("in", step.inputs);
  tensors("out", step.outputs);
  return key;
}

backend::TensorArg zeroTensor(const backend::Backend& backend, std::vector<backend::Buffer>& buffers, DataType type,
                              const Dims& shape) {
  size_t bytes = std::max<size_t>(1, static_cast<size_t>(shape.volume()) * dataTypeSize(type));
  buffers.emplace_back(backend, bytes);
  backend.copyFromHost(buffers.back().data(), std::vector<uint8_t>(bytes, 0).data(), bytes);
  return {buffers.back().data(), type, shape};
}

// A candidate that can run these shapes: its kernel, the scratch memory it needs and its time.
struct Runnable {
  const plan::Tactic* tactic = nullptr;
  std::unique_ptr<backend::Kernel> kernel;
  size_t workspace = 0;
  double ms = 0;
};

// Times each candidate; returns the fastest (the default tactic when none could run). The candidates are timed in
// rounds that run each of them once, each keeping the median of its rounds, so that a change of the GPU's clocks
// during the timings (it ramps up after the idle moments of a build) moves them alike instead of favouring whichever
// ran after the change: one mistimed layer otherwise sets the algorithm of every layer of its shape through the
// timing cache.
std::pair<plan::Tactic, double> fastest(const plan::Plan& plan, const backend::Backend& backend, const Candidates& c,
                                        const std::vector<Dims>& shapes, const std::vector<int64_t>& values,
                                        int32_t iterations, uint64_t workspaceLimit, Logger& logger) {
  const plan::Step& step = plan.steps[c.step];
  std::vector<backend::Buffer> buffers;
  std::vector<backend::TensorArg> ins, outs;
  for (int32_t t : step.inputs)
    ins.push_back(t < 0 ? backend::TensorArg{} : zeroTensor(backend, buffers, plan.tensors[t].type, shapes[t]));
  for (int32_t t : step.outputs) outs.push_back(zeroTensor(backend, buffers, plan.tensors[t].type, shapes[t]));
  backend::KernelArgs args;
  args.bind(ins, outs);
  args.exprValues = values.data();
  backend::Buffer scratch;  // the most any candidate takes, shared
  auto launcher = [&](const Runnable& r) {
    return [&args, &scratch, &r](void* stream) {
      args.workspace = scratch.data();
      args.workspaceSize = r.workspace;
      args.stream = stream;
      r.kernel->run(args).check();
    };
  };

  auto skipped = [&](const plan::Tactic& tactic, const Error& e) {
    logger.log(Severity::kVERBOSE, "tactic '" + tactic.name + "' of '" + step.name + "' skipped: " + e.what());
  };
  std::vector<Runnable> created;
  size_t most = 1;
  for (const auto& tactic : c.tactics) {
    try {
      Runnable r{&tactic, backend.createKernel(backend::KernelSpec{plan, step, &tactic}), 0, 0};
      r.workspace = r.kernel->workspaceSize(args);
      if (r.workspace > workspaceLimit) continue;
      most = std::max(most, r.workspace);
      created.push_back(std::move(r));
    } catch (const Error& e) {  // a candidate that cannot run these shapes is simply not chosen
      skipped(tactic, e);
    }
  }
  if (created.empty()) return {plan::Tactic{}, 0};
  scratch = backend::Buffer(backend, most);
  std::vector<Runnable> runnable;
  for (auto& r : created) {
    try {
      backend.medianLaunchTime(launcher(r), 1);  // runs at all (else skipped here), and prepares its calls
      runnable.push_back(std::move(r));
    } catch (const Error& e) {
      skipped(*r.tactic, e);
    }
  }
  if (runnable.empty()) return {plan::Tactic{}, 0};
  std::vector<std::function<void(void*)>> launches;
  for (const Runnable& r : runnable) launches.push_back(launcher(r));
  std::vector<double> ms = backend.medianLaunchTimes(launches, iterations);
  for (size_t i = 0; i < runnable.size(); ++i) runnable[i].ms = ms.at(i);
  const Runnable& best = *std::min_element(runnable.begin(), runnable.end(),
                                           [](const Runnable& a, const Runnable& b) { return a.ms < b.ms; });
  return {*best.tactic, best.ms};
}

}  // namespace

void selectTactics(plan::Plan& plan, const backend::Backend& backend, const BuilderConfig& config, Logger& logger) {
  int32_t iterations = config.getTimingIterations();
  if (iterations <= 0) return;
  auto start = std::chrono::steady_clock::now();
  TimingCache buildOnly;
  TimingCache& cache = config.getTimingCache() ? *config.getTimingCache() : buildOnly;
  cache.resetStatistics();

  // First the candidates of every step in every profile, so that progress can count against a known total.
  std::vector<std::vector<int64_t>> values(plan.profiles.size());
  std::vector<std::vector<Dims>> shapes(plan.profiles.size());
  std::vector<Candidates> work;
  for (size_t p = 0; p < plan.profiles.size(); ++p) {
    if (!plan::evaluateAtProfile(plan, static_cast<int32_t>(p), OptProfileSelector::kOPT, values[p])) continue;
    shapes[p] = optShapes(plan, values[p]);
    std::vector<backend::TensorArg> ins, outs;
    for (size_t i = 0; i < plan.steps.size(); ++i) {
      const plan::Step& step = plan.steps[i];
      ins.clear();
      outs.clear();
      for (int32_t t : step.inputs)
        ins.push_back(t < 0 ? backend::TensorArg{} : backend::TensorArg{nullptr, plan.tensors[t].type, shapes[p][t]});
      for (int32_t t : step.outputs) outs.push_back({nullptr, plan.tensors[t].type, shapes[p][t]});
      backend::KernelArgs args;
      args.bind(ins, outs);
      args.exprValues = values[p].data();
      auto tactics = backend.createKernel(backend::KernelSpec{plan, step})->candidateTactics(args);
      if (tactics.size() > 1)
        work.push_back({static_cast<int32_t>(p), i, timingKey(plan, step, shapes[p], values[p]), std::move(tactics)});
    }
  }

  for (size_t w = 0; w < work.size(); ++w) {
    const Candidates& c = work[w];
    auto& tactics = plan.profiles[c.profile].tactics;
    tactics.resize(plan.steps.size());
    std::string progress = "tactics " + std::to_string(w + 1) + "/" + std::to_string(work.size()) + ": profile " +
                           std::to_string(c.profile) + " '" + plan.steps[c.step].name + "' ";
    if (const TimingCache::Entry* e = cache.find(c.key)) {
      cache.recordHit();
      tactics[c.step] = {e->tacticName, e->tacticData};
      logger.log(Severity::kVERBOSE, progress + "from the timing cache: " + e->tacticName);
      continue;
    }
    cache.recordMiss();
    auto [tactic, ms] =
        fastest(plan, backend, c, shapes[c.profile], values[c.profile], iterations, config.getWorkspaceLimit(), logger);
    cache.insert(c.key, {tactic.name, tactic.data, ms});
    logger.log(Severity::kINFO, progress + std::to_string(c.tactics.size()) + " candidates, fastest " +
                                    (tactic.isDefault() ? std::string("(default)") : tactic.name) + " " +
                                    number(ms, "%.4f") + " ms");
    tactics[c.step] = std::move(tactic);
  }
  double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  if (!work.empty())
    logger.log(Severity::kINFO, "tactic selection: " + std::to_string(work.size()) + " layer timings (" +
                                    std::to_string(cache.hits()) + " from the timing cache, " +
                                    std::to_string(cache.misses()) + " timed) in " + number(ms, "%.0f") + " ms");
}

}  // namespace kiln::builder
