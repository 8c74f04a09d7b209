// CUDA kernels that move data without computing on it: identity, shuffle (transpose/reshape/transpose),
// concatenation, slice (every sample mode), gather (default, elements and ND modes) and materialized shape values.
#include <algorithm>
#include <optional>
#include <vector>

#include "backends/common/gather_spec.h"
#include "backends/common/layout_geometry.h"
#include "backends/common/shuffle_kernel.h"
#include "backends/common/slice_sampling.h"
#include "backends/cuda/device_tensor.cuh"
#include "backends/cuda/vector_access.cuh"

namespace kiln::cuda {

namespace {

void copyDeviceAsync(const KernelArgs& a, void* dst, const void* src, size_t bytes, const std::string& step) {
  if (bytes && dst != src)
    KILN_CUDA_CHECK(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToDevice, streamOf(a)), step);
}

std::unique_ptr<Kernel> makeIdentity(const KernelSpec& spec) {
  return makeKernel(spec, [step = spec.step.name](const KernelArgs& a) {
    copyDeviceAsync(a, a.out(0).data, a.in(0).data, a.out(0).volume() * dataTypeSize(a.out(0).type), step);
  });
}

// out[i] = in[walk.offset(i)] (+ base): transposes and strided slices.
template <typename T>
__global__ void gatherStrided(const T* in, T* out, int64_t n, int64_t base, StridedWalk walk) {
  KILN_GRID_LOOP(i, n) out[i] = in[base + walk.offset(i)];
}

// The walk over elements `width` times wider, when the innermost axis is read contiguously and every offset, size
// and address keeps that alignment: a transpose that keeps the innermost axis (attention's head split) then moves
// 16 bytes per thread instead of 2, which is what lets such copies approach the memory bandwidth.
std::optional<StridedWalk> widened(const StridedWalk& walk, int64_t base, int64_t width, const void* in,
                                   const void* out, size_t elementSize) {
  if (walk.rank == 0 || walk.strides[walk.rank - 1] != 1 || walk.dims[walk.rank - 1] % width != 0 || base % width != 0)
    return std::nullopt;
  auto alignment = static_cast<uintptr_t>(width) * elementSize;
  if (reinterpret_cast<uintptr_t>(in) % alignment != 0 || reinterpret_cast<uintptr_t>(out) % alignment != 0)
    return std::nullopt;
  StridedWalk wide = walk;
  wide.dims[walk.rank - 1] /= width;
  for (int32_t k = 0; k + 1 < walk.rank; ++k) {
    if (walk.strides[k] % width != 0) return std::nullopt;
    wide.strides[k] /= width;
  }
  return wide;
}

void launchStrided(const KernelArgs& a, const void* in, void* out, int64_t n, int64_t base, const StridedWalk& walk,
                   size_t elementSize, const std::string& step) {
  if (n == 0) return;
  if (elementSize <= 8) {
    auto width = static_cast<int64_t>(16 / elementSize);
    if (auto wide = widened(walk, base, width, in, out, elementSize)) {
      gatherStrided<uint4><<<blocksFor(n / width), kThreads, 0, streamOf(a)>>>(
          static_cast<const uint4*>(in), static_cast<uint4*>(out), n / width, base / width, *wide);
      checkLaunch(step);
      return;
    }
  }
  dispatchBySize(elementSize, [&](auto tag) {
    using T = decltype(tag);
    gatherStrided<T>
        <<<blocksFor(n), kThreads, 0, streamOf(a)>>>(static_cast<const T*>(in), static_cast<T*>(out), n, base, walk);
  });
  checkLaunch(step);
}

// ---- Shuffle ------------------------------------------------------------------------------------------------------

// The walk that reads `inShape` permuted by `perm` in the output's row-major order.
StridedWalk transposeWalk(const Dims& inShape, const std::vector<int64_t>& perm) {
  StridedWalk w;
  w.rank = inShape.nbDims;
  int64_t strides[Dims::MAX_DIMS];
  int64_t s = 1;
  for (int32_t i = inShape.nbDims - 1; i >= 0; --i) {
    strides[i] = s;
    s *= inShape.d[i];
  }
  for (int32_t i = 0; i < w.rank; ++i) {
    w.dims[i] = inShape.d[perm[i]];
    w.strides[i] = strides[perm[i]];
  }
  return w;
}

class ShuffleKernel final : public backend::ShuffleKernel {
 public:
  using backend::ShuffleKernel::ShuffleKernel;

 private:
  void copy(const KernelArgs& a, const void* in, void* out, size_t bytes) const override {
    copyDeviceAsync(a, out, in, bytes, step());
  }
  void transpose(const KernelArgs& a, const void* in, void* out, const Dims& inShape,
                 const std::vector<int64_t>& perm) const override {
    launchStrided(a, in, out, a.in(0).volume(), 0, transposeWalk(inShape, perm), dataTypeSize(a.in(0).type), step());
  }
};

// ---- Concatenation: one 2-D copy per input (rows = the axes before the concatenation axis) ------------------------

std::unique_ptr<Kernel> makeConcatenation(const KernelSpec& spec) {
  int64_t axisAttr = spec.step.attrs.getInt("axis");
  return makeKernel(spec, [axisAttr, step = spec.step.name](const KernelArgs& a) {
    auto* dst = static_cast<uint8_t*>(a.out(0).data);
    backend::forEachConcatInput(a, axisAttr, [&](int32_t t, size_t offset, size_t row, size_t outRow, int64_t outer) {
      if (row && outer)
        KILN_CUDA_CHECK(cudaMemcpy2DAsync(dst + offset, outRow, a.in(t).data, row, row, outer, cudaMemcpyDeviceToDevice,
                                          streamOf(a)),
                        step);
    });
  });
}

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
  auto starts = spec.step.attrs.getExprs("start").ids;
  auto strides = spec.step.attrs.getExprs("stride").ids;
  auto mode = static_cast<SampleMode>(spec.step.attrs.getInt("mode", 0));
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

// ---- Shape values: host-evaluated expressions written by a kernel, passed by value (no host buffer to copy from) ---

constexpr int kValuesPerLaunch = 16;
struct ShapeValueBatch {
  int64_t v[kValuesPerLaunch];
};

__global__ void writeShapeValues(void* out, DataType type, int64_t first, int32_t count, ShapeValueBatch batch) {
  int32_t i = threadIdx.x;
  if (i >= count) return;
  if (type == DataType::kINT32)
    static_cast<int32_t*>(out)[first + i] = static_cast<int32_t>(batch.v[i]);
  else
    static_cast<int64_t*>(out)[first + i] = batch.v[i];
}

std::unique_ptr<Kernel> makeShapeValues(const KernelSpec& spec) {
  auto ids = spec.step.attrs.getExprs("values").ids;
  DataType type = spec.outputType(0);
  if (type != DataType::kINT32 && type != DataType::kINT64)
    spec.unsupported(std::string("shape values as ") + dataTypeName(type) +
                     " (the CUDA backend writes int32 or int64)");
  return makeKernel(spec, [ids, type, step = spec.step.name](const KernelArgs& a) {
    for (size_t first = 0; first < ids.size(); first += kValuesPerLaunch) {
      ShapeValueBatch batch{};
      auto count = static_cast<int32_t>(std::min<size_t>(kValuesPerLaunch, ids.size() - first));
      for (int32_t i = 0; i < count; ++i) batch.v[i] = a.value(ids[first + i]);
      writeShapeValues<<<1, kValuesPerLaunch, 0, streamOf(a)>>>(a.out(0).data, type, static_cast<int64_t>(first), count,
                                                                batch);
    }
    checkLaunch(step);
  });
}

}  // namespace

void registerLayoutKernels(KernelTable& table) {
  table.add(LayerType::kIDENTITY, makeIdentity);
  table.add(LayerType::kSHUFFLE, [](const KernelSpec& s) { return std::make_unique<ShuffleKernel>(s); });
  table.add(LayerType::kCONCATENATION, makeConcatenation);
  table.add(LayerType::kSLICE, makeSlice);
  table.add(LayerType::kGATHER, makeGather);
  table.add(LayerType::kSHAPE_VALUES, makeShapeValues);
}

}  // namespace kiln::cuda
