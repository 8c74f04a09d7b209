// ExecutionContext: profile selection, input shapes → shape program → tensor shapes, binding, execution.
#include <algorithm>
#include <atomic>
#include <thread>

#include "core/api_boundary.h"
#include "kiln/runtime.h"
#include "plan/plan_bounds.h"
#include "plan/step_rules.h"
#include "runtime/engine_state.h"

namespace kiln::runtime {

struct ContextState {
  std::shared_ptr<EngineState> engine;
  int32_t profile = -1;
  std::vector<Dims> inputShapes;
  std::vector<char> inputSet;
  bool resolved = false;
  std::vector<int64_t> exprValues;
  std::vector<Dims> tensorShapes;                 // per plan tensor, valid when resolved
  std::vector<void*> ioAddresses;                 // per plan tensor (IO only)
  std::vector<std::vector<int64_t>> shapeValues;  // per input: the shape-input values the shapes were resolved with
  backend::Buffer arena;
  backend::Buffer workspace;
  // Device backends: shape inputs stay host buffers (their values decide shapes), so the steps that read one as data
  // read a device copy queued at each enqueue. Per plan tensor: offset into `staging`, or -1.
  backend::Buffer staging;
  std::vector<int64_t> stagingOffset;
  // Kernel arguments of every step, laid out once: inputs then outputs per step.
  std::vector<backend::TensorArg> args;
  std::vector<size_t> stepArgOffset;
  // Graph replay (device backends): runs recorded per key (profile, input shapes, shape values, IO addresses), the
  // least recently used evicted beyond kMaxGraphs; a key is recorded the second time it comes, so one-off shapes
  // and the first run (which initializes libraries) stay eager.
  struct Recorded {
    std::vector<int64_t> key;
    std::unique_ptr<backend::RecordedWork> work;
    uint64_t lastUse = 0;
  };
  static constexpr size_t kMaxGraphs = 16;
  bool graphReplay = true;
  Profiler* profiler = nullptr;
  std::vector<Recorded> graphs;
  std::vector<std::vector<int64_t>> seenOnce;
  uint64_t useClock = 0;
  void* syncStream = nullptr;           // executeV2's stream, made on first use
  std::atomic<std::thread::id> user{};  // the thread inside a call now; none between calls

  const plan::Plan& plan() const { return engine->plan; }
  void forgetGraphs() {
    graphs.clear();
    seenOnce.clear();
  }
  void setGraphReplayOff() {
    graphReplay = false;
    forgetGraphs();
  }
  ~ContextState() {
    graphs.clear();
    if (syncStream) engine->backend->destroyStream(syncStream);
  }
};

namespace {

// A context serves one thread at a time (as TensorRT documents for its contexts): a call from a second thread while
// one is in progress is refused instead of racing on the shapes, bindings and arena both would use. A call made by
// the thread already inside (setOptimizationProfile re-setting shapes, executeV2 enqueueing) is part of its call.
class ExclusiveUse {
 public:
  explicit ExclusiveUse(ContextState& s) : state_(s) {
    std::thread::id none{};
    auto me = std::this_thread::get_id();
    owner_ = state_.user.compare_exchange_strong(none, me);
    nested_ = !owner_ && none == me;
  }
  ~ExclusiveUse() {
    if (owner_) state_.user.store(std::thread::id{});
  }
  ExclusiveUse(const ExclusiveUse&) = delete;
  ExclusiveUse& operator=(const ExclusiveUse&) = delete;
  bool granted() const { return owner_ || nested_; }

 private:
  ContextState& state_;
  bool owner_ = false;
  bool nested_ = false;
};

// Runs `body` as one call of the context: through the error boundary, refused while another thread is inside.
template <typename Body>
Status contextCall(ContextState& s, Body&& body) {
  return core::statusBoundary("execution context", [&]() -> Status {
    ExclusiveUse use(s);
    if (!use.granted())
      return Error(ErrorCode::kINVALID_STATE,
                   "the context is in use by another thread (a context serves one thread at a time: create a "
                   "context per thread)",
                   "execution context");
    return body();
  });
}

Status fail(ErrorCode code, const std::string& message, const std::string& object) {
  return Error(code, message, object);
}

std::string rangeText(const plan::InputRange& r) { return "min " + toString(r.min) + ", max " + toString(r.max); }

// Workspace for `profile`: the largest any kernel asks for at the profile's largest shapes.
size_t workspaceForProfile(const ContextState& s, int32_t profile) {
  const plan::Plan& plan = s.plan();
  auto bounds = plan::exprBounds(plan, profile);
  std::vector<int64_t> hi(bounds.size());
  for (size_t i = 0; i < bounds.size(); ++i) hi[i] = std::max<int64_t>(0, bounds[i].hi);
  size_t most = 0;
  std::vector<backend::TensorArg> ins, outs;
  for (size_t i = 0; i < plan.steps.size(); ++i) {
    const auto& step = plan.steps[i];
    ins.clear();
    outs.clear();
    for (int32_t t : step.inputs) {
      backend::TensorArg a;
      if (t >= 0) a = {reinterpret_cast<void*>(1), plan.tensors[t].type, plan::maxShape(plan, bounds, t)};
      ins.push_back(a);
    }
    for (int32_t t : step.outputs)
      outs.push_back({reinterpret_cast<void*>(1), plan.tensors[t].type, plan::maxShape(plan, bounds, t)});
    backend::KernelArgs args;
    args.bind(ins, outs);
    args.exprValues = hi.data();
    most = std::max(most, s.engine->kernels[profile][i]->workspaceSize(args));
  }
  return most;
}

// Sizes the device copies of the shape inputs that steps read (device backends only).
void planShapeInputStaging(ContextState& s) {
  const plan::Plan& plan = s.plan();
  s.stagingOffset.assign(plan.tensors.size(), -1);
  if (s.engine->backend->isHostMemory() || plan.profiles.empty()) return;
  std::vector<char> read(plan.tensors.size(), 0);
  for (const auto& step : plan.steps)
    for (int32_t t : step.inputs)
      if (t >= 0) read[t] = 1;
  uint64_t bytes = 0;
  for (size_t i = 0; i < plan.inputs.size(); ++i) {
    int32_t t = plan.inputs[i];
    const auto& range = plan.profiles[0].inputs[i];
    if (!range.isShapeInput() || !read[t]) continue;
    s.stagingOffset[t] = static_cast<int64_t>(bytes);
    bytes += (range.valueMin.size() * dataTypeSize(plan.tensors[t].type) + 255) / 256 * 256;
  }
  s.staging = backend::Buffer(*s.engine->backend, bytes);
}

// Evaluates the shape program for the current input shapes, checks what only run-time shapes can decide, and
// lays the concrete shapes into every step's kernel arguments. `name` is the input just set (for messages).
Status resolveShapes(ContextState& s, const char* name) {
  const plan::Plan& plan = s.plan();
  bool ok = core::evaluateExprs(
      plan.exprs, [&](int32_t in, int32_t axis) { return s.inputShapes[in].d[axis]; }, s.exprValues,
      [&](int32_t in, int32_t element) { return s.shapeValues[in][element]; });
  if (!ok)
    return runtime::fail(ErrorCode::kSHAPE_OUT_OF_RANGE,
                         "a shape expression divides by zero or overflows 64-bit integers for these input shapes",
                         name);
  for (const auto& a : plan.assertions) {
    int64_t x = s.exprValues[a.a], y = s.exprValues[a.b];
    if (!core::assertionHolds(a.kind, x, y))
      return runtime::fail(
          ErrorCode::kSHAPE_OUT_OF_RANGE,
          a.message + " (" + std::to_string(x) + " vs " + std::to_string(y) + ") for these input shapes", a.layer);
  }
  for (size_t i = 0; i < plan.tensors.size(); ++i) {
    const auto& desc = plan.tensors[i];
    Dims& shape = s.tensorShapes[i];
    shape.nbDims = static_cast<int32_t>(desc.dims.size());
    for (int32_t d = 0; d < shape.nbDims; ++d) {
      shape.d[d] = s.exprValues[desc.dims[d]];
      if (shape.d[d] < 0)
        return runtime::fail(ErrorCode::kSHAPE_OUT_OF_RANGE,
                             "these input shapes give tensor '" + desc.name + "' a negative dimension", desc.name);
    }
  }
  // The loader checked the steps at the profiles' min, opt and max shapes; the shapes in between are checked as they
  // come, so that no kernel sees shapes its step's rule would refuse.
  try {
    plan::checkStepsAgainstShapeRules(plan, s.exprValues);
  } catch (const Error& e) {
    return e;
  }
  for (size_t i = 0; i < plan.steps.size(); ++i) {
    const auto& step = plan.steps[i];
    backend::TensorArg* a = s.args.data() + s.stepArgOffset[i];
    for (int32_t t2 : step.inputs) {
      if (t2 >= 0) *a = {nullptr, plan.tensors[t2].type, s.tensorShapes[t2]};
      ++a;
    }
    for (int32_t t2 : step.outputs) *a++ = {nullptr, plan.tensors[t2].type, s.tensorShapes[t2]};
  }
  s.resolved = true;
  return Status::ok();
}
// Reads the shape inputs' values from their host buffers; a change (or a first read) unresolves the shapes.
Status readShapeValues(ContextState& s) {
  const plan::Plan& plan = s.plan();
  const auto& ranges = plan.profiles[s.profile].inputs;
  for (size_t i = 0; i < ranges.size(); ++i) {
    const auto& range = ranges[i];
    if (!range.isShapeInput()) continue;
    int32_t t = plan.inputs[i];
    const auto& name = plan.tensors[t].name;
    const void* data = s.ioAddresses[t];
    if (!data)
      return fail(ErrorCode::kINVALID_STATE,
                  "is a shape input: its values decide tensor shapes, so bind its host buffer (setTensorAddress) first",
                  name);
    std::vector<int64_t> values(range.valueMin.size());
    for (size_t v = 0; v < values.size(); ++v) {
      values[v] = plan.tensors[t].type == DataType::kINT32 ? static_cast<const int32_t*>(data)[v]
                                                           : static_cast<const int64_t*>(data)[v];
      if (values[v] < range.valueMin[v] || values[v] > range.valueMax[v])
        return fail(ErrorCode::kSHAPE_OUT_OF_RANGE,
                    "value " + std::to_string(v) + " is " + std::to_string(values[v]) +
                        ", outside optimization profile " + std::to_string(s.profile) + " (min " +
                        std::to_string(range.valueMin[v]) + ", max " + std::to_string(range.valueMax[v]) + ")",
                    name);
    }
    if (values != s.shapeValues[i]) {
      s.shapeValues[i] = std::move(values);
      s.resolved = false;
    }
  }
  return Status::ok();
}

// Resolves the shapes if an input shape or a shape input's values changed since the last resolution.
Status ensureResolved(ContextState& s) {
  if (Status st = readShapeValues(s); !st) return st;
  if (s.resolved) return Status::ok();
  const plan::Plan& plan = s.plan();
  for (size_t i = 0; i < s.inputSet.size(); ++i)
    if (!s.inputSet[i])
      return fail(ErrorCode::kINVALID_STATE, "the input shape is not set (call setInputShape)",
                  plan.tensors[plan.inputs[i]].name);
  return resolveShapes(s, "execution context");
}

// Queues every step's kernel on `stream` (bound addresses and resolved shapes are checked by the caller).
Status enqueueSteps(ContextState& s, void* stream) {
  const plan::Plan& plan = s.plan();
  auto* arena = static_cast<uint8_t*>(s.arena.data());
  auto* weights = static_cast<uint8_t*>(s.engine->weights.data());
  auto* staging = static_cast<uint8_t*>(s.staging.data());
  try {
    for (size_t t = 0; t < s.stagingOffset.size(); ++t)
      if (s.stagingOffset[t] >= 0)
        s.engine->backend->copyFromHostAsync(staging + s.stagingOffset[t], s.ioAddresses[t],
                                             s.tensorShapes[t].volume() * dataTypeSize(plan.tensors[t].type), stream);
  } catch (const Error& e) {
    return e;
  }
  const auto& offsets = plan.profiles[s.profile].activationOffsets;
  auto address = [&](int32_t t) -> void* {
    const auto& desc = plan.tensors[t];
    switch (desc.kind) {
      case plan::TensorKind::kCONSTANT: return weights + desc.weightsOffset;
      case plan::TensorKind::kACTIVATION: return arena + offsets[t];
      case plan::TensorKind::kINPUT:
        if (s.stagingOffset[t] >= 0) return staging + s.stagingOffset[t];
        return s.ioAddresses[t];
      default: return s.ioAddresses[t];
    }
  };
  auto runStep = [&](size_t i) -> Status {
    const auto& step = plan.steps[i];
    backend::TensorArg* a = s.args.data() + s.stepArgOffset[i];
    backend::KernelArgs args;
    args.inputs = a;
    args.nbInputs = static_cast<int32_t>(step.inputs.size());
    args.outputs = a + step.inputs.size();
    args.nbOutputs = static_cast<int32_t>(step.outputs.size());
    for (int32_t k = 0; k < args.nbInputs; ++k) a[k].data = step.inputs[k] >= 0 ? address(step.inputs[k]) : nullptr;
    for (int32_t k = 0; k < args.nbOutputs; ++k) a[args.nbInputs + k].data = address(step.outputs[k]);
    args.exprValues = s.exprValues.data();
    args.workspace = s.workspace.data();
    args.workspaceSize = s.workspace.size();
    args.stream = stream;
    return core::statusBoundary(step.name.c_str(), [&] { return s.engine->kernels[s.profile][i]->run(args); });
  };
  if (s.profiler) {
    std::vector<double> ms;
    try {
      ms = s.engine->backend->timeEach(stream, plan.steps.size(), [&](size_t i) { runStep(i).check(); });
    } catch (const Error& e) {
      return e;
    }
    for (size_t i = 0; i < ms.size(); ++i)
      s.profiler->reportLayerTime(plan.steps[i].name.c_str(), static_cast<float>(ms[i]));
    return Status::ok();
  }
  for (size_t i = 0; i < plan.steps.size(); ++i)
    if (Status st = runStep(i); !st) return st;
  return Status::ok();
}

// What a recorded run depends on: replaying it is only right when all of this is the same.
std::vector<int64_t> graphKey(const ContextState& s) {
  std::vector<int64_t> key{s.profile};
  for (const Dims& d : s.inputShapes) key.insert(key.end(), d.d, d.d + d.nbDims);
  for (const auto& values : s.shapeValues) key.insert(key.end(), values.begin(), values.end());
  for (int32_t t : s.engine->ioTensors) key.push_back(reinterpret_cast<intptr_t>(s.ioAddresses[t]));
  return key;
}

// Replays the run recorded for these shapes and addresses, records it on its second coming, or runs it eagerly.
// A run that cannot be recorded turns replay off for the context (with a warning) and runs eagerly.
Status enqueueRecordedOrEager(ContextState& s, void* stream) {
  std::shared_lock run(s.engine->runGuard);  // no refit while the steps read the weights
  // Shape-input values are copied from host memory at each run: a recording would replay stale copies.
  if (!s.graphReplay || s.profiler || !stream || s.engine->backend->isHostMemory() || s.staging.size() > 0)
    return enqueueSteps(s, stream);
  std::vector<int64_t> key = graphKey(s);
  for (auto& g : s.graphs)
    if (g.key == key) {
      g.lastUse = ++s.useClock;
      try {
        g.work->replay(stream);
        return Status::ok();
      } catch (const Error& e) {
        return e;
      }
    }
  if (std::find(s.seenOnce.begin(), s.seenOnce.end(), key) == s.seenOnce.end()) {
    if (s.seenOnce.size() >= 4 * ContextState::kMaxGraphs) s.seenOnce.clear();
    s.seenOnce.push_back(std::move(key));
    return enqueueSteps(s, stream);
  }
  std::unique_ptr<backend::RecordedWork> work;
  try {
    work = s.engine->backend->record(stream, [&] { enqueueSteps(s, stream).check(); });
  } catch (const Error& e) {
    s.engine->logger->log(Severity::kWARNING,
                          "execution context: graph replay turned off, the run could not be "
                          "recorded (" +
                              std::string(e.what()) + ")");
    s.setGraphReplayOff();
    return enqueueSteps(s, stream);
  }
  if (!work) return enqueueSteps(s, stream);  // e.g. the caller is recording this stream itself
  if (s.graphs.size() >= ContextState::kMaxGraphs)
    s.graphs.erase(std::min_element(s.graphs.begin(), s.graphs.end(),
                                    [](const auto& a, const auto& b) { return a.lastUse < b.lastUse; }));
  s.graphs.push_back({std::move(key), std::move(work), ++s.useClock});
  try {
    s.graphs.back().work->replay(stream);
  } catch (const Error& e) {
    return e;
  }
  return Status::ok();
}

}  // namespace
}  // namespace kiln::runtime

namespace kiln {

using runtime::ContextState;

// The public ExecutionContext's private implementation is the runtime's ContextState.
struct ExecutionContext::Impl : ContextState {};

ExecutionContext::ExecutionContext(const Engine& engine) : engine_(&engine), state_(std::make_unique<Impl>()) {
  ContextState& s = *state_;
  s.engine = engine.state_;
  const plan::Plan& plan = s.plan();
  s.inputShapes.resize(plan.inputs.size());
  s.inputSet.assign(plan.inputs.size(), 0);
  s.exprValues.resize(plan.exprs.size());
  s.tensorShapes.resize(plan.tensors.size());
  s.ioAddresses.assign(plan.tensors.size(), nullptr);
  s.shapeValues.resize(plan.inputs.size());
  for (const auto& step : plan.steps) {
    s.stepArgOffset.push_back(s.args.size());
    s.args.resize(s.args.size() + step.inputs.size() + step.outputs.size());
  }
  runtime::planShapeInputStaging(s);
  // Inputs whose shapes are fully static need no setInputShape call.
  for (size_t i = 0; i < plan.inputs.size(); ++i) {
    const auto& desc = plan.tensors[plan.inputs[i]];
    bool fixed = true;
    Dims d;
    d.nbDims = static_cast<int32_t>(desc.dims.size());
    for (int32_t a = 0; a < d.nbDims; ++a) {
      const auto& e = plan.exprs[desc.dims[a]];
      fixed &= e.op == core::ExprOp::kCONST;
      d.d[a] = e.value;
    }
    if (fixed) {
      s.inputShapes[i] = d;
      s.inputSet[i] = 1;
    }
  }
  setOptimizationProfile(0).check();
}

ExecutionContext::~ExecutionContext() = default;

Status ExecutionContext::setOptimizationProfile(int32_t profileIndex) {
  return runtime::contextCall(*state_, [&]() -> Status {
    ContextState& s = *state_;
    int32_t count = static_cast<int32_t>(s.plan().profiles.size());
    if (profileIndex < 0 || profileIndex >= count)
      return Error(
          ErrorCode::kINVALID_ARGUMENT,
          "profile " + std::to_string(profileIndex) + " does not exist (the engine has " + std::to_string(count) + ")",
          "execution context");
    if (profileIndex == s.profile) return Status::ok();
    // Both buffers are had before the context changes, so that a failure leaves it on its previous profile.
    uint64_t arenaBytes = s.plan().profiles[profileIndex].activationBytes;
    backend::Buffer arena, workspace;
    try {
      arena = backend::Buffer(*s.engine->backend, arenaBytes);
    } catch (const Error& e) {
      return Error(ErrorCode::kRUNTIME,
                   "cannot allocate the " + std::to_string(arenaBytes) + " bytes of activation memory of profile " +
                       std::to_string(profileIndex) + " (" + e.message() + ")",
                   "execution context");
    }
    try {
      workspace = backend::Buffer(*s.engine->backend, runtime::workspaceForProfile(s, profileIndex));
    } catch (const Error& e) {
      return e;
    }
    s.profile = profileIndex;
    s.arena = std::move(arena);
    s.workspace = std::move(workspace);
    // Shapes set for the old profile may be outside the new one: those must be set again. Recorded runs used the old
    // arena.
    s.resolved = false;
    s.forgetGraphs();
    for (size_t i = 0; i < s.inputSet.size(); ++i) {
      if (!s.inputSet[i]) continue;
      const auto& name = s.plan().tensors[s.plan().inputs[i]].name;
      if (!setInputShape(name.c_str(), s.inputShapes[i])) s.inputSet[i] = 0;
    }
    return Status::ok();
  });
}

int32_t ExecutionContext::getOptimizationProfile() const { return state_->profile; }

Status ExecutionContext::setInputShape(const char* name, const Dims& dims) {
  return runtime::contextCall(*state_, [&]() -> Status {
    ContextState& s = *state_;
    const plan::Plan& plan = s.plan();
    int32_t t = s.engine->findIO(name);
    if (t < 0 || s.engine->inputIndexOfTensor[t] < 0)
      return runtime::fail(ErrorCode::kINVALID_ARGUMENT, "no network input has this name", name ? name : "(null)");
    int32_t input = s.engine->inputIndexOfTensor[t];
    const auto& range = plan.profiles[s.profile].inputs[input];
    if (dims.nbDims != range.min.nbDims)
      return runtime::fail(ErrorCode::kINVALID_ARGUMENT,
                           "shape " + toString(dims) + " has rank " + std::to_string(dims.nbDims) +
                               ", the input has rank " + std::to_string(range.min.nbDims),
                           name);
    for (int32_t d = 0; d < dims.nbDims; ++d) {
      if (dims.d[d] < range.min.d[d] || dims.d[d] > range.max.d[d])
        return runtime::fail(ErrorCode::kSHAPE_OUT_OF_RANGE,
                             "shape " + toString(dims) + " is outside optimization profile " +
                                 std::to_string(s.profile) + " (" + runtime::rangeText(range) + "; dimension " +
                                 std::to_string(d) + ")",
                             name);
    }
    // Shapes that depend on several inputs are checked together, once all are set (inferShapes, enqueue).
    s.inputShapes[input] = dims;
    s.inputSet[input] = 1;
    s.resolved = false;
    return Status::ok();
  });
}

Status ExecutionContext::inferShapes() {
  return runtime::contextCall(*state_, [&] { return runtime::ensureResolved(*state_); });
}

Dims ExecutionContext::getTensorShape(const char* name) const {
  const ContextState& s = *state_;
  Dims unset;
  unset.nbDims = -1;
  int32_t t = s.engine->findIO(name);
  if (t < 0) return unset;
  int32_t input = s.engine->inputIndexOfTensor[t];
  if (input >= 0) return s.inputSet[input] ? s.inputShapes[input] : unset;
  return runtime::ensureResolved(*state_).isOk() ? s.tensorShapes[t] : unset;
}

bool ExecutionContext::allInputDimensionsSpecified() const {
  return std::all_of(state_->inputSet.begin(), state_->inputSet.end(), [](char c) { return c != 0; });
}

Status ExecutionContext::setTensorAddress(const char* name, void* data) {
  return runtime::contextCall(*state_, [&]() -> Status {
    ContextState& s = *state_;
    int32_t t = s.engine->findIO(name);
    if (t < 0) return runtime::fail(ErrorCode::kINVALID_ARGUMENT, "no IO tensor has this name", name ? name : "(null)");
    if (!data) return runtime::fail(ErrorCode::kINVALID_ARGUMENT, "the address is null", name);
    // Kernels read elements whole: an element straddling its natural alignment is undefined behaviour on the host
    // and a misaligned access fault on a GPU.
    size_t elementSize = dataTypeSize(s.plan().tensors[t].type);
    if (elementSize > 1 && reinterpret_cast<uintptr_t>(data) % elementSize != 0)
      return runtime::fail(ErrorCode::kINVALID_ARGUMENT,
                           "the address is not aligned to the element size (" + std::to_string(elementSize) + " bytes)",
                           name);
    s.ioAddresses[t] = data;
    return Status::ok();
  });
}

void* ExecutionContext::getTensorAddress(const char* name) const {
  int32_t t = state_->engine->findIO(name);
  return t < 0 ? nullptr : state_->ioAddresses[t];
}

// The context's own stream (ordered with the default stream, so it can be recorded and replayed), then a wait:
// the caller may read the outputs (and time the run) when this returns.
Status ExecutionContext::executeV2() {
  return runtime::contextCall(*state_, [&]() -> Status {
    ContextState& s = *state_;
    try {
      if (!s.syncStream) s.syncStream = s.engine->backend->createStream();
    } catch (const Error& e) {
      return e;
    }
    if (Status st = enqueueV3(s.syncStream); !st) return st;
    try {
      s.engine->backend->synchronize(s.syncStream);
    } catch (const Error& e) {
      return e;
    }
    return Status::ok();
  });
}

Status ExecutionContext::enqueueV3(void* stream) {
  return runtime::contextCall(*state_, [&]() -> Status {
    ContextState& s = *state_;
    const plan::Plan& plan = s.plan();
    if (Status st = runtime::ensureResolved(s); !st) return st;
    for (int32_t t : s.engine->ioTensors)
      if (!s.ioAddresses[t] && s.tensorShapes[t].volume() > 0)
        return runtime::fail(ErrorCode::kINVALID_STATE, "no address is bound (call setTensorAddress)",
                             plan.tensors[t].name);
    return runtime::enqueueRecordedOrEager(s, stream);
  });
}

void ExecutionContext::setGraphReplay(bool enabled) {
  state_->graphReplay = enabled;
  if (!enabled) state_->forgetGraphs();
}

bool ExecutionContext::getGraphReplay() const { return state_->graphReplay; }

void ExecutionContext::setProfiler(Profiler* profiler) { state_->profiler = profiler; }

Profiler* ExecutionContext::getProfiler() const { return state_->profiler; }

int32_t ExecutionContext::getNbRecordedGraphs() const { return static_cast<int32_t>(state_->graphs.size()); }

}  // namespace kiln
