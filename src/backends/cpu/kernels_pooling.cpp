// CPU pooling: max (fp32, fp64, int8, uint8), optionally with the index of each maximum, and average (fp32, fp64)
// over the trailing 1 to 3 axes, with explicit or SAME padding, dilation, ceil mode and global windows. Geometry is
// normalized to three spatial axes as in kernels_convolution.cpp; every leading axis is a plane pooled independently.
#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <type_traits>
#include <vector>

#include "backends/common/window_geometry.h"
#include "backends/cpu/channels_first_adapter.h"
#include "backends/cpu/cpu_kernel.h"
#include "ops/channels_last.h"

namespace kiln::cpu {

using backend::Axes;
using backend::axesVolume;
using backend::SamePadding;
using backend::spatialAttr3;
using backend::trailingDims3;

namespace {

struct PoolParams {
  bool max = true;
  bool excludePadding = true;
  bool global = false;
  bool indices = false;      // output 1: int64 flat index of each maximum
  bool columnMajor = false;  // spatial part of that index counted column-major
  size_t nbSpatial = 0;
  Axes window, stride, dilation, pre, post;
  SamePadding same;
};

// The taps of one window along one axis: [lo, hi) fall inside the input, [0, padded) inside input + padding.
struct Taps {
  int64_t lo = 0, hi = 0, padded = 0;
};

// Number of taps j in [0, window) with start + j * dilation < bound.
int64_t tapsBelow(int64_t bound, int64_t start, int64_t window, int64_t dilation) {
  if (bound <= start) return 0;
  return std::min(window, (bound - start - 1) / dilation + 1);
}

template <typename T>
class Pooling {
 public:
  explicit Pooling(PoolParams p) : p_(std::move(p)) {}

  void operator()(const KernelArgs& a) const {
    if (p_.same.empty()) return run(a);
    // This run's padding in a copy, so the kernel itself stays const and shareable.
    PoolParams resolved = p_;
    p_.same.resolve(a, resolved.pre, resolved.post);
    Pooling(std::move(resolved)).run(a);
  }

 private:
  void run(const KernelArgs& a) const {
    Axes in = trailingDims3(a.in(0).shape, p_.nbSpatial);
    Axes out = trailingDims3(a.out(0).shape, p_.nbSpatial);
    // A global window is the whole input: stride, padding and dilation keep their neutral defaults.
    Axes window = p_.global ? in : p_.window;
    const auto* x = static_cast<const T*>(a.in(0).data);
    auto* y = static_cast<T*>(a.out(0).data);
    auto* where = p_.indices ? static_cast<int64_t*>(a.out(1).data) : nullptr;
    int64_t inPlane = axesVolume(in);
    int64_t planes = inPlane ? a.in(0).volume() / inPlane : 0;
    for (int64_t plane = 0; plane < planes; ++plane, x += inPlane)
      for (int64_t od = 0; od < out[0]; ++od)
        for (int64_t oh = 0; oh < out[1]; ++oh)
          for (int64_t ow = 0; ow < out[2]; ++ow) {
            Axes pos{od, oh, ow};
            std::array<Taps, 3> taps;
            Axes start;
            for (size_t i = 0; i < 3; ++i) {
              start[i] = pos[i] * p_.stride[i] - p_.pre[i];
              taps[i] = tapsOf(start[i], in[i], window[i], i);
            }
            if (!p_.max) {
              *y++ = averageOf(x, in, start, taps);
              continue;
            }
            int64_t at = -1;
            *y++ = maxOf(x, in, start, taps, at);
            if (where) *where++ = at < 0 ? -1 : plane * inPlane + flatIndex(at, in);
          }
  }

  // A row-major offset within the plane as the index the indices output wants. The normalized leading axes have
  // size 1, so column-major over all three axes is column-major over the real spatial axes.
  int64_t flatIndex(int64_t rowMajor, const Axes& in) const {
    if (!p_.columnMajor) return rowMajor;
    int64_t w = rowMajor % in[2], h = rowMajor / in[2] % in[1], d = rowMajor / (in[1] * in[2]);
    return d + in[0] * (h + in[1] * w);
  }

  Taps tapsOf(int64_t start, int64_t in, int64_t window, size_t axis) const {
    int64_t d = p_.dilation[axis];
    Taps t;
    t.lo = start < 0 ? std::min(window, (-start + d - 1) / d) : 0;
    t.hi = std::max(t.lo, tapsBelow(in, start, window, d));
    t.padded = tapsBelow(in + p_.post[axis], start, window, d);
    return t;
  }

  // Calls f(value, row-major offset within the plane) for every tap inside the input.
  template <typename F>
  void forEachTap(const T* x, const Axes& in, const Axes& start, const std::array<Taps, 3>& taps, F&& f) const {
    for (int64_t jd = taps[0].lo; jd < taps[0].hi; ++jd) {
      int64_t id = start[0] + jd * p_.dilation[0];
      for (int64_t jh = taps[1].lo; jh < taps[1].hi; ++jh) {
        int64_t row = (id * in[1] + start[1] + jh * p_.dilation[1]) * in[2] + start[2];
        for (int64_t jw = taps[2].lo; jw < taps[2].hi; ++jw) f(x[row + jw * p_.dilation[2]], row + jw * p_.dilation[2]);
      }
    }
  }

  // Padding counts as -inf (the lowest integer); NaN propagates. A window with no input element (possible only
  // with dilation) is -inf. `at` gets the offset of the first maximum (or NaN), -1 for an empty window.
  T maxOf(const T* x, const Axes& in, const Axes& start, const std::array<Taps, 3>& taps, int64_t& at) const {
    using L = std::numeric_limits<T>;
    T m = L::has_infinity ? -L::infinity() : L::lowest();
    forEachTap(x, in, start, taps, [&](T v, int64_t offset) {
      if (isNan(m) || !(v > m || isNan(v) || at < 0)) return;
      m = v;
      at = offset;
    });
    return m;
  }

  // Divides by the taps inside the input, or (counting padding) inside input + padding. An empty divisor gives 0.
  T averageOf(const T* x, const Axes& in, const Axes& start, const std::array<Taps, 3>& taps) const {
    double sum = 0;
    forEachTap(x, in, start, taps, [&](T v, int64_t) { sum += static_cast<double>(v); });
    int64_t count = 1;
    for (const Taps& t : taps) count *= p_.excludePadding ? t.hi - t.lo : t.padded;
    return count > 0 ? static_cast<T>(sum / static_cast<double>(count)) : T{};
  }

  static bool isNan(T v) {
    if constexpr (std::is_floating_point_v<T>)
      return std::isnan(v);
    else
      return false;
  }

  PoolParams p_;
};

std::unique_ptr<Kernel> makePooling(const KernelSpec& spec) {
  const ops::Attrs& attrs = spec.step.attrs;
  if (ops::isChannelsLast(attrs)) return makeChannelsFirstAdapter(spec, {0}, makePooling);
  PoolParams p;
  p.max = attrs.getInt("op") == static_cast<int64_t>(PoolingType::kMAX);
  DataType type = spec.inputType(0);
  bool integer = type == DataType::kINT8 || type == DataType::kUINT8;
  if (type != DataType::kFLOAT && type != DataType::kDOUBLE && !(p.max && integer))
    spec.unsupported(std::string("the CPU ") + (p.max ? "max" : "average") + " pooling does not support " +
                     dataTypeName(type));
  p.excludePadding = attrs.getInt("exclude_padding", 1) != 0;
  p.global = attrs.getInt("global") != 0;
  p.indices = spec.step.outputs.size() > 1;
  p.columnMajor = attrs.getInt("indices_column_major") != 0;
  auto window = attrs.getInts("window");
  // Same rule as shape inference: a global pool without a window covers all axes but N and C.
  p.nbSpatial = p.global && window.empty() ? spec.inputRank(0) - 2 : window.size();
  if (p.nbSpatial < 1 || p.nbSpatial > 3) spec.unsupported("the CPU pooling supports 1 to 3 spatial axes only");
  p.window = spatialAttr3(attrs, "window", p.nbSpatial, 1);
  if (!p.global) {
    p.stride = spatialAttr3(attrs, "stride", p.nbSpatial, 1);
    p.dilation = spatialAttr3(attrs, "dilation", p.nbSpatial, 1);
    p.pre = spatialAttr3(attrs, "pre_padding", p.nbSpatial, 0);
    p.post = spatialAttr3(attrs, "post_padding", p.nbSpatial, 0);
    p.same = SamePadding(attrs);
  } else {
    p.stride = p.dilation = Axes{1, 1, 1};
    p.pre = p.post = Axes{0, 0, 0};
  }
  std::unique_ptr<Kernel> kernel;
  dispatchStorage(type, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_same_v<T, uint16_t>)
      spec.unsupported("the CPU pooling does not support 16-bit floats");
    else
      kernel = makeKernel(spec, Pooling<T>(p));
  });
  return kernel;
}

}  // namespace

void registerPoolingKernels(KernelTable& table) { table.add(LayerType::kPOOLING, makePooling); }

}  // namespace kiln::cpu
