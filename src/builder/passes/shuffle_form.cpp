#include "builder/passes/shuffle_form.h"

#include "backends/common/layout_geometry.h"
#include "ops/shape.h"

namespace kiln::builder {

namespace {

std::vector<int64_t> withoutIdentity(std::vector<int64_t> perm) {
  if (backend::isIdentityPermutation(perm)) perm.clear();
  return perm;
}

}  // namespace

std::optional<ShuffleForm> shuffleForm(const graph::LayerNode& layer) {
  if (layer.inputs.size() > 1 && layer.inputs[1] >= 0) return std::nullopt;
  ShuffleForm form;
  form.first = withoutIdentity(layer.opAttrs().get(ops::Shuffle::kFirstPerm));
  form.second = withoutIdentity(layer.opAttrs().get(ops::Shuffle::kSecondPerm));
  // A detached shape input leaves its slot behind (-1): the layer still reshapes.
  form.reshaped = layer.inputs.size() > 1 || layer.attrs.has(ops::Shuffle::kReshape);
  if (!form.reshaped) {
    form.first = withoutIdentity(composePermutations(form.first, form.second));
    form.second.clear();
  }
  return form;
}

void setShuffleForm(graph::LayerNode& layer, const ShuffleForm& form) {
  auto set = [&](const ops::IntsAttr& key, const std::vector<int64_t>& perm) {
    if (backend::isIdentityPermutation(perm))
      layer.attrs.erase(key);
    else
      layer.attrs.set(key, perm);
  };
  set(ops::Shuffle::kFirstPerm, form.first);
  set(ops::Shuffle::kSecondPerm, form.second);
}

std::vector<int64_t> composePermutations(const std::vector<int64_t>& p, const std::vector<int64_t>& q) {
  if (p.empty()) return q;
  if (q.empty()) return p;
  std::vector<int64_t> out(q.size());
  for (size_t i = 0; i < q.size(); ++i) out[i] = p[q[i]];
  return out;
}

}  // namespace kiln::builder
