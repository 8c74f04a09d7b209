// Runtime::deserialize and the Engine's read-only queries.
#include "backends/registry.h"
#include "core/api_boundary.h"
#include "kiln/runtime.h"
#include "runtime/engine_state.h"
#include "runtime/plan_validation.h"

namespace kiln::runtime {

namespace {

[[noreturn]] void invalid(const std::string& message, const std::string& object) {
  throw Error(ErrorCode::kINVALID_PLAN, message, object);
}

// The backend the plan was built for made a kernel for each step then: a step it refuses now is not the builder's.
std::shared_ptr<backend::Kernel> createStepKernel(const backend::Backend& backend, const backend::KernelSpec& spec) {
  try {
    return backend.createKernel(spec);
  } catch (const Error& e) {
    if (e.code() != ErrorCode::kUNSUPPORTED) throw;
    throw Error(ErrorCode::kINVALID_PLAN, e.message(), e.object());
  }
}

}  // namespace

void loadEngineState(EngineState& state, plan::Plan plan, Logger& logger) {
  const backend::Backend* backend = backend::findBackend(plan.backend);
  if (!backend) invalid("the plan was built for backend '" + plan.backend + "', which this kiln build lacks", "plan");
  std::string reason;
  if (!backend->available(&reason))
    throw Error(ErrorCode::kUNSUPPORTED, "backend '" + plan.backend + "' is not available: " + reason, "plan");
  if (std::string mismatch = backend->targetMismatch(plan.target); !mismatch.empty())
    throw Error(ErrorCode::kINVALID_PLAN, mismatch, "plan");
  validatePlan(plan);
  state.backend = backend;
  state.logger = &logger;
  state.weights = backend::Buffer(*backend, plan.weights.size());
  if (!plan.weights.empty()) backend->copyFromHost(state.weights.data(), plan.weights.data(), plan.weights.size());
  state.inputIndexOfTensor.assign(plan.tensors.size(), -1);
  for (size_t i = 0; i < plan.inputs.size(); ++i) {
    state.inputIndexOfTensor[plan.inputs[i]] = static_cast<int32_t>(i);
    state.ioTensors.push_back(plan.inputs[i]);
  }
  for (int32_t t : plan.outputs) state.ioTensors.push_back(t);
  for (int32_t t : state.ioTensors) {
    if (!state.ioByName.emplace(plan.tensors[t].name, t).second)
      invalid("two IO tensors share the name '" + plan.tensors[t].name + "'", "plan");
  }
  state.plan = std::move(plan);
  const plan::Plan& loaded = state.plan;
  state.kernels.assign(loaded.profiles.size(), std::vector<std::shared_ptr<backend::Kernel>>(loaded.steps.size()));
  for (size_t i = 0; i < loaded.steps.size(); ++i) {
    std::map<std::string, std::shared_ptr<backend::Kernel>> byTactic;
    for (size_t p = 0; p < loaded.profiles.size(); ++p) {
      const plan::Tactic* tactic = loaded.profiles[p].tactic(i);
      auto& kernel = byTactic[tactic ? tactic->data : std::string()];
      if (!kernel) kernel = createStepKernel(*backend, backend::KernelSpec{loaded, loaded.steps[i], tactic});
      state.kernels[p][i] = kernel;
    }
  }
}

}  // namespace kiln::runtime

namespace kiln {

std::unique_ptr<Engine> Runtime::deserialize(const void* data, size_t size) const {
  return core::errorBoundary("plan", [&] {
    plan::Plan plan = plan::deserialize(data, size);
    auto state = std::make_shared<Engine::Impl>();
    runtime::loadEngineState(*state, std::move(plan), *logger_);
    return std::unique_ptr<Engine>(new Engine(std::move(state)));
  });
}

Engine::Engine(std::shared_ptr<Impl> state) : state_(std::move(state)) {}
Engine::~Engine() = default;

int32_t Engine::getNbIOTensors() const { return static_cast<int32_t>(state_->ioTensors.size()); }

const char* Engine::getIOTensorName(int32_t index) const {
  if (index < 0 || index >= getNbIOTensors()) return nullptr;
  return state_->plan.tensors[state_->ioTensors[index]].name.c_str();
}

TensorIOMode Engine::getTensorIOMode(const char* name) const {
  int32_t t = state_->findIO(name);
  if (t < 0) return TensorIOMode::kNONE;
  return state_->plan.tensors[t].kind == plan::TensorKind::kINPUT ? TensorIOMode::kINPUT : TensorIOMode::kOUTPUT;
}

DataType Engine::getTensorDataType(const char* name) const {
  int32_t t = state_->findIO(name);
  return t < 0 ? DataType::kFLOAT : state_->plan.tensors[t].type;
}

Dims Engine::getTensorShape(const char* name) const {
  Dims dims;
  int32_t t = state_->findIO(name);
  if (t < 0) {
    dims.nbDims = -1;
    return dims;
  }
  const auto& desc = state_->plan.tensors[t];
  dims.nbDims = static_cast<int32_t>(desc.dims.size());
  for (int32_t i = 0; i < dims.nbDims; ++i) {
    const auto& e = state_->plan.exprs[desc.dims[i]];
    dims.d[i] = e.op == core::ExprOp::kCONST ? e.value : -1;
  }
  return dims;
}

int32_t Engine::getNbOptimizationProfiles() const { return static_cast<int32_t>(state_->plan.profiles.size()); }

bool Engine::isShapeInferenceIO(const char* name) const {
  int32_t t = state_->findIO(name);
  int32_t input = t < 0 ? -1 : state_->inputIndexOfTensor[t];
  return input >= 0 && state_->plan.profiles[0].inputs[input].isShapeInput();
}

std::vector<int64_t> Engine::getProfileShapeValues(const char* inputName, int32_t profileIndex,
                                                   OptProfileSelector selector) const {
  int32_t t = state_->findIO(inputName);
  if (t < 0 || profileIndex < 0 || profileIndex >= getNbOptimizationProfiles()) return {};
  int32_t input = state_->inputIndexOfTensor[t];
  if (input < 0) return {};
  const auto& range = state_->plan.profiles[profileIndex].inputs[input];
  switch (selector) {
    case OptProfileSelector::kMIN: return range.valueMin;
    case OptProfileSelector::kOPT: return range.valueOpt;
    case OptProfileSelector::kMAX: return range.valueMax;
  }
  return {};
}

Dims Engine::getProfileShape(const char* inputName, int32_t profileIndex, OptProfileSelector selector) const {
  Dims unset;
  unset.nbDims = -1;
  int32_t t = state_->findIO(inputName);
  if (t < 0 || profileIndex < 0 || profileIndex >= getNbOptimizationProfiles()) return unset;
  int32_t input = state_->inputIndexOfTensor[t];
  if (input < 0) return unset;
  const auto& range = state_->plan.profiles[profileIndex].inputs[input];
  switch (selector) {
    case OptProfileSelector::kMIN: return range.min;
    case OptProfileSelector::kOPT: return range.opt;
    case OptProfileSelector::kMAX: return range.max;
  }
  return unset;
}

uint64_t Engine::getDeviceMemorySize(int32_t profileIndex) const {
  if (profileIndex < 0 || profileIndex >= getNbOptimizationProfiles()) return 0;
  return state_->plan.profiles[profileIndex].activationBytes;
}

int32_t Engine::getNbLayers() const { return static_cast<int32_t>(state_->plan.steps.size()); }

LayerInfo Engine::getLayerInformation(int32_t index) const {
  LayerInfo info;
  if (index < 0 || index >= getNbLayers()) return info;
  const auto& step = state_->plan.steps[index];
  info.name = step.name;
  info.type = layerTypeName(step.type);
  for (int32_t t : step.inputs) info.inputs.push_back(t < 0 ? "" : state_->plan.tensors[t].name);
  for (int32_t t : step.outputs) {
    info.outputs.push_back(state_->plan.tensors[t].name);
    info.outputTypes.push_back(state_->plan.tensors[t].type);
  }
  info.attributes = step.attrs.toString();
  for (const auto& profile : state_->plan.profiles) {
    const plan::Tactic* tactic = profile.tactic(index);
    info.tactics.push_back(tactic ? tactic->name : std::string());
  }
  return info;
}

const char* Engine::getBackendName() const { return state_->plan.backend.c_str(); }
bool Engine::isDeviceMemory() const { return !state_->backend->isHostMemory(); }
uint32_t Engine::getPlanFormatVersion() const { return plan::kFormatVersion; }
const char* Engine::getKilnVersion() const { return state_->plan.kilnVersion.c_str(); }
uint64_t Engine::getWeightsSize() const { return state_->plan.weights.size(); }
std::vector<uint8_t> Engine::serialize() const {
  return core::errorBoundary("engine", [&] {
    std::shared_lock stable(state_->runGuard);  // not halfway through a refit
    return plan::serialize(state_->plan);
  });
}

std::unique_ptr<ExecutionContext> Engine::createExecutionContext() const {
  return core::errorBoundary("engine", [&] { return std::unique_ptr<ExecutionContext>(new ExecutionContext(*this)); });
}

}  // namespace kiln
