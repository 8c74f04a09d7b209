#include "plan/plan_bounds.h"

#include <algorithm>

namespace kiln::plan {

std::vector<core::Interval> exprBounds(const Plan& plan, int32_t profile) {
  std::vector<core::Interval> bounds(plan.exprs.size());
  const auto& ranges = plan.profiles[profile].inputs;
  core::evaluateIntervals(plan.exprs,
                          [&](int32_t input, int32_t axis) -> core::Interval {
                            if (input < 0 || input >= static_cast<int32_t>(ranges.size()) || axis < 0 ||
                                axis >= ranges[input].min.nbDims)
                              return {0, 0};
                            return {ranges[input].min.d[axis], ranges[input].max.d[axis]};
                          },
                          bounds);
  return bounds;
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
