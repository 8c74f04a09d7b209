#include <optional>

#include "builder/passes/fusion_helpers.h"
#include "builder/passes/pass.h"
#include "builder/passes/shuffle_form.h"
#include "ops/shape.h"

namespace kiln::builder {

namespace {

// Merges a Shuffle into the Shuffle that alone reads its output, where one Shuffle step (transpose, reshape,
// transpose) does both exactly: attention's reshape to heads and transpose become one strided copy instead of a
// copy and a transpose. A transpose without a reshape composes with the other layer's adjacent permutation; two
// reshapes merge when nothing transposes between them and the second copies no input dimension (a 0 placeholder).
// The merged step takes the second layer's place.
class MergeShuffles : public Pass {
 public:
  const char* name() const override { return "merge-shuffles"; }
  int32_t apply(graph::Graph& graph) const override {
    int32_t changed = 0;
    for (int32_t l = 0; l < static_cast<int32_t>(graph.layers.size()); ++l) {
      const graph::LayerNode& outer = graph.layers[l];
      if (outer.removed || outer.type != LayerType::kSHUFFLE) continue;
      int32_t p = graph.tensors[outer.inputs[0]].producer;
      if (p < 0 || graph.layers[p].type != LayerType::kSHUFFLE || soleConsumer(graph, outer.inputs[0]) != l) continue;
      auto merged = mergedShuffle(graph.layers[p], outer);
      if (!merged) continue;
      graph.layers[p].removed = true;
      placeFused(graph, l, std::move(*merged));
      ++changed;
    }
    return changed;
  }

 private:
  // `inner` then `outer` as one Shuffle layer, when that is exact; nullopt otherwise.
  static std::optional<graph::LayerNode> mergedShuffle(const graph::LayerNode& inner, const graph::LayerNode& outer) {
    auto a = shuffleForm(inner), b = shuffleForm(outer);
    if (!a || !b) return std::nullopt;
    graph::LayerNode merged;
    ShuffleForm form;
    if (!a->reshaped) {
      // The outer reshape's 0 placeholders copy dims of its permuted input, which is the inner input permuted by
      // the composition: the same dims.
      merged = outer;
      form = {composePermutations(a->first, b->first), b->reshaped, b->second};
    } else if (!b->reshaped) {
      merged = inner;
      form = {a->first, true, composePermutations(a->second, b->first)};
    } else if (a->second.empty() && b->first.empty() && !copiesInputDims(outer)) {
      merged = outer;
      form = {a->first, true, b->second};
    } else {
      return std::nullopt;
    }
    setShuffleForm(merged, form);
    merged.inputs[0] = inner.inputs[0];
    merged.outputs = outer.outputs;
    merged.assertions = inner.assertions;
    merged.assertions.insert(merged.assertions.end(), outer.assertions.begin(), outer.assertions.end());
    return merged;
  }

  // Whether the reshape may copy dims of its input (0 placeholders), which would be other dims after a merge. A
  // detached shape input no longer says which of its values were 0.
  static bool copiesInputDims(const graph::LayerNode& layer) {
    if (!layer.opAttrs().get(ops::Shuffle::kZeroIsPlaceholder)) return false;
    if (layer.inputs.size() > 1) return true;
    for (int64_t d : layer.opAttrs().get(ops::Shuffle::kReshape))
      if (d == 0) return true;
    return false;
  }
};

}  // namespace

std::unique_ptr<Pass> makeMergeShufflesPass() { return std::make_unique<MergeShuffles>(); }

}  // namespace kiln::builder
