#include "builder/memory_planner.h"

#include <algorithm>
#include <numeric>

#include "backends/common/layout_geometry.h"
#include "core/checked_math.h"
#include "ops/shape.h"

namespace kiln::builder {

bool sharesInputMemory(const plan::Plan& plan, const plan::Step& step) {
  if (step.type != LayerType::kSHUFFLE || step.inputs.empty() || step.inputs[0] < 0 || step.outputs.size() != 1)
    return false;
  const plan::TensorDesc& in = plan.tensors[step.inputs[0]];
  const plan::TensorDesc& out = plan.tensors[step.outputs[0]];
  return in.kind == plan::TensorKind::kACTIVATION && out.kind == plan::TensorKind::kACTIVATION && in.type == out.type &&
         backend::isIdentityPermutation(step.opAttrs().get(ops::Shuffle::kFirstPerm)) &&
         backend::isIdentityPermutation(step.opAttrs().get(ops::Shuffle::kSecondPerm));
}

MemoryPlan planActivationMemory(const plan::Plan& plan, const std::vector<uint64_t>& tensorBytes) {
  size_t n = plan.tensors.size();
  std::vector<int32_t> first(n, -1), last(n, -1);
  for (int32_t s = 0; s < static_cast<int32_t>(plan.steps.size()); ++s) {
    for (int32_t t : plan.steps[s].outputs)
      if (first[t] < 0) first[t] = s;
    for (int32_t t : plan.steps[s].inputs)
      if (t >= 0) last[t] = s;
  }
  // The tensor whose memory each one uses: itself, or the owner of the input it shares (steps run in order, so the
  // input's owner is final when its reader is reached). An owner lives as long as any tensor in its memory.
  std::vector<int32_t> owner(n);
  std::iota(owner.begin(), owner.end(), 0);
  for (const auto& step : plan.steps)
    if (sharesInputMemory(plan, step)) owner[step.outputs[0]] = owner[step.inputs[0]];
  std::vector<uint64_t> bytes = tensorBytes;
  std::vector<int32_t> order;
  for (size_t t = 0; t < n; ++t) {
    if (plan.tensors[t].kind != plan::TensorKind::kACTIVATION) continue;
    if (last[t] < first[t]) last[t] = first[t];  // produced but unread (a second TopK output): alive for its step
    if (owner[t] == static_cast<int32_t>(t)) order.push_back(static_cast<int32_t>(t));
  }
  for (size_t t = 0; t < n; ++t) {
    int32_t o = owner[t];
    if (o == static_cast<int32_t>(t)) continue;
    first[o] = std::min(first[o], first[t]);
    last[o] = std::max(last[o], last[t]);
    bytes[o] = std::max(bytes[o], bytes[t]);
  }
  // Largest first, then earliest: the usual greedy that packs well for chains of layers.
  std::sort(order.begin(), order.end(),
            [&](int32_t a, int32_t b) { return bytes[a] != bytes[b] ? bytes[a] > bytes[b] : first[a] < first[b]; });
  MemoryPlan result;
  result.offsets.assign(n, 0);
  struct Placed {
    uint64_t begin, end;
    int32_t first, last;
  };
  std::vector<Placed> placed;
  for (int32_t t : order) {
    core::SizeContext arena{ErrorCode::kINVALID_PROFILE, "the activation memory", plan.tensors[t].name};
    uint64_t size = core::checkedRoundUp(bytes[t], plan::kActivationAlignment, arena);
    // Collect the intervals of overlapping-lifetime tensors and take the lowest gap that fits.
    std::vector<std::pair<uint64_t, uint64_t>> busy;
    for (const Placed& p : placed)
      if (!(p.last < first[t] || last[t] < p.first)) busy.emplace_back(p.begin, p.end);
    std::sort(busy.begin(), busy.end());
    uint64_t offset = 0;
    for (const auto& [b, e] : busy) {
      if (offset <= b && size <= b - offset) break;
      offset = std::max(offset, e);
    }
    uint64_t end = core::checkedAdd(offset, size, arena);
    result.offsets[t] = offset;
    placed.push_back({offset, end, first[t], last[t]});
    result.totalBytes = std::max(result.totalBytes, end);
  }
  for (size_t t = 0; t < n; ++t) result.offsets[t] = result.offsets[owner[t]];
  return result;
}

}  // namespace kiln::builder
