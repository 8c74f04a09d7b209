// CUDA pooling with the CPU kernel's semantics (kernels_pooling.cpp): max (fp32, fp64, fp16, bf16, int8, uint8),
// optionally with the index of each maximum, and average (fp32, fp64, fp16, bf16) over the trailing 1 to 3 axes,
// with explicit or SAME padding, dilation, ceil mode (in the output shape) and global windows. One thread per
// output element; the geometry is normalized to three spatial axes as on the CPU. Channels-last 2-D pooling
// (plan/channels_last.h) has a kernel of its own that reads 16 bytes of channels per thread.
#include <limits>

#include "backends/common/window_geometry.h"
#include "backends/cuda/device_tensor.cuh"
#include "backends/cuda/vector_access.cuh"
#include "ops/channels_last.h"

namespace kiln::cuda {

namespace {

using backend::Axes;

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
  if constexpr (std::is_floating_point_v<T>)
    return isnan(v);
  else
    return false;
}

// The window of one output position along the three normalized axes: where it starts, and its taps.
template <typename I>
struct Window {
  I start[3];
  Taps taps[3];
};

template <typename I>
__device__ Window<I> windowAt(const PoolGeometry& g, const I pos[3]) {
  Window<I> w;
  for (int i = 0; i < 3; ++i) {
    w.start[i] = pos[i] * static_cast<I>(g.stride[i]) - static_cast<I>(g.pre[i]);
    w.taps[i] = tapsOf(g, w.start[i], i);
  }
  return w;
}

// Divides by the taps inside the input, or (counting padding) inside input + padding; an empty divisor gives 0.
template <typename T>
__device__ T average(const PoolGeometry& g, const Taps* taps, double sum) {
  int64_t count = 1;
  for (int i = 0; i < 3; ++i) count *= g.excludePadding ? taps[i].hi - taps[i].lo : taps[i].padded;
  return count > 0 ? static_cast<T>(sum / static_cast<double>(count)) : T{};
}

// Channels-first: one thread per output element. I is the index type: 32-bit arithmetic wherever the input and the
// output have fewer than 2^31 elements (64-bit division is emulated, and dominated this kernel's time).
template <typename N, typename I>
__global__ void poolKernel(PoolGeometry g, const typename N::Storage* x, typename N::Storage* y, int64_t* where,
                           I total) {
  using T = typename N::Compute;
  I in1 = static_cast<I>(g.in[1]), in2 = static_cast<I>(g.in[2]);
  I out1 = static_cast<I>(g.out[1]), out2 = static_cast<I>(g.out[2]);
  I inPlane = static_cast<I>(g.in[0]) * in1 * in2, outPlane = static_cast<I>(g.out[0]) * out1 * out2;
  I dilation[3] = {static_cast<I>(g.dilation[0]), static_cast<I>(g.dilation[1]), static_cast<I>(g.dilation[2])};
  for (I o = blockIdx.x * static_cast<I>(blockDim.x) + threadIdx.x; o < total;
       o += static_cast<I>(gridDim.x) * blockDim.x) {
    I plane = o / outPlane, r = o % outPlane;
    I pos[3] = {r / (out1 * out2), r / out2 % out1, r % out2};
    Window<I> w = windowAt(g, pos);
    const typename N::Storage* xp = x + plane * inPlane;
    // Padding counts as -inf (the lowest integer); NaN propagates; `at` is the first maximum, -1 for none.
    using L = std::numeric_limits<T>;
    T best = L::has_infinity ? -L::infinity() : L::lowest();
    I at = -1;
    double sum = 0;
    for (I jd = w.taps[0].lo; jd < w.taps[0].hi; ++jd) {
      I id = w.start[0] + jd * dilation[0];
      for (I jh = w.taps[1].lo; jh < w.taps[1].hi; ++jh) {
        I row = (id * in1 + w.start[1] + jh * dilation[1]) * in2 + w.start[2];
        for (I jw = w.taps[2].lo; jw < w.taps[2].hi; ++jw) {
          I offset = row + jw * dilation[2];
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
      y[o] = N::store(average<T>(g, w.taps, sum));
      continue;
    }
    y[o] = N::store(best);
    if (!where) continue;
    int64_t index = at;
    if (at >= 0 && g.columnMajor) {
      int64_t wi = at % g.in[2], h = at / g.in[2] % g.in[1], d = at / (g.in[1] * g.in[2]);
      index = d + g.in[0] * (h + g.in[1] * wi);
    }
    where[o] = at < 0 ? -1 : int64_t{plane} * inPlane + index;
  }
}

// Channels-last 2-D (plan/channels_last.h): thread t pools V consecutive channels of one output position, so a
// warp's loads of one window tap are contiguous (16 bytes per thread for V = 16 / element size).
template <typename N, int V>
__global__ void poolChannelsLastKernel(PoolGeometry g, int32_t channelGroups, const typename N::Storage* x,
                                       typename N::Storage* y, int32_t total) {
  using S = typename N::Storage;
  using T = typename N::Compute;
  using L = std::numeric_limits<T>;
  auto inH = static_cast<int32_t>(g.in[1]), inW = static_cast<int32_t>(g.in[2]);
  auto outH = static_cast<int32_t>(g.out[1]), outW = static_cast<int32_t>(g.out[2]);
  int32_t channels = channelGroups * V;
  for (int32_t o = blockIdx.x * blockDim.x + threadIdx.x; o < total; o += gridDim.x * blockDim.x) {
    int32_t group = o % channelGroups, p = o / channelGroups;
    int32_t pos[3] = {0, p / outW % outH, p % outW};
    int32_t n = p / (outW * outH);
    Window<int32_t> w = windowAt(g, pos);
    T best[V], sum[V];
    bool nan[V];
    for (int k = 0; k < V; ++k) {
      best[k] = L::has_infinity ? -L::infinity() : L::lowest();
      sum[k] = 0;
      nan[k] = false;
    }
    for (int32_t jh = w.taps[1].lo; jh < w.taps[1].hi; ++jh) {
      int32_t h = w.start[1] + jh * static_cast<int32_t>(g.dilation[1]);
      for (int32_t jw = w.taps[2].lo; jw < w.taps[2].hi; ++jw) {
        int32_t col = w.start[2] + jw * static_cast<int32_t>(g.dilation[2]);
        Packed<S, V> packed = loadPacked<V>(x + ((n * inH + h) * inW + col) * channels + group * V);
        for (int k = 0; k < V; ++k) {
          T v = N::load(packed.e[k]);
          if (!g.max)
            sum[k] += v;
          else if (isNan(v))
            nan[k] = true;
          else
            best[k] = v > best[k] ? v : best[k];
        }
      }
    }
    Packed<S, V> out;
    for (int k = 0; k < V; ++k)
      out.e[k] = N::store(g.max ? (nan[k] ? L::quiet_NaN() : best[k]) : average<T>(g, w.taps, sum[k]));
    storePacked<V>(y + o * V, out);
  }
}

void copyAxes(const Axes& from, int64_t* to) {
  for (size_t i = 0; i < 3; ++i) to[i] = from[i];
}

struct PoolParams {
  PoolGeometry base{};  // everything but the run's sizes (and, for SAME, its padding)
  size_t nbSpatial = 0;
  backend::SamePadding same;
  DataType type = DataType::kFLOAT;
  bool channelsLast = false;  // [N, H, W, C] (plan/channels_last.h)
  std::string step;

  void operator()(const KernelArgs& a) const {
    PoolGeometry g = base;
    // The spatial axes: trailing, of the channels-first shape a channels-last tensor holds.
    auto spatial = [&](const Dims& d) {
      return backend::trailingDims3(channelsLast ? ops::channelsFirstShape(d) : d, nbSpatial);
    };
    Axes in = spatial(a.in(0).shape), out = spatial(a.out(0).shape);
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
    bool narrow = std::max(total, a.in(0).volume()) < (int64_t{1} << 31);
    dispatchElement(type, [&](auto tag) {
      using N = decltype(tag);
      using S = typename N::Storage;
      // The types makePooling accepts (bool shares uint8's traits, so it is told apart by `type` there).
      if constexpr (std::is_same_v<N, Plain<float>> || std::is_same_v<N, Plain<double>> || std::is_same_v<N, Half> ||
                    std::is_same_v<N, Bf16> || std::is_same_v<N, Plain<int8_t>> || std::is_same_v<N, Plain<uint8_t>>) {
        auto* x = static_cast<const S*>(a.in(0).data);
        auto* y = static_cast<S*>(a.out(0).data);
        if (channelsLast) {
          if (!narrow) throw Error(ErrorCode::kUNSUPPORTED, "channels-last pooling of 2^31 elements or more", step);
          launchChannelsLast<N>(a, g, x, y, total);
        } else if (narrow) {
          poolKernel<N, int32_t>
              <<<blocksFor(total), kThreads, 0, streamOf(a)>>>(g, x, y, where, static_cast<int32_t>(total));
        } else {
          poolKernel<N, int64_t><<<blocksFor(total), kThreads, 0, streamOf(a)>>>(g, x, y, where, total);
        }
      }
    });
    checkLaunch(step);
  }

  // V channels per thread: 16 bytes where the channels and both pointers allow it, else one.
  template <typename N>
  void launchChannelsLast(const KernelArgs& a, const PoolGeometry& g, const typename N::Storage* x,
                          typename N::Storage* y, int64_t total) const {
    constexpr int kVector = kVectorWidth<typename N::Storage>;
    int64_t channels = a.in(0).shape.d[a.in(0).shape.nbDims - 1];
    if (channels % kVector == 0 && alignedTo(x, kVectorBytes) && alignedTo(y, kVectorBytes)) {
      int64_t threads = total / kVector;
      poolChannelsLastKernel<N, kVector><<<blocksFor(threads), kThreads, 0, streamOf(a)>>>(
          g, static_cast<int32_t>(channels / kVector), x, y, static_cast<int32_t>(threads));
    } else {
      poolChannelsLastKernel<N, 1><<<blocksFor(total), kThreads, 0, streamOf(a)>>>(g, static_cast<int32_t>(channels), x,
                                                                                   y, static_cast<int32_t>(total));
    }
  }
};

std::unique_ptr<Kernel> makePooling(const KernelSpec& spec) {
  const ops::Attrs& attrs = spec.step.attrs;
  PoolParams p;
  p.step = spec.step.name;
  p.type = spec.inputType(0);
  p.channelsLast = ops::isChannelsLast(attrs);
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
  if (p.channelsLast && (p.nbSpatial != 2 || spec.inputRank(0) != 4 || g.indices))
    spec.unsupported("the CUDA channels-last pooling takes 2-D pooling of [N, H, W, C] without indices");
  bool explicitGeometry = !global;
  copyAxes(global ? Axes{-1, -1, -1} : backend::spatialAttr3(attrs, "window", p.nbSpatial, 1), g.window);
  copyAxes(explicitGeometry ? backend::spatialAttr3(attrs, "stride", p.nbSpatial, 1) : Axes{1, 1, 1}, g.stride);
  copyAxes(explicitGeometry ? backend::spatialAttr3(attrs, "dilation", p.nbSpatial, 1) : Axes{1, 1, 1}, g.dilation);
  copyAxes(explicitGeometry ? backend::spatialAttr3(attrs, "pre_padding", p.nbSpatial, 0) : Axes{0, 0, 0}, g.pre);
  copyAxes(explicitGeometry ? backend::spatialAttr3(attrs, "post_padding", p.nbSpatial, 0) : Axes{0, 0, 0}, g.post);
  if (explicitGeometry) p.same = backend::SamePadding(attrs);
  return makeKernel(spec, std::move(p));
}

}  // namespace

void registerPoolingKernels(KernelTable& table) { table.add(LayerType::kPOOLING, makePooling); }

}  // namespace kiln::cuda
