#include "plan/plan_bounds.h"

#include <algorithm>

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
    return selector == OptProfileSelector::kMIN ? r.valueMin
                                                : selector == OptProfileSelector::kOPT ? r.valueOpt : r.valueMax;
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

uint64_t maxBytes(const Plan& plan, const std::vector<core::Interval>& bounds, int32_t tensor) {
  return static_cast<uint64_t>(maxShape(plan, bounds, tensor).volume()) * dataTypeSize(plan.tensors[tensor].type);
}

}  // namespace kiln::plan
