// CUDA normalization with the CPU kernel's semantics (kernels_normalization.cpp): every statistic (mean and variance,
// in fp64, two passes) is taken over the axes in the mask, the channel axis split into [groups, channels / groups]
// when grouped, so batch, instance, layer and group normalization are one kernel; scale and bias broadcast to the
// input. One block per statistic: it reduces its elements, then normalizes and writes them. fp32, fp64, fp16, bf16.
// Layer normalization over the innermost axis (scale and bias along it) takes the row kernels instead: a warp per row
// (a block per long row), statistics in fp32 (fp64 for fp64). Both add the fused residual input first.
// Local response normalization (LRN) as on the CPU: one thread per element sums the squares across its channel window
// in fp64.
#include "backends/common/strided_iteration.h"
#include "backends/cuda/device_tensor.cuh"
#include "backends/cuda/row_reduction.cuh"
#include "backends/cuda/vector_access.cuh"
#include "ops/fused_prologue.h"

namespace kiln::cuda {

namespace {

// A row-major walk of some axes of the grouped view with element, scale and bias strides per axis.
struct NormWalk {
  static constexpr int32_t kMaxRank = Dims::MAX_DIMS + 1;  // the channel axis may be split in two
  int32_t rank = 0;
  int64_t dims[kMaxRank] = {};
  int64_t element[kMaxRank] = {}, scale[kMaxRank] = {}, bias[kMaxRank] = {};
  int64_t count = 1;

  void push(int64_t dim, int64_t elementStride, int64_t scaleStride, int64_t biasStride) {
    dims[rank] = dim;
    element[rank] = elementStride;
    scale[rank] = scaleStride;
    bias[rank] = biasStride;
    ++rank;
    count *= dim;
  }

  struct Offsets {
    int64_t element = 0, scale = 0, bias = 0;
  };
  __device__ Offsets offsets(int64_t linear) const {
    Offsets o;
    for (int32_t k = rank - 1; k >= 0; --k) {
      int64_t c = linear % dims[k];
      linear /= dims[k];
      o.element += c * element[k];
      o.scale += c * scale[k];
      o.bias += c * bias[k];
    }
    return o;
  }
};

// Element e of the input, plus the fused residual's (plan/fused_prologue.h) when there is one, in the compute type.
template <typename N>
__device__ typename N::Compute loadInput(const typename N::Storage* x, const typename N::Storage* residual, int64_t e) {
  typename N::Compute v = N::load(x[e]);
  return residual ? v + N::load(residual[e]) : v;
}

template <typename N>
__global__ void normalizeKernel(const typename N::Storage* x, const typename N::Storage* residual,
                                const typename N::Storage* scale, const typename N::Storage* bias,
                                typename N::Storage* y, NormWalk kept, NormWalk reduced, double epsilon) {
  __shared__ double shared[kWarp];
  auto count = static_cast<double>(reduced.count);
  for (int64_t s = blockIdx.x; s < kept.count; s += gridDim.x) {
    NormWalk::Offsets base = kept.offsets(s);
    // Two passes (mean, then squared deviations) stay accurate where E[x^2] - E[x]^2 would cancel.
    double sum = 0;
    for (int64_t r = threadIdx.x; r < reduced.count; r += blockDim.x)
      sum += static_cast<double>(loadInput<N>(x, residual, base.element + reduced.offsets(r).element));
    double mean = blockSum(sum, shared) / count;
    double squares = 0;
    for (int64_t r = threadIdx.x; r < reduced.count; r += blockDim.x) {
      double d = static_cast<double>(loadInput<N>(x, residual, base.element + reduced.offsets(r).element)) - mean;
      squares += d * d;
    }
    double inv = 1.0 / sqrt(blockSum(squares, shared) / count + epsilon);
    for (int64_t r = threadIdx.x; r < reduced.count; r += blockDim.x) {
      NormWalk::Offsets at = reduced.offsets(r);
      int64_t e = base.element + at.element;
      double normalized = (static_cast<double>(loadInput<N>(x, residual, e)) - mean) * inv;
      double sc = static_cast<double>(N::load(scale[base.scale + at.scale]));
      double bi = static_cast<double>(N::load(bias[base.bias + at.bias]));
      y[e] = N::store(static_cast<typename N::Compute>(normalized * sc + bi));
    }
  }
}

// Layer normalization over the innermost axis, scale and bias varying along it alone: rows of n contiguous elements,
// statistics in the compute type (fp32 for fp32, fp16 and bf16: enough for rows of a few thousand), two passes.
template <typename N>
struct LayerNormRows {
  using S = typename N::Storage;
  using T = typename N::Compute;
  const S* x = nullptr;
  const S* residual = nullptr;  // nullptr: none
  const S* scale = nullptr;
  const S* bias = nullptr;
  int64_t n = 0;
  int64_t scaleStride = 0, biasStride = 0;  // along the row (0 where they broadcast)
  T epsilon = 0;

  __device__ T at(int64_t row, int64_t j) const { return loadInput<N>(x, residual, row * n + j); }
  __device__ S out(T normalized, int64_t j) const {
    return affine(normalized, scale[j * scaleStride], bias[j * biasStride]);
  }
  __device__ static S affine(T normalized, S scale, S bias) {
    return N::store(normalized * N::load(scale) + N::load(bias));
  }
};

// One warp per row of n <= kPerLane * 32 elements, held in registers (lane l holds elements l, l + 32, ...).
template <typename N, int kPerLane>
__global__ void layerNormWarpKernel(LayerNormRows<N> rows, typename N::Storage* y, int64_t count) {
  using T = typename N::Compute;
  int lane = static_cast<int>(threadIdx.x) % kWarp;
  auto n = static_cast<int32_t>(rows.n);
  for (int64_t row = warpIndex(); row < count; row += warpCount()) {  // the same rows for every lane of a warp
    T v[kPerLane];
    T sum = 0;
#pragma unroll
    for (int k = 0; k < kPerLane; ++k) {
      int j = lane + k * kWarp;
      v[k] = j < n ? rows.at(row, j) : T(0);
      sum += v[k];
    }
    T mean = warpSum(sum) / static_cast<T>(n);
    T squares = 0;
#pragma unroll
    for (int k = 0; k < kPerLane; ++k)
      if (lane + k * kWarp < n) {
        v[k] -= mean;
        squares += v[k] * v[k];
      }
    T inv = T(1) / sqrt(warpSum(squares) / static_cast<T>(n) + rows.epsilon);
#pragma unroll
    for (int k = 0; k < kPerLane; ++k) {
      int j = lane + k * kWarp;
      if (j < n) y[row * rows.n + j] = rows.out(v[k] * inv, j);
    }
  }
}

// The same for rows whose length is a multiple of the 16-byte vector of V elements, rows 16-byte aligned: lane l holds
// the chunks l, l + 32, ... of V contiguous elements, loaded and stored 16 bytes at a time (2-byte accesses, one
// element per lane, leave fp16 rows far from the memory bandwidth); scale and bias (contiguous along the row and
// aligned) by vectors too. Every load of a row is issued before the reductions, so that they are all in flight
// together.
template <typename N, int kChunks>
__global__ void layerNormWarpVectorKernel(LayerNormRows<N> rows, typename N::Storage* y, int64_t count) {
  using S = typename N::Storage;
  using T = typename N::Compute;
  constexpr int V = kVectorWidth<S>;
  int lane = static_cast<int>(threadIdx.x) % kWarp;
  auto chunks = static_cast<int32_t>(rows.n / V);
  for (int64_t row = warpIndex(); row < count; row += warpCount()) {
    const S* x = rows.x + row * rows.n;
    const S* residual = rows.residual ? rows.residual + row * rows.n : nullptr;
    Packed<S, V> xs[kChunks], rs[kChunks], scales[kChunks], biases[kChunks];
#pragma unroll
    for (int k = 0; k < kChunks; ++k) {
      int c = lane + k * kWarp;
      if (c >= chunks) continue;
      xs[k] = loadPacked<V>(x + c * V);
      if (residual) rs[k] = loadPacked<V>(residual + c * V);
      scales[k] = loadPacked<V>(rows.scale + c * V);
      biases[k] = loadPacked<V>(rows.bias + c * V);
    }
    T v[kChunks * V];
    T sum = 0;
#pragma unroll
    for (int k = 0; k < kChunks; ++k) {
      bool held = lane + k * kWarp < chunks;
#pragma unroll
      for (int i = 0; i < V; ++i) {
        T t = 0;
        if (held) {
          t = N::load(xs[k].e[i]);
          if (residual) t += N::load(rs[k].e[i]);
        }
        v[k * V + i] = t;
        sum += t;
      }
    }
    T mean = warpSum(sum) / static_cast<T>(rows.n);
    T squares = 0;
#pragma unroll
    for (int k = 0; k < kChunks; ++k) {
      if (lane + k * kWarp >= chunks) continue;
#pragma unroll
      for (int i = 0; i < V; ++i) {
        v[k * V + i] -= mean;
        squares += v[k * V + i] * v[k * V + i];
      }
    }
    T inv = T(1) / sqrt(warpSum(squares) / static_cast<T>(rows.n) + rows.epsilon);
    S* out = y + row * rows.n;
#pragma unroll
    for (int k = 0; k < kChunks; ++k) {
      int c = lane + k * kWarp;
      if (c >= chunks) continue;
      Packed<S, V> r;
#pragma unroll
      for (int i = 0; i < V; ++i) r.e[i] = rows.affine(v[k * V + i] * inv, scales[k].e[i], biases[k].e[i]);
      storePacked<V>(out + c * V, r);
    }
  }
}

// One block per row of any length: three passes over the row (mean, squared deviations, output).
template <typename N>
__global__ void layerNormBlockKernel(LayerNormRows<N> rows, typename N::Storage* y, int64_t count) {
  using T = typename N::Compute;
  __shared__ T shared[kWarp];
  auto n = static_cast<T>(rows.n);
  for (int64_t row = blockIdx.x; row < count; row += gridDim.x) {
    T sum = 0;
    for (int64_t j = threadIdx.x; j < rows.n; j += blockDim.x) sum += rows.at(row, j);
    T mean = blockSum(sum, shared) / n;
    T squares = 0;
    for (int64_t j = threadIdx.x; j < rows.n; j += blockDim.x) {
      T d = rows.at(row, j) - mean;
      squares += d * d;
    }
    T inv = T(1) / sqrt(blockSum(squares, shared) / n + rows.epsilon);
    for (int64_t j = threadIdx.x; j < rows.n; j += blockDim.x)
      y[row * rows.n + j] = rows.out((rows.at(row, j) - mean) * inv, j);
  }
}

struct Normalization {
  uint32_t mask;
  int64_t groups;
  double epsilon;
  DataType type;
  bool residual;  // input 3 is added to x first (plan/fused_prologue.h)
  std::string step;

  // Layer normalization over the innermost axis with scale and bias along it: the row kernels run it.
  bool overRows(const KernelArgs& a, int64_t& scaleStride, int64_t& biasStride) const {
    const Dims& x = a.in(0).shape;
    if (x.nbDims == 0 || mask != 1u << (x.nbDims - 1) || groups != 1) return false;
    int64_t scale[Dims::MAX_DIMS], bias[Dims::MAX_DIMS];
    backend::broadcastStrides(a.in(1).shape, x, scale);
    backend::broadcastStrides(a.in(2).shape, x, bias);
    for (int32_t i = 0; i + 1 < x.nbDims; ++i)
      if (scale[i] != 0 || bias[i] != 0) return false;
    scaleStride = scale[x.nbDims - 1];
    biasStride = bias[x.nbDims - 1];
    return true;
  }

  template <typename N>
  void runRows(const KernelArgs& a, const typename N::Storage* residualData, int64_t scaleStride,
               int64_t biasStride) const {
    using S = typename N::Storage;
    const Dims& x = a.in(0).shape;
    int64_t n = x.d[x.nbDims - 1], count = a.in(0).volume() / n;
    LayerNormRows<N> rows{static_cast<const S*>(a.in(0).data),
                          residualData,
                          static_cast<const S*>(a.in(1).data),
                          static_cast<const S*>(a.in(2).data),
                          n,
                          scaleStride,
                          biasStride,
                          static_cast<typename N::Compute>(epsilon)};
    auto* y = static_cast<S*>(a.out(0).data);
    constexpr int64_t kVector = kVectorWidth<S>;
    auto aligned = [](const void* p) { return alignedTo(p, kVectorBytes); };
    if (n <= kMaxWarpRow && n % kVector == 0 && aligned(rows.x) && aligned(y) &&
        (!residualData || aligned(residualData)) && scaleStride == 1 && biasStride == 1 && aligned(rows.scale) &&
        aligned(rows.bias)) {
      // At most 32 elements per lane: 1024 fp16 values are 128 chunks of 8, 4 per lane. Only the counts that a row
      // of kMaxWarpRow elements can need are compiled: up to 4 for fp16 and bf16, 8 for fp32, 16 for fp64.
      int64_t perLane = (n / kVector + kWarp - 1) / kWarp;
      constexpr int kMostPerLane = static_cast<int>(kMaxWarpRow / kVector / kWarp);
      auto launch = [&](auto chunks) {
        layerNormWarpVectorKernel<N, decltype(chunks)::value>
            <<<warpBlocksFor(count), kThreads, 0, streamOf(a)>>>(rows, y, count);
      };
      if (perLane <= 1)
        launch(std::integral_constant<int, 1>{});
      else if (perLane <= 2)
        launch(std::integral_constant<int, 2>{});
      else if (perLane <= 3)
        launch(std::integral_constant<int, 3>{});  // BERT-base's 768 fp16 values
      else if (perLane <= 4 || kMostPerLane == 4)
        launch(std::integral_constant<int, 4>{});
      else if constexpr (kMostPerLane > 4) {
        if (perLane <= 8 || kMostPerLane == 8)
          launch(std::integral_constant<int, 8>{});
        else
          launch(std::integral_constant<int, kMostPerLane>{});
      }
    } else if (n <= kMaxWarpRow) {
      withElementsPerLane(n, [&](auto perLane) {
        layerNormWarpKernel<N, decltype(perLane)::value>
            <<<warpBlocksFor(count), kThreads, 0, streamOf(a)>>>(rows, y, count);
      });
    } else {
      layerNormBlockKernel<N><<<rowBlocksFor(count), kThreads, 0, streamOf(a)>>>(rows, y, count);
    }
  }

  // The kept (statistic) and reduced axes of the grouped view of the input.
  void split(const KernelArgs& a, NormWalk& kept, NormWalk& reduced) const {
    const Dims& x = a.in(0).shape;
    int64_t element[Dims::MAX_DIMS], scale[Dims::MAX_DIMS], bias[Dims::MAX_DIMS];
    int64_t stride = 1;
    for (int32_t i = x.nbDims - 1; i >= 0; --i) {
      element[i] = stride;
      stride *= x.d[i];
    }
    backend::broadcastStrides(a.in(1).shape, x, scale);
    backend::broadcastStrides(a.in(2).shape, x, bias);
    for (int32_t i = 0; i < x.nbDims; ++i) {
      NormWalk& walk = (mask >> i) & 1 ? reduced : kept;
      if (i == 1 && groups > 1) {
        // The channels of one group are always normalized together.
        int64_t perGroup = x.d[1] / groups;
        walk.push(groups, element[1] * perGroup, scale[1] * perGroup, bias[1] * perGroup);
        reduced.push(perGroup, element[1], scale[1], bias[1]);
      } else {
        walk.push(x.d[i], element[i], scale[i], bias[i]);
      }
    }
  }

  void operator()(const KernelArgs& a) const {
    if (a.in(0).volume() == 0) return;
    if (residual && !(a.in(ops::kNormalizationResidualInput).shape == a.in(0).shape))
      throw Error(ErrorCode::kRUNTIME, "the normalization's residual input must have the shape of its input", step);
    int64_t scaleStride = 0, biasStride = 0;
    bool rows = overRows(a, scaleStride, biasStride);
    NormWalk kept, reduced;
    if (!rows) split(a, kept, reduced);
    dispatchElement(type, [&](auto tag) {
      using N = decltype(tag);
      using S = typename N::Storage;
      if constexpr (kFloating<N>) {
        auto* residualData = residual ? static_cast<const S*>(a.in(ops::kNormalizationResidualInput).data) : nullptr;
        if (rows) {
          runRows<N>(a, residualData, scaleStride, biasStride);
        } else {
          auto blocks = static_cast<unsigned>(std::min<int64_t>(kept.count, int64_t{1} << 20));
          normalizeKernel<N><<<blocks, kThreads, 0, streamOf(a)>>>(
              static_cast<const S*>(a.in(0).data), residualData, static_cast<const S*>(a.in(1).data),
              static_cast<const S*>(a.in(2).data), static_cast<S*>(a.out(0).data), kept, reduced, epsilon);
        }
      }
    });
    checkLaunch(step);
  }
};

std::unique_ptr<Kernel> makeNormalization(const KernelSpec& spec) {
  const ops::Attrs& attrs = spec.step.attrs;
  DataType type = spec.inputType(0);
  if (type != DataType::kFLOAT && type != DataType::kDOUBLE && type != DataType::kHALF && type != DataType::kBF16)
    spec.unsupported(std::string("the CUDA normalization supports fp32, fp64, fp16 and bf16, not ") +
                     dataTypeName(type));
  if (spec.inputType(1) != type || spec.inputType(2) != type)
    spec.unsupported("the CUDA normalization needs scale and bias of the input's type");
  int64_t groups = attrs.getInt("groups", 1);
  if (groups > 1 && spec.inputRank(0) < 2) spec.unsupported("grouped normalization needs a channel axis");
  bool residual = spec.hasInput(ops::kNormalizationResidualInput);
  if (residual && (spec.inputType(ops::kNormalizationResidualInput) != type ||
                   spec.inputRank(ops::kNormalizationResidualInput) != spec.inputRank(0)))
    spec.unsupported("the normalization's residual input must have the type and rank of its input");
  return makeKernel(spec, Normalization{static_cast<uint32_t>(attrs.getInt("axes")), groups,
                                        attrs.getFloat("epsilon", 1e-5), type, residual, spec.step.name});
}

// ---- LRN ----------------------------------------------------------------------------------------------------------

// The CPU kernel's parameters (ONNX LRN): window `size` over channels, y = x / (k + alpha / size * square_sum) ^ beta.
struct LRNParams {
  int64_t size = 1;
  double alpha = 1e-4, beta = 0.75, k = 1.0;
};

// x viewed as [batch, channels, plane]; the window of channel c is [c - (size - 1) / 2, c + size / 2] within the axis.
template <typename N>
__global__ void lrnKernel(const typename N::Storage* x, typename N::Storage* y, int64_t total, int64_t channels,
                          int64_t plane, LRNParams p) {
  int64_t before = (p.size - 1) / 2, after = p.size - 1 - before;
  KILN_GRID_LOOP(e, total) {
    int64_t i = e % plane, c = e / plane % channels, image = e / (plane * channels);
    int64_t lo = c - before < 0 ? 0 : c - before, hi = c + after > channels - 1 ? channels - 1 : c + after;
    double sum = 0;
    for (int64_t j = lo; j <= hi; ++j) {
      double v = static_cast<double>(N::load(x[(image * channels + j) * plane + i]));
      sum += v * v;
    }
    double scaled = static_cast<double>(N::load(x[e])) / pow(p.k + p.alpha / static_cast<double>(p.size) * sum, p.beta);
    y[e] = N::store(static_cast<typename N::Compute>(scaled));
  }
}

std::unique_ptr<Kernel> makeLRN(const KernelSpec& spec) {
  const ops::Attrs& attrs = spec.step.attrs;
  LRNParams p{attrs.getInt("window"), attrs.getFloat("alpha", 1e-4), attrs.getFloat("beta", 0.75),
              attrs.getFloat("k", 1.0)};
  if (p.size < 1) spec.unsupported("the LRN window must be >= 1");
  if (spec.inputRank(0) < 2) spec.unsupported("LRN needs a batch and a channel axis");
  DataType type = spec.inputType(0);
  if (type != DataType::kFLOAT && type != DataType::kDOUBLE && type != DataType::kHALF && type != DataType::kBF16)
    spec.unsupported(std::string("the CUDA LRN supports fp32, fp64, fp16 and bf16, not ") + dataTypeName(type));
  return makeKernel(spec, [p, type, step = spec.step.name](const KernelArgs& a) {
    int64_t total = a.in(0).volume();
    if (total == 0) return;
    const Dims& shape = a.in(0).shape;
    int64_t channels = shape.d[1], plane = total / (shape.d[0] * channels);
    dispatchElement(type, [&](auto tag) {
      using N = decltype(tag);
      using S = typename N::Storage;
      if constexpr (kFloating<N>)
        lrnKernel<N><<<blocksFor(total), kThreads, 0, streamOf(a)>>>(
            static_cast<const S*>(a.in(0).data), static_cast<S*>(a.out(0).data), total, channels, plane, p);
    });
    checkLaunch(step);
  });
}

}  // namespace

void registerNormalizationKernels(KernelTable& table) {
  table.add(LayerType::kNORMALIZATION, makeNormalization);
  table.add(LayerType::kLRN, makeLRN);
}

}  // namespace kiln::cuda
