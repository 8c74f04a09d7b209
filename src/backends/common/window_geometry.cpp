#include "backends/common/window_geometry.h"

#include "ops/convolution.h"

namespace kiln::backend {

// A per-spatial-axis attribute right-aligned into three axes; `fallback` fills absent values and unused axes.
Axes spatialAttr3(const ops::OpAttrs& attrs, const ops::IntsAttr& key, size_t nbSpatial, int64_t fallback) {
  Axes out;
  out.fill(fallback);
  auto values = attrs.get(key);
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

int64_t convolutionGroups(const ops::OpAttrs& attrs) {
  auto inferred = attrs.get(ops::Convolution::kInferredGroups);
  if (!attrs.has(ops::Convolution::kGroups) && !inferred.empty()) return inferred[0];
  return attrs.get(ops::Convolution::kGroups);
}

SamePadding::SamePadding(const ops::OpAttrs& attrs) {
  if (!attrs.has(ops::AutoPadding::kSamePre)) return;
  pre = attrs.get(ops::AutoPadding::kSamePre);
  post = attrs.get(ops::AutoPadding::kSamePost);
}

void SamePadding::resolve(const backend::KernelArgs& args, Axes& preOut, Axes& postOut) const {
  for (size_t i = 0; i < pre.size(); ++i) {
    preOut[3 - pre.size() + i] = args.value(pre[i]);
    postOut[3 - pre.size() + i] = args.value(post[i]);
  }
}

}  // namespace kiln::backend
