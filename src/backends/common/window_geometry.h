// Sliding-window geometry shared by the CPU convolution and pooling kernels: every problem is normalized to
// three spatial axes (1-D and 2-D get leading axes of size 1), so one code path serves 1-D, 2-D and 3-D.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "backends/common/backend.h"
#include "kiln/types.h"
#include "ops/attrs.h"

namespace kiln::backend {

using Axes = std::array<int64_t, 3>;

// A per-spatial-axis attribute right-aligned into three axes; `fallback` fills absent values and unused axes.
Axes spatialAttr3(const ops::Attrs& attrs, const char* key, size_t nbSpatial, int64_t fallback);
// The trailing `nbSpatial` dimensions of `shape` right-aligned into three axes (1 for unused axes).
Axes trailingDims3(const Dims& shape, size_t nbSpatial);
int64_t axesVolume(const Axes& a);
// A convolution's group count: "groups" as set, else the count shape inference derived from the channels
// ("inferred_groups", see infer_convolution.cpp), else 1.
int64_t convolutionGroups(const ops::Attrs& attrs);

// The padding of the SAME modes: expressions ("same_pre" / "same_post", set by shape inference) that the shape
// program evaluates for each run. Empty for explicit padding.
struct SamePadding {
  std::vector<core::ExprId> pre, post;

  SamePadding() = default;
  explicit SamePadding(const ops::Attrs& attrs);
  bool empty() const { return pre.empty(); }
  // This run's values, right-aligned into three axes like spatialAttr3.
  void resolve(const backend::KernelArgs& args, Axes& preOut, Axes& postOut) const;
};

}  // namespace kiln::backend
