#include "graph/broadcast.h"

#include <algorithm>

#include "core/checked_math.h"

namespace kiln::graph {

std::vector<ExprId> broadcastShapes(InferContext& ctx, const std::vector<std::vector<ExprId>>& shapes) {
  size_t rank = 0;
  for (const auto& s : shapes) rank = std::max(rank, s.size());
  std::vector<ExprId> out(rank, ctx.constant(1));
  for (const auto& s : shapes) {
    size_t offset = rank - s.size();
    for (size_t i = 0; i < s.size(); ++i)
      out[offset + i] = ctx.broadcastDim(out[offset + i], s[i], "axis " + std::to_string(offset + i));
  }
  return out;
}

std::optional<std::vector<ExprId>> broadcastValues(InferContext& ctx, const std::vector<ExprId>& values,
                                                   const std::vector<ExprId>& dims,
                                                   const std::vector<ExprId>& outDims) {
  std::vector<int64_t> in(dims.size()), out(outDims.size());
  for (size_t i = 0; i < dims.size(); ++i) {
    auto c = ctx.constantValue(dims[i]);
    if (!c) return std::nullopt;
    in[i] = *c;
  }
  for (size_t i = 0; i < outDims.size(); ++i) {
    auto c = ctx.constantValue(outDims[i]);
    if (!c) return std::nullopt;
    out[i] = *c;
  }
  int64_t total = core::tryProduct(out).value_or(kMaxTrackedValues + 1);
  if (total > kMaxTrackedValues) return std::nullopt;
  std::vector<ExprId> result;
  size_t offset = out.size() - in.size();
  for (int64_t flat = 0; flat < total; ++flat) {
    int64_t rem = flat, src = 0, stride = 1;
    std::vector<int64_t> idx(out.size());
    for (size_t i = out.size(); i-- > 0;) {
      idx[i] = rem % out[i];
      rem /= out[i];
    }
    for (size_t i = in.size(); i-- > 0;) {
      int64_t coord = in[i] == 1 ? 0 : idx[offset + i];
      src += coord * stride;
      stride *= in[i];
    }
    result.push_back(values[src]);
  }
  return result;
}

}  // namespace kiln::graph
