#include "plan/plan_bounds.h"

#include <algorithm>

#include "core/checked_math.h"
#include "ops/fused_prologue.h"
#include "ops/op_schema.h"

namespace kiln::plan {

std::vector<core::Interval> exprBounds(const Plan& plan, int32_t profile) {
  std::vector<core::Interval> bounds(plan.exprs.size());
  const auto& ranges = plan.profiles[profile].inputs;
  auto known = [&](int32_t input) { return input >= 0 && input < static_cast<int32_t>(ranges.size()); };
  core::evaluateIntervals(
      plan.exprs,
      [&](int32_t input, int32_t axis) -> core::Interval {
        if (!known(input) || axis < 0 || axis >= ranges[input].min.nbDims) return {0, 0};
        return {ranges[input].min.d[axis], ranges[input].max.d[axis]};
      },
      bounds,
      [&](int32_t input, int32_t element) -> core::Interval {
        if (!known(input) || element < 0 || element >= static_cast<int32_t>(ranges[input].valueMin.size()))
          return {0, 0};
        return {ranges[input].valueMin[element], ranges[input].valueMax[element]};
      });
  return bounds;
}

bool evaluateAtProfile(const Plan& plan, int32_t profile, OptProfileSelector selector, std::vector<int64_t>& values) {
  const auto& ranges = plan.profiles[profile].inputs;
  auto pick = [&](const InputRange& r) -> const Dims& {
    return selector == OptProfileSelector::kMIN ? r.min : selector == OptProfileSelector::kOPT ? r.opt : r.max;
  };
  auto pickValues = [&](const InputRange& r) -> const std::vector<int64_t>& {
    return selector == OptProfileSelector::kMIN   ? r.valueMin
           : selector == OptProfileSelector::kOPT ? r.valueOpt
                                                  : r.valueMax;
  };
  values.resize(plan.exprs.size());
  return core::evaluateExprs(
      plan.exprs, [&](int32_t input, int32_t axis) { return pick(ranges[input]).d[axis]; }, values,
      [&](int32_t input, int32_t element) { return pickValues(ranges[input])[element]; });
}

Dims maxShape(const Plan& plan, const std::vector<core::Interval>& bounds, int32_t tensor) {
  const auto& dims = plan.tensors[tensor].dims;
  Dims d;
  d.nbDims = static_cast<int32_t>(dims.size());
  for (int32_t i = 0; i < d.nbDims; ++i) d.d[i] = std::max<int64_t>(0, bounds[dims[i]].hi);
  return d;
}

namespace {

// Element counts saturate here rather than overflow: a bound this large sizes nothing a machine can hold.
constexpr uint64_t kSaturated = uint64_t{1} << 62;

// The largest element count of a tensor from its per-axis bounds, saturating instead of overflowing.
uint64_t maxElements(const Plan& plan, const std::vector<core::Interval>& bounds, int32_t tensor) {
  uint64_t count = 1;
  for (core::ExprId d : plan.tensors[tensor].dims) {
    uint64_t axis = static_cast<uint64_t>(std::max<int64_t>(0, bounds[d].hi));
    if (axis == 0) return 0;
    count = count > kSaturated / axis ? kSaturated : count * axis;
  }
  return count;
}

// Whether the step's output 0 has as many elements as its input 0 (the op's trait). A softmax with a fused mask
// (ops/fused_prologue.h) broadcasts its scores to the output, which can be larger.
bool keepsElementCount(const Step& step) {
  if (step.type == LayerType::kSOFTMAX && step.inputs.size() > ops::kSoftMaxMaskInput) return false;
  return ops::opSchema(step.type).keepsElementCount;
}

}  // namespace

std::vector<uint64_t> tensorByteBounds(const Plan& plan, const std::vector<core::Interval>& bounds) {
  std::vector<uint64_t> elements(plan.tensors.size());
  for (size_t t = 0; t < plan.tensors.size(); ++t) elements[t] = maxElements(plan, bounds, static_cast<int32_t>(t));
  // Steps run in order, so a step's input bound is final when the step is reached.
  for (const auto& step : plan.steps)
    if (keepsElementCount(step) && !step.inputs.empty() && step.inputs[0] >= 0 && !step.outputs.empty())
      elements[step.outputs[0]] = std::min(elements[step.outputs[0]], elements[step.inputs[0]]);
  std::vector<uint64_t> bytes(plan.tensors.size());
  for (size_t t = 0; t < plan.tensors.size(); ++t) {
    const std::string& name = plan.tensors[t].name;
    core::SizeContext size{ErrorCode::kINVALID_PROFILE, "its size at the profile's largest shapes", name};
    uint64_t elementSize = dataTypeSize(plan.tensors[t].type);
    if (elements[t] >= kSaturated)
      core::throwOverflow(size, "at least 2^62 elements of " + std::to_string(elementSize) + " bytes");
    bytes[t] = core::checkedMul<uint64_t>(elements[t], elementSize, size);
  }
  return bytes;
}

}  // namespace kiln::plan
