// Shape rules: shuffle (transpose/reshape/transpose) and concatenation.
#include <algorithm>
#include <cmath>

#include "graph/infer.h"

namespace kiln::graph {

namespace {

std::vector<ExprId> permute(InferContext& ctx, const std::vector<ExprId>& dims, const std::vector<int64_t>& perm,
                            const char* which) {
  if (perm.empty()) return dims;
  if (perm.size() != dims.size())
    ctx.fail(std::string(which) + " permutation has " + std::to_string(perm.size()) + " entries for rank " +
             std::to_string(dims.size()));
  std::vector<bool> seen(dims.size(), false);
  std::vector<ExprId> out;
  for (int64_t p : perm) {
    if (p < 0 || p >= static_cast<int64_t>(dims.size()) || seen[p])
      ctx.fail(std::string(which) + " permutation is not a permutation of 0.." + std::to_string(dims.size() - 1));
    seen[p] = true;
    out.push_back(dims[p]);
  }
  return out;
}

bool isIdentityPermutation(const std::vector<int64_t>& perm) {
  for (size_t i = 0; i < perm.size(); ++i)
    if (perm[i] != static_cast<int64_t>(i)) return false;
  return true;
}

void inferShuffle(InferContext& ctx) {
  const Attrs& attrs = ctx.attrs();
  const TensorNode& in = ctx.input(0);
  auto firstPerm = attrs.getInts("first_perm");
  auto secondPerm = attrs.getInts("second_perm");
  auto dims = permute(ctx, in.dims, firstPerm, "first");
  bool reshaped = ctx.hasInput(1) || attrs.has("reshape");
  if (reshaped) {
    std::vector<ExprId> target;
    if (ctx.hasInput(1)) {
      const TensorNode& shape = ctx.input(1);
      if (shape.dims.size() != 1) ctx.fail("the reshape dimensions tensor must be 1-D");
      target = *shape.values;
    } else {
      for (int64_t v : attrs.getInts("reshape")) target.push_back(ctx.constant(v));
    }
    bool zeroCopies = attrs.getInt("zero_is_placeholder", 1) != 0;
    auto& e = ctx.exprs();
    ExprId zero = ctx.constant(0), one = ctx.constant(1);
    // For values only known at run time (a shape input's), the 0 and -1 placeholders become arithmetic selections:
    // isZero(v) = 1 - min(|v|, 1) and isNegative(v) = min(max(-v, 0), 1) on integers.
    auto isZero = [&](ExprId v) { return e.sub(one, e.min(e.max(v, e.sub(zero, v)), one)); };
    auto isNegative = [&](ExprId v) { return e.min(e.max(e.sub(zero, v), zero), one); };
    auto select = [&](ExprId condition, ExprId ifTrue, ExprId ifFalse) {
      return e.add(ifFalse, e.mul(condition, e.sub(ifTrue, ifFalse)));
    };
    int32_t inferred = -1;
    std::vector<size_t> mayInfer;  // run-time values that may be -1
    ExprId known = ctx.constant(1);
    for (size_t i = 0; i < target.size(); ++i) {
      auto c = ctx.constantValue(target[i]);
      if (!c && e.readsInputValues(target[i])) {
        if (zeroCopies && i < dims.size()) target[i] = select(isZero(target[i]), dims[i], target[i]);
        mayInfer.push_back(i);
        known = e.mul(known, select(isNegative(target[i]), one, target[i]));
        continue;
      }
      if (c && *c == 0 && zeroCopies) {
        if (i >= dims.size())
          ctx.fail("reshape dimension " + std::to_string(i) + " is 0 but the input has no such axis");
        target[i] = dims[i];
      } else if (c && *c == -1) {
        if (inferred >= 0) ctx.fail("reshape dimensions hold more than one -1");
        inferred = static_cast<int32_t>(i);
        continue;
      } else if (c && *c < 0) {
        ctx.fail("reshape dimension " + std::to_string(i) + " is " + std::to_string(*c));
      }
      known = e.mul(known, target[i]);
    }
    ExprId volume = ctx.volume(dims);
    if (inferred >= 0 || !mayInfer.empty()) {
      // Run-time values may all be sizes, with a product of 0 (allowzero): divide safely, since the quotient is then
      // unused and the volume check below decides.
      if (inferred >= 0)
        ctx.requireEqual(e.mod(volume, known), ctx.constant(0),
                         "input volume is not divisible by the known reshape dimensions");
      ExprId quotient = e.floorDiv(volume, inferred >= 0 ? known : e.max(known, one));
      if (inferred >= 0) target[inferred] = quotient;
      for (size_t i : mayInfer) target[i] = select(isNegative(target[i]), quotient, target[i]);
    }
    if (inferred < 0 || !mayInfer.empty()) {
      // With run-time values this also catches several -1s, or a negative value other than -1.
      // Targets from shape-input values are long selections: name the input side only.
      std::string to = mayInfer.empty() ? ctx.dimsToString(target) : "the values of the target shape";
      ctx.requireEqual(volume, ctx.volume(target),
                       "reshape changes the number of elements " + ctx.dimsToString(dims) + " -> " + to);
    }
    dims = target;
  }
  dims = permute(ctx, dims, secondPerm, "second");
  // Values survive when the element order does not change.
  std::optional<std::vector<ExprId>> values;
  if (in.values && isIdentityPermutation(firstPerm) && isIdentityPermutation(secondPerm)) values = in.values;
  ctx.setOutput(0, in.type, dims, values);
}

void inferConcatenation(InferContext& ctx) {
  const TensorNode& first = ctx.input(0);
  int32_t rank = static_cast<int32_t>(first.dims.size());
  if (rank == 0) ctx.fail("cannot concatenate scalars");
  int32_t axis = ctx.normalizeAxis(ctx.attrs().getInt("axis"), rank);
  std::vector<ExprId> out = first.dims;
  bool allValues = first.values.has_value() && rank == 1;
  std::vector<ExprId> values = allValues ? *first.values : std::vector<ExprId>{};
  for (int32_t i = 1; i < ctx.nbInputs(); ++i) {
    const TensorNode& t = ctx.input(i);
    if (t.type != first.type) ctx.fail("input " + std::to_string(i) + " has a different type");
    if (static_cast<int32_t>(t.dims.size()) != rank) ctx.fail("input " + std::to_string(i) + " has a different rank");
    for (int32_t d = 0; d < rank; ++d) {
      if (d == axis) continue;
      ctx.requireEqual(out[d], t.dims[d],
                       "input " + std::to_string(i) + " differs on axis " + std::to_string(d) +
                           " but concatenates on axis " + std::to_string(axis) +
                           " (give the axis to addConcatenation)");
    }
    out[axis] = ctx.exprs().add(out[axis], t.dims[axis]);
    if (allValues && t.values)
      values.insert(values.end(), t.values->begin(), t.values->end());
    else
      allValues = false;
  }
  ctx.setOutput(0, first.type, out, allValues ? std::optional(values) : std::nullopt);
}

}  // namespace

void registerShapeOps(OpTable& table) {
  table.add({LayerType::kSHUFFLE, inferShuffle, {1}});
  table.add({LayerType::kCONCATENATION, inferConcatenation, {}});
}

}  // namespace kiln::graph
