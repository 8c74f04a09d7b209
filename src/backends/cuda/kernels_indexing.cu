// CUDA kernels that read parts of a tensor: slice (every sample mode) and gather (default, elements and ND modes).
#include <algorithm>
#include <vector>

#include "backends/common/gather_spec.h"
#include "backends/common/slice_sampling.h"
#include "backends/cuda/device_tensor.cuh"
#include "backends/cuda/strided_copy.cuh"
#include "backends/cuda/vector_access.cuh"
#include "ops/indexing.h"

namespace kiln::cuda {

namespace {

// ---- Slice: the output walks the input with per-axis steps ---------------------------------------------------------

// Strict bounds: the walk stays inside the input (checked on the host), so it is a strided gather.
void strictSlice(const KernelArgs& a, const std::vector<core::ExprId>& starts, const std::vector<core::ExprId>& strides,
                 const std::string& step) {
  const TensorArg& in = a.in(0);
  const TensorArg& out = a.out(0);
  int32_t rank = in.shape.nbDims;
  StridedWalk walk;
  walk.rank = rank;
  int64_t base = 0, inStride = 1;
  for (int32_t i = rank - 1; i >= 0; --i) {
    int64_t start = a.value(starts[i]), stride = a.value(strides[i]);
    // Shape inference asserts this; checked again (on the host) because a wrong index would read outside the tensor.
    int64_t last = start + (out.shape.d[i] - 1) * stride;
    if (std::min(start, last) < 0 || std::max(start, last) >= in.shape.d[i])
      throw Error(ErrorCode::kRUNTIME, "axis " + std::to_string(i) + ": slice reads [" + std::to_string(start) + ", " +
                                           std::to_string(last) + "] of a dimension of " +
                                           std::to_string(in.shape.d[i]));
    base += start * inStride;
    walk.dims[i] = out.shape.d[i];
    walk.strides[i] = stride * inStride;
    inStride *= in.shape.d[i];
  }
  launchStrided(a, in.data, out.data, out.volume(), base, walk, dataTypeSize(in.type), step);
}

// Wrap, clamp, fill and reflect: per axis, the output coordinate j reads input coordinate
// sampleCoordinate(start + j * step), as on the CPU; a fill coordinate on any axis reads the fill value.
struct SampledSlice {
  SampleMode mode = SampleMode::kWRAP;
  int32_t rank = 0;
  int64_t outDims[Dims::MAX_DIMS] = {};
  int64_t inDims[Dims::MAX_DIMS] = {};
  int64_t inStrides[Dims::MAX_DIMS] = {};
  int64_t starts[Dims::MAX_DIMS] = {};
  int64_t steps[Dims::MAX_DIMS] = {};
};

// `fill` points at one element (input 4), or is null for zero. I: the type of the output index's decomposition,
// 32-bit below 2^31 elements (64-bit division is emulated and dominated this kernel's time).
template <typename T, typename I>
__global__ void sampledSliceKernel(const T* in, const T* fill, T* out, int64_t total, SampledSlice s) {
  KILN_GRID_LOOP(e, total) {
    I rest = static_cast<I>(e);
    int64_t offset = 0;
    bool filled = false;
    for (int32_t k = s.rank - 1; k >= 0; --k) {
      I j = rest % static_cast<I>(s.outDims[k]);
      rest /= static_cast<I>(s.outDims[k]);
      int64_t c = backend::sampleCoordinate(s.mode, s.starts[k] + j * s.steps[k], s.inDims[k]);
      filled |= c < 0;
      offset += c * s.inStrides[k];
    }
    out[e] = !filled ? in[offset] : fill ? *fill : T{};
  }
}

void sampledSlice(const KernelArgs& a, SampleMode mode, const std::vector<core::ExprId>& starts,
                  const std::vector<core::ExprId>& strides, const std::string& step) {
  const TensorArg& in = a.in(0);
  const TensorArg& out = a.out(0);
  SampledSlice s;
  s.mode = mode;
  s.rank = out.shape.nbDims;
  int64_t inStride = 1;
  for (int32_t i = s.rank - 1; i >= 0; --i) {
    if (in.shape.d[i] == 0 && mode != SampleMode::kFILL)
      throw Error(ErrorCode::kRUNTIME, "axis " + std::to_string(i) + ": cannot sample an empty axis");
    s.outDims[i] = out.shape.d[i];
    s.inDims[i] = in.shape.d[i];
    s.inStrides[i] = inStride;
    s.starts[i] = a.value(starts[i]);
    s.steps[i] = a.value(strides[i]);
    inStride *= in.shape.d[i];
  }
  int64_t total = out.volume();
  const void* fill = a.hasInput(4) ? a.in(4).data : nullptr;
  dispatchBySize(dataTypeSize(in.type), [&](auto tag) {
    using T = decltype(tag);
    dispatchIndexWidth(total, [&](auto index) {
      sampledSliceKernel<T, decltype(index)><<<blocksFor(total), kThreads, 0, streamOf(a)>>>(
          static_cast<const T*>(in.data), static_cast<const T*>(fill), static_cast<T*>(out.data), total, s);
    });
  });
  checkLaunch(step);
}

std::unique_ptr<Kernel> makeSlice(const KernelSpec& spec) {
  ops::OpAttrs attrs = spec.step.opAttrs();
  auto starts = attrs.get(ops::Slice::kDerivedStart);
  auto strides = attrs.get(ops::Slice::kDerivedStride);
  SampleMode mode = attrs.get(ops::Slice::kMode);
  if (starts.size() != spec.inputRank(0) || strides.size() != spec.inputRank(0))
    spec.unsupported("the slice step lacks its start/stride expressions");
  if (mode < SampleMode::kSTRICT_BOUNDS || mode > SampleMode::kREFLECT) spec.unsupported("unknown sample mode");
  return makeKernel(spec, [starts, strides, mode, step = spec.step.name](const KernelArgs& a) {
    if (a.out(0).volume() == 0) return;
    if (mode == SampleMode::kSTRICT_BOUNDS)
      strictSlice(a, starts, strides, step);
    else
      sampledSlice(a, mode, starts, strides, step);
  });
}

// ---- Gather (default mode): out[o, j, i] = data[o, indices[j], i] --------------------------------------------------

// An index outside [-n, n - 1] yields zeros: the GPU cannot report it without a host synchronization.
template <typename T, typename I>
__global__ void gatherKernel(const T* data, const I* indices, T* out, int64_t total, int64_t count, int64_t n,
                             int64_t inner) {
  KILN_GRID_LOOP(e, total) {
    int64_t i = e % inner, j = (e / inner) % count, o = e / (inner * count);
    int64_t k = static_cast<int64_t>(indices[j]);
    if (k < 0) k += n;
    out[e] = (k >= 0 && k < n) ? data[(o * n + k) * inner + i] : T{};
  }
}

// ---- Gather (elements mode, ONNX GatherElements): out[c] = data[c with c[axis] replaced by indices[c]] ------------

// `walk` maps an output (= indices) position to its data offset with the gather axis left out; the index adds it.
// An index outside [-n, n - 1] yields zeros, as in the default mode.
template <typename T, typename I>
__global__ void gatherElementsKernel(const T* data, const I* indices, T* out, int64_t total, StridedWalk walk,
                                     int64_t n, int64_t axisStride) {
  KILN_GRID_LOOP(e, total) {
    int64_t k = static_cast<int64_t>(indices[e]);
    if (k < 0) k += n;
    out[e] = (k >= 0 && k < n) ? data[walk.offset(e) + k * axisStride] : T{};
  }
}

void gatherElements(const KernelArgs& a, int64_t axis, DataType indexType, size_t elementSize,
                    const std::string& step) {
  const TensorArg& data = a.in(0);
  const TensorArg& indices = a.in(1);
  int32_t rank = data.shape.nbDims;
  for (int32_t d = 0; d < rank; ++d)
    if (d != axis && indices.shape.d[d] > data.shape.d[d])
      throw Error(ErrorCode::kRUNTIME, "indices are larger than data on axis " + std::to_string(d), step);
  int64_t total = indices.volume();
  if (total == 0) return;
  StridedWalk walk;
  walk.rank = rank;
  int64_t stride = 1, axisStride = 1;
  for (int32_t d = rank - 1; d >= 0; --d) {
    walk.dims[d] = indices.shape.d[d];
    walk.strides[d] = d == axis ? 0 : stride;
    if (d == axis) axisStride = stride;
    stride *= data.shape.d[d];
  }
  int64_t n = data.shape.d[axis];
  dispatchBySize(elementSize, [&](auto tag) {
    dispatchIndex(indexType, [&](auto index) {
      using T = decltype(tag);
      using I = decltype(index);
      gatherElementsKernel<<<blocksFor(total), kThreads, 0, streamOf(a)>>>(
          static_cast<const T*>(data.data), static_cast<const I*>(indices.data), static_cast<T*>(a.out(0).data), total,
          walk, n, axisStride);
    });
  });
  checkLaunch(step);
}

// ---- Gather (ND mode, ONNX GatherND) -----------------------------------------------------------------------------

// Per batch (the first b axes, shared by data and indices), each index tuple of k values picks
// data[batch, tuple..., :], a slice of the trailing axes, copied to the output in tuple order. A tuple with a value out
// of range yields zeros.
template <typename T, typename I>
__global__ void gatherNDKernel(const T* data, const I* indices, T* out, int64_t total, int64_t slice, int64_t tuples,
                               int64_t batchStride, TupleAxes axes) {
  KILN_GRID_LOOP(e, total) {
    int64_t t = e / slice;
    int64_t offset = tupleOffset(indices + t * axes.count, axes);
    out[e] = offset < 0 ? T{} : data[(t / tuples) * batchStride + offset + e % slice];
  }
}

void gatherND(const KernelArgs& a, int32_t b, DataType indexType, size_t elementSize, const std::string& step) {
  const TensorArg& data = a.in(0);
  const TensorArg& indices = a.in(1);
  int32_t r = data.shape.nbDims, q = indices.shape.nbDims;
  int64_t k = q > 0 ? indices.shape.d[q - 1] : 0;
  // Shape inference asserts this; checked again because a longer tuple would read past the data's axes.
  if (q < b + 1 || k < 1 || b + k > r)
    throw Error(ErrorCode::kRUNTIME,
                "index tuples of " + std::to_string(k) + " values after " + std::to_string(b) +
                    " batch axes do not fit data of rank " + std::to_string(r),
                step);
  int64_t batches = 1, tuples = 1, slice = 1;
  for (int32_t d = 0; d < b; ++d) batches *= data.shape.d[d];
  for (int32_t d = b; d < q - 1; ++d) tuples *= indices.shape.d[d];
  for (int32_t d = b + static_cast<int32_t>(k); d < r; ++d) slice *= data.shape.d[d];
  TupleAxes axes = tupleAxes(data.shape, b, static_cast<int32_t>(k));
  // A batch spans the data's axes from b on: the tuple's axes and the slice.
  int64_t batchStride = slice;
  for (int32_t i = 0; i < axes.count; ++i) batchStride *= axes.dims[i];
  int64_t total = batches * tuples * slice;
  if (total == 0) return;
  dispatchBySize(elementSize, [&](auto tag) {
    dispatchIndex(indexType, [&](auto index) {
      using T = decltype(tag);
      using I = decltype(index);
      gatherNDKernel<<<blocksFor(total), kThreads, 0, streamOf(a)>>>(
          static_cast<const T*>(data.data), static_cast<const I*>(indices.data), static_cast<T*>(a.out(0).data), total,
          slice, tuples, batchStride, axes);
    });
  });
  checkLaunch(step);
}

std::unique_ptr<Kernel> makeGather(const KernelSpec& spec) {
  backend::GatherSpec g = backend::readGatherSpec(spec);
  return makeKernel(spec, [mode = g.mode, axis = g.axis, batchDims = g.batchDims, indexType = g.indexType,
                           elementSize = g.elementSize, step = spec.step.name](const KernelArgs& a) {
    if (mode == GatherMode::kELEMENT) return gatherElements(a, axis, indexType, elementSize, step);
    if (mode == GatherMode::kND) return gatherND(a, batchDims, indexType, elementSize, step);
    const TensorArg& data = a.in(0);
    int64_t inner = 1, n = data.shape.d[axis];
    for (int32_t i = axis + 1; i < data.shape.nbDims; ++i) inner *= data.shape.d[i];
    int64_t total = a.out(0).volume(), count = a.in(1).volume();
    if (total == 0) return;
    dispatchBySize(elementSize, [&](auto tag) {
      dispatchIndex(indexType, [&](auto index) {
        using T = decltype(tag);
        using I = decltype(index);
        gatherKernel<<<blocksFor(total), kThreads, 0, streamOf(a)>>>(
            static_cast<const T*>(data.data), static_cast<const I*>(a.in(1).data), static_cast<T*>(a.out(0).data),
            total, count, n, inner);
      });
    });
    checkLaunch(step);
  });
}

}  // namespace

void registerIndexingKernels(KernelTable& table) {
  table.add(LayerType::kSLICE, makeSlice);
  table.add(LayerType::kGATHER, makeGather);
}

}  // namespace kiln::cuda
