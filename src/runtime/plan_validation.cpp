#include "runtime/plan_validation.h"

#include <algorithm>
#include <string>

#include "plan/plan_bounds.h"
#include "plan/step_rules.h"

namespace kiln::runtime {

namespace {

[[noreturn]] void invalid(const std::string& message, const std::string& object) {
  throw Error(ErrorCode::kINVALID_PLAN, message, object);
}

std::string profileName(size_t p) { return "profile " + std::to_string(p); }

// Steps read only what is written before them, write each tensor once and never an input or a constant, and every
// network output is written.
void checkDataflow(const plan::Plan& plan) {
  std::vector<char> produced(plan.tensors.size(), 0);
  for (size_t t = 0; t < plan.tensors.size(); ++t) {
    auto kind = plan.tensors[t].kind;
    produced[t] = kind == plan::TensorKind::kINPUT || kind == plan::TensorKind::kCONSTANT;
  }
  for (const auto& step : plan.steps) {
    for (int32_t in : step.inputs)
      if (in >= 0 && !produced[in])
        invalid("step reads '" + plan.tensors[in].name + "' before it is written", step.name);
    for (int32_t out : step.outputs) {
      auto kind = plan.tensors[out].kind;
      if (kind == plan::TensorKind::kINPUT || kind == plan::TensorKind::kCONSTANT || produced[out])
        invalid("step writes '" + plan.tensors[out].name + "', which is an input, a constant or already written",
                step.name);
      produced[out] = 1;
    }
  }
  for (int32_t out : plan.outputs)
    if (!produced[out]) invalid("no step writes the output", plan.tensors[out].name);
}

// Every input and output tensor is listed once (the caller binds only those), and each input axis is the input's
// own dimension, or a size fixed in every profile: the shape the caller sets is the shape the steps read.
void checkNetworkIO(const plan::Plan& plan) {
  std::vector<int32_t> listed(plan.tensors.size(), 0);
  for (int32_t t : plan.inputs) ++listed[t];
  for (int32_t t : plan.outputs) ++listed[t];
  for (size_t t = 0; t < plan.tensors.size(); ++t) {
    auto kind = plan.tensors[t].kind;
    if ((kind == plan::TensorKind::kINPUT || kind == plan::TensorKind::kOUTPUT) && listed[t] != 1)
      invalid("the network's input and output lists name this tensor " + std::to_string(listed[t]) +
                  " times instead of once",
              plan.tensors[t].name);
  }
  for (size_t i = 0; i < plan.inputs.size(); ++i) {
    const plan::TensorDesc& desc = plan.tensors[plan.inputs[i]];
    for (size_t axis = 0; axis < desc.dims.size(); ++axis) {
      const core::ExprNode& e = plan.exprs[desc.dims[axis]];
      if (e.op == core::ExprOp::kINPUT_DIM && e.value == static_cast<int64_t>(i * core::kLeafStride + axis)) continue;
      if (e.op != core::ExprOp::kCONST)
        invalid("dimension " + std::to_string(axis) + " of the input is not the input's own", desc.name);
      for (size_t p = 0; p < plan.profiles.size(); ++p) {
        const plan::InputRange& r = plan.profiles[p].inputs[i];
        if (r.min.d[axis] != e.value || r.max.d[axis] != e.value)
          invalid("dimension " + std::to_string(axis) + " is fixed at " + std::to_string(e.value) + " but " +
                      profileName(p) + " lets it range from " + std::to_string(r.min.d[axis]) + " to " +
                      std::to_string(r.max.d[axis]),
                  desc.name);
      }
    }
  }
}

// A constant's bytes: aligned as the builder lays them out, and exactly its fixed shape's worth.
void checkConstants(const plan::Plan& plan) {
  for (const plan::TensorDesc& desc : plan.tensors) {
    if (desc.kind != plan::TensorKind::kCONSTANT) continue;
    if (desc.weightsOffset % plan::kWeightsAlignment != 0)
      invalid("the constant's weights offset " + std::to_string(desc.weightsOffset) + " is not a multiple of " +
                  std::to_string(plan::kWeightsAlignment),
              desc.name);
    uint64_t count = 1;
    for (core::ExprId d : desc.dims) {
      const core::ExprNode& e = plan.exprs[d];
      if (e.op != core::ExprOp::kCONST || e.value < 0)
        invalid("the constant has a dimension that is not a fixed size", desc.name);
      // Beyond the weights section's size, the count cannot match its bytes: stop before it overflows.
      count = std::min<uint64_t>(count * static_cast<uint64_t>(e.value), plan.weights.size() + 1);
    }
    uint64_t bytes = count * dataTypeSize(desc.type);
    if (desc.weightsSize != bytes)
      invalid("the constant holds " + std::to_string(desc.weightsSize) + " bytes but its shape of " +
                  dataTypeName(desc.type) + " needs " + std::to_string(bytes),
              desc.name);
  }
}

// min <= opt <= max on every input dimension and shape-input value; shape inputs are integers with one value per
// element.
void checkProfileRanges(const plan::Plan& plan, size_t p) {
  const plan::Profile& profile = plan.profiles[p];
  for (size_t i = 0; i < plan.inputs.size(); ++i) {
    const auto& r = profile.inputs[i];
    const auto& desc = plan.tensors[plan.inputs[i]];
    for (int32_t d = 0; d < r.min.nbDims; ++d)
      if (r.min.d[d] < 0 || r.min.d[d] > r.opt.d[d] || r.opt.d[d] > r.max.d[d])
        invalid(profileName(p) + " has an inconsistent range", desc.name);
    if (r.isShapeInput() && (desc.type != DataType::kINT32 && desc.type != DataType::kINT64))
      invalid("a shape input must be int32 or int64", desc.name);
    if (r.isShapeInput() &&
        (r.min.volume() != static_cast<int64_t>(r.valueMin.size()) || r.max.volume() != r.min.volume()))
      invalid("a shape input's value count differs from its shape", desc.name);
    for (size_t v = 0; v < r.valueMin.size(); ++v)
      if (r.valueMin[v] > r.valueOpt[v] || r.valueOpt[v] > r.valueMax[v])
        invalid(profileName(p) + " has an inconsistent shape-value range", desc.name);
  }
}

// Every activation is aligned as the memory planner places it (kernels load whole elements and vectors) and fits the
// arena at the largest shapes the profile allows, and none shares bytes with another of its step (a reshape-only
// shuffle may pass its input's memory on whole).
void checkArena(const plan::Plan& plan, size_t p) {
  const plan::Profile& profile = plan.profiles[p];
  std::vector<uint64_t> bytes = plan::tensorByteBounds(plan, plan::exprBounds(plan, static_cast<int32_t>(p)));
  for (size_t t = 0; t < plan.tensors.size(); ++t) {
    if (plan.tensors[t].kind != plan::TensorKind::kACTIVATION) continue;
    uint64_t offset = profile.activationOffsets[t];
    if (offset % plan::kActivationAlignment != 0)
      invalid("activation '" + plan.tensors[t].name + "' has arena offset " + std::to_string(offset) + " in " +
                  profileName(p) + ", not a multiple of " + std::to_string(plan::kActivationAlignment),
              "memory plan");
    if (offset > profile.activationBytes || bytes[t] > profile.activationBytes - offset)
      invalid("activation '" + plan.tensors[t].name + "' lies outside the arena of " + profileName(p), "memory plan");
  }
  auto isActivation = [&](int32_t t) { return t >= 0 && plan.tensors[t].kind == plan::TensorKind::kACTIVATION; };
  for (const plan::Step& step : plan.steps)
    for (int32_t out : step.outputs)
      for (int32_t in : step.inputs) {
        if (!isActivation(in) || !isActivation(out)) continue;
        uint64_t a = profile.activationOffsets[in], b = profile.activationOffsets[out];
        if (step.type == LayerType::kSHUFFLE && a == b) continue;
        if (a < b + bytes[out] && b < a + bytes[in] && bytes[in] > 0 && bytes[out] > 0)
          invalid("step's input '" + plan.tensors[in].name + "' and output '" + plan.tensors[out].name +
                      "' overlap in the arena of " + profileName(p),
                  step.name);
      }
}

// At the profile's min, opt and max shapes: the shape program, the assertions, and every step through its rule.
void checkAtProfileShapes(const plan::Plan& plan, size_t p) {
  bool readsValues = std::any_of(plan.exprs.begin(), plan.exprs.end(),
                                 [](const core::ExprNode& e) { return e.op == core::ExprOp::kINPUT_VALUE; });
  const char* names[3] = {"min", "opt", "max"};
  std::vector<int64_t> values;
  for (int32_t s = 0; s < 3; ++s) {
    // A shape input's min and max values bound each value alone and need not be a valid set together: as the
    // builder, check plans that read them at the opt values only (contexts check each set of values they get).
    if (readsValues && s != static_cast<int32_t>(OptProfileSelector::kOPT)) continue;
    std::string where = std::string(" at the ") + names[s] + " shapes of " + profileName(p);
    if (!plan::evaluateAtProfile(plan, static_cast<int32_t>(p), static_cast<OptProfileSelector>(s), values))
      invalid("the shape program divides by zero" + where, "shape program");
    for (const auto& a : plan.assertions)
      if (!core::assertionHolds(a.kind, values[a.a], values[a.b]))
        invalid(a.message + where + " (" + std::to_string(values[a.a]) + " vs " + std::to_string(values[a.b]) + ")",
                a.layer);
    for (const auto& desc : plan.tensors)
      for (core::ExprId d : desc.dims)
        if (values[d] < 0) invalid("the tensor has a negative dimension" + where, desc.name);
    try {
      plan::checkStepsAgainstShapeRules(plan, values);
    } catch (const Error& e) {
      throw Error(e.code(), e.message() + where, e.object());
    }
  }
}

}  // namespace

void validatePlan(const plan::Plan& plan) {
  checkDataflow(plan);
  checkNetworkIO(plan);
  checkConstants(plan);
  for (size_t p = 0; p < plan.profiles.size(); ++p) {
    checkProfileRanges(plan, p);
    checkArena(plan, p);
    checkAtProfileShapes(plan, p);
  }
}

}  // namespace kiln::runtime
