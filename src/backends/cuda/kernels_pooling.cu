// CUDA pooling with the CPU kernel's semantics (kernels_pooling.cpp): max (fp32, fp64, fp16, bf16, int8, uint8),
// optionally with the index of each maximum, and average (fp32, fp64, fp16, bf16) over the trailing 1 to 3 axes,
// with explicit or SAME padding, dilation, ceil mode (in the output shape) and global windows. One thread per
// output element; the geometry is normalized to three spatial axes as on the CPU.
#include <limits>

#include "backends/cpu/window_geometry.h"
#include "backends/cuda/device_tensor.cuh"

namespace kiln::cuda {

namespace {

using cpu::Axes;

// The geometry of one run, as plain arrays the kernel takes by value.
struct PoolGeometry {
  int64_t in[3], out[3], window[3], stride[3], dilation[3], pre[3], post[3];
  bool max, excludePadding, indices, columnMajor;
};

// The taps of one window along one axis: [lo, hi) fall inside the input, [0, padded) inside input + padding.
struct Taps {
  int64_t lo, hi, padded;
};

// Number of taps j in [0, window) with start + j * dilation < bound.
__device__ int64_t tapsBelow(int64_t bound, int64_t start, int64_t window, int64_t dilation) {
  if (bound <= start) return 0;
  return min(window, (bound - start - 1) / dilation + 1);
}

__device__ Taps tapsOf(const PoolGeometry& g, int64_t start, int i) {
  int64_t d = g.dilation[i], window = g.window[i];
  Taps t;
  t.lo = start < 0 ? min(window, (-start + d - 1) / d) : 0;
  t.hi = max(t.lo, tapsBelow(g.in[i], start, window, d));
  t.padded = tapsBelow(g.in[i] + g.post[i], start, window, d);
  return t;
}

template <typename T>
__device__ bool isNan(T v) {
  if constexpr (std::is_floating_point_v<T>) return isnan(v);
  else return false;
}

template <typename N>
__global__ void poolKernel(PoolGeometry g, const typename N::Storage* x, typename N::Storage* y, int64_t* where,
                           int64_t total) {
  using T = typename N::Compute;
  int64_t inPlane = g.in[0] * g.in[1] * g.in[2], outPlane = g.out[0] * g.out[1] * g.out[2];
  KILN_GRID_LOOP(o, total) {
    int64_t plane = o / outPlane, r = o % outPlane;
    int64_t pos[3] = {r / (g.out[1] * g.out[2]), r / g.out[2] % g.out[1], r % g.out[2]};
    int64_t start[3];
    Taps taps[3];
    for (int i = 0; i < 3; ++i) {
      start[i] = pos[i] * g.stride[i] - g.pre[i];
      taps[i] = tapsOf(g, start[i], i);
    }
    const typename N::Storage* xp = x + plane * inPlane;
    // Padding counts as -inf (the lowest integer); NaN propagates; `at` is the first maximum, -1 for none.
    using L = std::numeric_limits<T>;
    T best = L::has_infinity ? -L::infinity() : L::lowest();
    int64_t at = -1;
    double sum = 0;
    for (int64_t jd = taps[0].lo; jd < taps[0].hi; ++jd) {
      int64_t id = start[0] + jd * g.dilation[0];
      for (int64_t jh = taps[1].lo; jh < taps[1].hi; ++jh) {
        int64_t row = (id * g.in[1] + start[1] + jh * g.dilation[1]) * g.in[2] + start[2];
        for (int64_t jw = taps[2].lo; jw < taps[2].hi; ++jw) {
          int64_t offset = row + jw * g.dilation[2];
          T v = N::load(xp[offset]);
          if (!g.max) {
            sum += static_cast<double>(v);
          } else if (!isNan(best) && (v > best || isNan(v) || at < 0)) {
            best = v;
            at = offset;
          }
        }
      }
    }
    if (!g.max) {
      // Divides by the taps inside the input, or (counting padding) inside input + padding; an empty divisor gives 0.
      int64_t count = 1;
      for (const Taps& t : taps) count *= g.excludePadding ? t.hi - t.lo : t.padded;
      y[o] = N::store(count > 0 ? static_cast<T>(sum / static_cast<double>(count)) : T{});
      continue;
    }
    y[o] = N::store(best);
    if (!where) continue;
    int64_t index = at;
    if (at >= 0 && g.columnMajor) {
      int64_t w = at % g.in[2], h = at / g.in[2] % g.in[1], d = at / (g.in[1] * g.in[2]);
      index = d + g.in[0] * (h + g.in[1] * w);
    }
    where[o] = at < 0 ? -1 : plane * inPlane + index;
  }
}

void copyAxes(const Axes& from, int64_t* to) {
  for (size_t i = 0; i < 3; ++i) to[i] = from[i];
}

struct PoolParams {
  PoolGeometry base{};  // everything but the run's sizes (and, for SAME, its padding)
  size_t nbSpatial = 0;
  cpu::SamePadding same;
  DataType type = DataType::kFLOAT;
  std::string step;

  void operator()(const KernelArgs& a) const {
    PoolGeometry g = base;
    Axes in = cpu::trailingDims3(a.in(0).shape, nbSpatial), out = cpu::trailingDims3(a.out(0).shape, nbSpatial);
    copyAxes(in, g.in);
    copyAxes(out, g.out);
    if (!same.empty()) {
      Axes pre{0, 0, 0}, post{0, 0, 0};
      same.resolve(a, pre, post);
      copyAxes(pre, g.pre);
      copyAxes(post, g.post);
    }
    // A global window is the whole input: stride, padding and dilation keep their neutral values.
    if (g.window[0] < 0) copyAxes(in, g.window);
    int64_t total = a.out(0).volume();
    if (total == 0) return;
    auto* where = g.indices ? static_cast<int64_t*>(a.out(1).data) : nullptr;
    dispatchElement(type, [&](auto tag) {
      using N = decltype(tag);
      // The types makePooling accepts (bool shares uint8's traits, so it is told apart by `type` there).
      if constexpr (std::is_same_v<N, Plain<float>> || std::is_same_v<N, Plain<double>> || std::is_same_v<N, Half> ||
                    std::is_same_v<N, Bf16> || std::is_same_v<N, Plain<int8_t>> || std::is_same_v<N, Plain<uint8_t>>)
        poolKernel<N><<<blocksFor(total), kThreads, 0, streamOf(a)>>>(
            g, static_cast<const typename N::Storage*>(a.in(0).data), static_cast<typename N::Storage*>(a.out(0).data),
            where, total);
    });
    checkLaunch(step);
  }
};

std::unique_ptr<Kernel> makePooling(const KernelSpec& spec) {
  const graph::Attrs& attrs = spec.step.attrs;
  PoolParams p;
  p.step = spec.step.name;
  p.type = spec.inputType(0);
  PoolGeometry& g = p.base;
  g.max = attrs.getInt("op") == static_cast<int64_t>(PoolingType::kMAX);
  bool integer = p.type == DataType::kINT8 || p.type == DataType::kUINT8;
  bool floating = p.type == DataType::kFLOAT || p.type == DataType::kDOUBLE || p.type == DataType::kHALF ||
                  p.type == DataType::kBF16;
  if (!floating && !(g.max && integer))
    spec.unsupported(std::string("the CUDA ") + (g.max ? "max" : "average") + " pooling does not support " +
                     dataTypeName(p.type));
  g.excludePadding = attrs.getInt("exclude_padding", 1) != 0;
  g.indices = spec.step.outputs.size() > 1;
  g.columnMajor = attrs.getInt("indices_column_major") != 0;
  bool global = attrs.getInt("global") != 0;
  auto window = attrs.getInts("window");
  // Same rule as shape inference: a global pool without a window covers all axes but N and C.
  p.nbSpatial = global && window.empty() ? spec.inputRank(0) - 2 : window.size();
  if (p.nbSpatial < 1 || p.nbSpatial > 3) spec.unsupported("the CUDA pooling supports 1 to 3 spatial axes only");
  bool explicitGeometry = !global;
  copyAxes(global ? Axes{-1, -1, -1} : cpu::spatialAttr3(attrs, "window", p.nbSpatial, 1), g.window);
  copyAxes(explicitGeometry ? cpu::spatialAttr3(attrs, "stride", p.nbSpatial, 1) : Axes{1, 1, 1}, g.stride);
  copyAxes(explicitGeometry ? cpu::spatialAttr3(attrs, "dilation", p.nbSpatial, 1) : Axes{1, 1, 1}, g.dilation);
  copyAxes(explicitGeometry ? cpu::spatialAttr3(attrs, "pre_padding", p.nbSpatial, 0) : Axes{0, 0, 0}, g.pre);
  copyAxes(explicitGeometry ? cpu::spatialAttr3(attrs, "post_padding", p.nbSpatial, 0) : Axes{0, 0, 0}, g.post);
  if (explicitGeometry) p.same = cpu::SamePadding(attrs);
  return makeKernel(spec, std::move(p));
}

}  // namespace

void registerPoolingKernels(KernelTable& table) { table.add(LayerType::kPOOLING, makePooling); }

}  // namespace kiln::cuda
