// CUDA normalization with the CPU kernel's semantics (kernels_normalization.cpp): every statistic (mean and variance,
// in fp64, two passes) is taken over the axes in the mask, the channel axis split into [groups, channels / groups]
// when grouped, so batch, instance, layer and group normalization are one kernel; scale and bias broadcast to the
// input. One block per statistic: it reduces its elements, then normalizes and writes them. fp32, fp64, fp16, bf16.
// Local response normalization (LRN) as on the CPU: one thread per element sums the squares across its channel window
// in fp64.
#include "backends/cpu/strided_iteration.h"
#include "backends/cuda/device_tensor.cuh"

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

// The sum of every thread's `v` in the block, returned to all threads (blockDim.x == kThreads).
__device__ double blockSum(double v, double* shared) {
  shared[threadIdx.x] = v;
  __syncthreads();
  for (unsigned half = kThreads / 2; half > 0; half /= 2) {
    if (threadIdx.x < half) shared[threadIdx.x] += shared[threadIdx.x + half];
    __syncthreads();
  }
  double total = shared[0];
  __syncthreads();  // shared is reused by the next call
  return total;
}

template <typename N>
__global__ void normalizeKernel(const typename N::Storage* x, const typename N::Storage* scale,
                                const typename N::Storage* bias, typename N::Storage* y, NormWalk kept,
                                NormWalk reduced, double epsilon) {
  __shared__ double shared[kThreads];
  auto count = static_cast<double>(reduced.count);
  for (int64_t s = blockIdx.x; s < kept.count; s += gridDim.x) {
    NormWalk::Offsets base = kept.offsets(s);
    // Two passes (mean, then squared deviations) stay accurate where E[x^2] - E[x]^2 would cancel.
    double sum = 0;
    for (int64_t r = threadIdx.x; r < reduced.count; r += blockDim.x)
      sum += static_cast<double>(N::load(x[base.element + reduced.offsets(r).element]));
    double mean = blockSum(sum, shared) / count;
    double squares = 0;
    for (int64_t r = threadIdx.x; r < reduced.count; r += blockDim.x) {
      double d = static_cast<double>(N::load(x[base.element + reduced.offsets(r).element])) - mean;
      squares += d * d;
    }
    double inv = 1.0 / sqrt(blockSum(squares, shared) / count + epsilon);
    for (int64_t r = threadIdx.x; r < reduced.count; r += blockDim.x) {
      NormWalk::Offsets at = reduced.offsets(r);
      int64_t e = base.element + at.element;
      double normalized = (static_cast<double>(N::load(x[e])) - mean) * inv;
      double sc = static_cast<double>(N::load(scale[base.scale + at.scale]));
      double bi = static_cast<double>(N::load(bias[base.bias + at.bias]));
      y[e] = N::store(static_cast<typename N::Compute>(normalized * sc + bi));
    }
  }
}

struct Normalization {
  uint32_t mask;
  int64_t groups;
  double epsilon;
  DataType type;
  std::string step;

  // The kept (statistic) and reduced axes of the grouped view of the input.
  void split(const KernelArgs& a, NormWalk& kept, NormWalk& reduced) const {
    const Dims& x = a.in(0).shape;
    int64_t element[Dims::MAX_DIMS], scale[Dims::MAX_DIMS], bias[Dims::MAX_DIMS];
    int64_t stride = 1;
    for (int32_t i = x.nbDims - 1; i >= 0; --i) {
      element[i] = stride;
      stride *= x.d[i];
    }
    cpu::broadcastStrides(a.in(1).shape, x, scale);
    cpu::broadcastStrides(a.in(2).shape, x, bias);
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
    NormWalk kept, reduced;
    split(a, kept, reduced);
    auto blocks = static_cast<unsigned>(std::min<int64_t>(kept.count, int64_t{1} << 20));
    dispatchElement(type, [&](auto tag) {
      using N = decltype(tag);
      using S = typename N::Storage;
      if constexpr (kFloating<N>)
        normalizeKernel<N><<<blocks, kThreads, 0, streamOf(a)>>>(
            static_cast<const S*>(a.in(0).data), static_cast<const S*>(a.in(1).data),
            static_cast<const S*>(a.in(2).data), static_cast<S*>(a.out(0).data), kept, reduced, epsilon);
    });
    checkLaunch(step);
  }
};

std::unique_ptr<Kernel> makeNormalization(const KernelSpec& spec) {
  const graph::Attrs& attrs = spec.step.attrs;
  DataType type = spec.inputType(0);
  if (type != DataType::kFLOAT && type != DataType::kDOUBLE && type != DataType::kHALF && type != DataType::kBF16)
    spec.unsupported(std::string("the CUDA normalization supports fp32, fp64, fp16 and bf16, not ") +
                     dataTypeName(type));
  if (spec.inputType(1) != type || spec.inputType(2) != type)
    spec.unsupported("the CUDA normalization needs scale and bias of the input's type");
  int64_t groups = attrs.getInt("groups", 1);
  if (groups > 1 && spec.inputRank(0) < 2) spec.unsupported("grouped normalization needs a channel axis");
  return makeKernel(spec, Normalization{static_cast<uint32_t>(attrs.getInt("axes")), groups,
                                        attrs.getFloat("epsilon", 1e-5), type, spec.step.name});
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
  const graph::Attrs& attrs = spec.step.attrs;
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
        lrnKernel<N><<<blocksFor(total), kThreads, 0, streamOf(a)>>>(static_cast<const S*>(a.in(0).data),
                                                                     static_cast<S*>(a.out(0).data), total, channels,
                                                                     plane, p);
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
