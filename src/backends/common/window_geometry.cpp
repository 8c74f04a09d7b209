#include "backends/common/window_geometry.h"

namespace kiln::backend {

// A per-spatial-axis attribute right-aligned into three axes; `fallback` fills absent values and unused axes.
Axes spatialAttr3(const ops::Attrs& attrs, const char* key, size_t nbSpatial, int64_t fallback) {
  Axes out;
  out.fill(fallback);
  auto values = attrs.getInts(key);
  for (size_t i = 0; i < values.size() && i < nbSpatial; ++i) out[3 - nbSpatial + i] = values[i];
  return out;
}

// The trailing `nbSpatial` dimensions of `shape` right-aligned into three axes (1 for unused axes).
Axes trailingDims3(const Dims& shape, size_t nbSpatial) {
  Axes out{1, 1, 1};
  for (size_t i = 0; i < nbSpatial; ++i) out[3 - nbSpatial + i] = shape.d[shape.nbDims - nbSpatial + i];
  return out;
}

int64_t axesVolume(const Axes& a) { return a[0] * a[1] * a[2]; }

int64_t convolutionGroups(const ops::Attrs& attrs) {
  auto inferred = attrs.getInts("inferred_groups");
  if (!attrs.has("groups") && !inferred.empty()) return inferred[0];
  return attrs.getInt("groups", 1);
}

SamePadding::SamePadding(const ops::Attrs& attrs) {
  if (!attrs.has("same_pre")) return;
  pre = attrs.getExprs("same_pre").ids;
  post = attrs.getExprs("same_post").ids;
}

void SamePadding::resolve(const backend::KernelArgs& args, Axes& preOut, Axes& postOut) const {
  for (size_t i = 0; i < pre.size(); ++i) {
    preOut[3 - pre.size() + i] = args.value(pre[i]);
    postOut[3 - pre.size() + i] = args.value(post[i]);
  }
}

}  // namespace kiln::backend
