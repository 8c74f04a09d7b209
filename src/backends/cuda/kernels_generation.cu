// CUDA kernels of the generation family: select, fill, scatter and cumulative sum (the CPU's kernels_generation.cpp
// holds the reference).
#include "backends/common/scalar_math.h"
#include "backends/common/scatter_step.h"
#include "backends/cuda/cuda_kernel.h"
#include "backends/cuda/device_tensor.cuh"

namespace kiln::cuda {

namespace {

// out[i] = condition ? a : b, each operand read through its broadcast walk into the output's shape.
template <typename T>
__global__ void selectKernel(const uint8_t* condition, const T* a, const T* b, T* out, int64_t n, StridedWalk wc,
                             StridedWalk wa, StridedWalk wb) {
  KILN_GRID_LOOP(i, n) { out[i] = condition[wc.offset(i)] ? a[wa.offset(i)] : b[wb.offset(i)]; }
}

std::unique_ptr<Kernel> makeSelect(const KernelSpec& spec) {
  if (spec.inputType(0) != DataType::kBOOL) spec.unsupported("the select condition must be bool");
  size_t elementSize = dataTypeSize(spec.outputType(0));
  return makeKernel(spec, [elementSize, step = spec.step.name](const KernelArgs& a) {
    int64_t n = a.out(0).volume();
    if (n == 0) return;
    const Dims& shape = a.out(0).shape;
    StridedWalk wc = broadcastWalk(a.in(0).shape, shape), wa = broadcastWalk(a.in(1).shape, shape),
                wb = broadcastWalk(a.in(2).shape, shape);
    // Selecting moves bits: dispatch on the element size only.
    dispatchBySize(elementSize, [&](auto tag) {
      using T = decltype(tag);
      selectKernel<T><<<blocksFor(n), kThreads, 0, streamOf(a)>>>(
          static_cast<const uint8_t*>(a.in(0).data), static_cast<const T*>(a.in(1).data),
          static_cast<const T*>(a.in(2).data), static_cast<T*>(a.out(0).data), n, wc, wa, wb);
    });
    checkLaunch(step);
  });
}

// ---- Fill ---------------------------------------------------------------------------------------------------------

// Where alpha and beta come from: inputs 1 and 2 (device memory, any numeric type) override the attributes.
struct FillSource {
  const void* alpha = nullptr;
  DataType alphaType = DataType::kFLOAT;
  bool alphaFloat = true;  // decided on the host (isFloatingPoint is host code)
  double alphaAttr = 0.0;
  const void* beta = nullptr;
  DataType betaType = DataType::kFLOAT;
  bool betaFloat = true;
  double betaAttr = 1.0;
};

// Element i of a fill parameter in the accumulator type A: double, or int64 (floating-point values truncated).
template <typename A>
__device__ A fillParameter(const void* p, DataType type, bool isFloat, int64_t i) {
  if constexpr (std::is_floating_point_v<A>)
    return loadAsDouble(p, type, i);
  else
    return isFloat ? static_cast<int64_t>(loadAsDouble(p, type, i)) : loadInteger(p, type, i);
}

// The CPU kernel's rules: kCONSTANT writes alpha (exactly, between integer types); kLINSPACE writes
// alpha + sum over axes of c[axis] * beta[axis], accumulated in A: double for floating-point outputs, int64 for
// integer ones.
template <typename A>
__global__ void fillKernel(void* out, DataType type, int64_t total, StridedWalk coords, FillSource src, bool linspace) {
  KILN_GRID_LOOP(e, total) {
    A v = src.alpha ? fillParameter<A>(src.alpha, src.alphaType, src.alphaFloat, 0) : static_cast<A>(src.alphaAttr);
    if (linspace) {
      int64_t rest = e;
      for (int32_t d = coords.rank - 1; d >= 0; --d) {
        int64_t c = rest % coords.dims[d];
        rest /= coords.dims[d];
        A beta = src.beta ? fillParameter<A>(src.beta, src.betaType, src.betaFloat, d) : static_cast<A>(src.betaAttr);
        v += static_cast<A>(c) * beta;
      }
    }
    if constexpr (std::is_floating_point_v<A>)
      storeFromDouble(out, type, e, v);
    else
      storeInteger(out, type, e, v);
  }
}

std::unique_ptr<Kernel> makeFill(const KernelSpec& spec) {
  const auto& attrs = spec.step.attrs;
  auto op = static_cast<FillOperation>(attrs.getInt("op"));
  if (op != FillOperation::kCONSTANT && op != FillOperation::kLINSPACE) spec.unsupported("unknown fill operation");
  DataType type = spec.outputType(0);
  bool linspace = op == FillOperation::kLINSPACE;
  if (linspace && (type == DataType::kBOOL || type == DataType::kHALF || type == DataType::kBF16))
    spec.unsupported(std::string("kLINSPACE fills of ") + dataTypeName(type) + " (fp32, fp64 and integers only)");
  FillSource base;
  // Defaults as TensorRT's fill layer: alpha 0, beta 1.
  base.alphaAttr = attrs.getFloat("alpha", 0.0);
  base.betaAttr = attrs.getFloat("beta", 1.0);
  bool integer = !isFloatingPoint(type) && type != DataType::kBOOL;
  return makeKernel(spec, [type, linspace, integer, base, step = spec.step.name](const KernelArgs& a) {
    int64_t total = a.out(0).volume();
    if (total == 0) return;
    FillSource src = base;
    if (a.hasInput(1)) {
      src.alpha = a.in(1).data;
      src.alphaType = a.in(1).type;
      src.alphaFloat = isFloatingPoint(a.in(1).type);
    }
    if (a.hasInput(2)) {
      src.beta = a.in(2).data;
      src.betaType = a.in(2).type;
      src.betaFloat = isFloatingPoint(a.in(2).type);
    }
    StridedWalk coords;
    coords.rank = a.out(0).shape.nbDims;
    for (int32_t d = 0; d < coords.rank; ++d) coords.dims[d] = a.out(0).shape.d[d];
    if (integer)
      fillKernel<int64_t>
          <<<blocksFor(total), kThreads, 0, streamOf(a)>>>(a.out(0).data, type, total, coords, src, linspace);
    else
      fillKernel<double>
          <<<blocksFor(total), kThreads, 0, streamOf(a)>>>(a.out(0).data, type, total, coords, src, linspace);
    checkLaunch(step);
  });
}

// ---- Scatter ------------------------------------------------------------------------------------------------------

// The CPU applies the updates in the row-major order of the indices, so an update of an element already written sees
// (or overwrites) the earlier ones. Here the updates that can meet at one element run in that order on one thread:
// - elements mode: updates on different lines along the scatter axis never meet, so one thread walks each line;
// - ND mode: a tuple's slice starts at a multiple of the slice length, so element s of every slice is one thread
//   walking the tuples.
// An index outside [-n, n - 1] skips its update: the GPU cannot report it without a host synchronization (gather
// reads zeros for one likewise).

// How an update meets the value already there, as on the CPU (max and min propagate NaN); fp16 and bf16 compute in
// fp32 and round once, as their own arithmetic would.
template <ScatterReduction R, typename N>
__device__ typename N::Storage combine(typename N::Storage old, typename N::Storage update) {
  if constexpr (R == ScatterReduction::kNONE) {
    return update;
  } else {
    auto o = N::load(old), u = N::load(update);
    bool nan = false;
    if constexpr (kFloating<N>) nan = isnan(u);
    if constexpr (R == ScatterReduction::kADD)
      return N::store(backend::wrappingAdd(o, u));
    else if constexpr (R == ScatterReduction::kMUL && kFloating<N>)
      return N::store(o * u);
    else if constexpr (R == ScatterReduction::kMUL)
      return N::store(backend::wrappingMultiply(o, u));
    else if constexpr (R == ScatterReduction::kMAX)
      return u > o || nan ? update : old;
    else
      return u < o || nan ? update : old;
  }
}

// `lines` maps a line number to its first element in the indices (and updates) and in the output; `along` is the
// line's length in the indices, `indexStride` and `outStride` the scatter axis' strides, `n` its length in the output.
struct ScatterLines {
  StridedWalk indices, output;
  int64_t along = 0, indexStride = 0, outStride = 0, n = 0;
};

template <ScatterReduction R, typename N, typename I>
__global__ void scatterElementsKernel(typename N::Storage* out, const I* indices, const typename N::Storage* updates,
                                      int64_t count, ScatterLines lines) {
  KILN_GRID_LOOP(line, count) {
    int64_t from = lines.indices.offset(line), to = lines.output.offset(line);
    for (int64_t j = 0; j < lines.along; ++j) {
      int64_t at = from + j * lines.indexStride;
      int64_t k = static_cast<int64_t>(indices[at]);
      if (k < 0) k += lines.n;
      if (k < 0 || k >= lines.n) continue;
      typename N::Storage& target = out[to + k * lines.outStride];
      target = combine<R, N>(target, updates[at]);
    }
  }
}

template <ScatterReduction R, typename N, typename I>
__global__ void scatterNDKernel(typename N::Storage* out, const I* indices, const typename N::Storage* updates,
                                int64_t slice, int64_t tuples, TupleAxes axes) {
  KILN_GRID_LOOP(s, slice) {
    for (int64_t t = 0; t < tuples; ++t) {
      int64_t offset = tupleOffset(indices + t * axes.count, axes);
      if (offset < 0) continue;
      out[offset + s] = combine<R, N>(out[offset + s], updates[t * slice + s]);
    }
  }
}

template <ScatterReduction R, typename N, typename I>
void scatterElements(const KernelArgs& a, int64_t axisAttr, const std::string& step) {
  const TensorArg& indices = a.in(1);
  const Dims& shape = a.out(0).shape;
  int32_t rank = shape.nbDims;
  auto axis = static_cast<int32_t>(axisAttr < 0 ? axisAttr + rank : axisAttr);
  for (int32_t d = 0; d < rank; ++d)
    if (d != axis && indices.shape.d[d] > shape.d[d])
      throw Error(ErrorCode::kRUNTIME, "indices are larger than data on axis " + std::to_string(d), step);
  // Both walks run over the indices' shape with the scatter axis collapsed to one line start.
  ScatterLines lines;
  lines.indices.rank = lines.output.rank = rank;
  int64_t indexStride = 1, outStride = 1;
  for (int32_t d = rank - 1; d >= 0; --d) {
    bool along = d == axis;
    lines.indices.dims[d] = lines.output.dims[d] = along ? 1 : indices.shape.d[d];
    lines.indices.strides[d] = along ? 0 : indexStride;
    lines.output.strides[d] = along ? 0 : outStride;
    if (along) {
      lines.indexStride = indexStride;
      lines.outStride = outStride;
    }
    indexStride *= indices.shape.d[d];
    outStride *= shape.d[d];
  }
  lines.along = indices.shape.d[axis];
  lines.n = shape.d[axis];
  int64_t count = lines.along > 0 ? indices.volume() / lines.along : 0;
  if (count == 0) return;
  using S = typename N::Storage;
  scatterElementsKernel<R, N, I><<<blocksFor(count), kThreads, 0, streamOf(a)>>>(
      static_cast<S*>(a.out(0).data), static_cast<const I*>(indices.data), static_cast<const S*>(a.in(2).data), count,
      lines);
}

template <ScatterReduction R, typename N, typename I>
void scatterND(const KernelArgs& a, const std::string& step) {
  const TensorArg& indices = a.in(1);
  const Dims& shape = a.out(0).shape;
  int32_t q = indices.shape.nbDims;
  int64_t k = q > 0 ? indices.shape.d[q - 1] : 0;
  // Shape inference asserts this; checked again because a longer tuple would write past the data's axes.
  if (k < 1 || k > shape.nbDims)
    throw Error(
        ErrorCode::kRUNTIME,
        "index tuples of " + std::to_string(k) + " values do not fit data of rank " + std::to_string(shape.nbDims),
        step);
  int64_t tuples = 1, slice = 1;
  for (int32_t d = 0; d + 1 < q; ++d) tuples *= indices.shape.d[d];
  for (int32_t d = static_cast<int32_t>(k); d < shape.nbDims; ++d) slice *= shape.d[d];
  if (tuples == 0 || slice == 0) return;
  using S = typename N::Storage;
  scatterNDKernel<R, N, I><<<blocksFor(slice), kThreads, 0, streamOf(a)>>>(
      static_cast<S*>(a.out(0).data), static_cast<const I*>(indices.data), static_cast<const S*>(a.in(2).data), slice,
      tuples, tupleAxes(shape, 0, static_cast<int32_t>(k)));
}

// The output starts as a copy of the data (unless they share memory), then takes the updates.
template <ScatterReduction R, typename N>
void scatter(const KernelArgs& a, ScatterMode mode, int64_t axis, DataType indexType, const std::string& step) {
  size_t bytes = static_cast<size_t>(a.out(0).volume()) * sizeof(typename N::Storage);
  if (bytes && a.out(0).data != a.in(0).data)
    KILN_CUDA_CHECK(cudaMemcpyAsync(a.out(0).data, a.in(0).data, bytes, cudaMemcpyDeviceToDevice, streamOf(a)), step);
  dispatchIndex(indexType, [&](auto index) {
    using I = decltype(index);
    if (mode == ScatterMode::kELEMENT)
      scatterElements<R, N, I>(a, axis, step);
    else
      scatterND<R, N, I>(a, step);
  });
  checkLaunch(step);
}

std::unique_ptr<Kernel> makeScatter(const KernelSpec& spec) {
  backend::ScatterStep s = backend::scatterStep(spec);
  std::string step = spec.step.name;
  // Plain writes move elements of any type; reductions compute, so they need a numeric type.
  if (s.reduction == ScatterReduction::kNONE) {
    size_t elementSize = dataTypeSize(s.type);
    return makeKernel(spec, [step, s, elementSize](const KernelArgs& a) {
      dispatchBySize(elementSize, [&](auto tag) {
        scatter<ScatterReduction::kNONE, Plain<decltype(tag)>>(a, s.mode, s.axis, s.indexType, step);
      });
    });
  }
  if (s.type == DataType::kBOOL) spec.unsupported(std::string("scatter reductions on ") + dataTypeName(s.type));
  return makeKernel(spec, [step, s](const KernelArgs& a) {
    dispatchElement(s.type, [&](auto tag) {
      using N = decltype(tag);
      switch (s.reduction) {
        case ScatterReduction::kADD: return scatter<ScatterReduction::kADD, N>(a, s.mode, s.axis, s.indexType, step);
        case ScatterReduction::kMUL: return scatter<ScatterReduction::kMUL, N>(a, s.mode, s.axis, s.indexType, step);
        case ScatterReduction::kMAX: return scatter<ScatterReduction::kMAX, N>(a, s.mode, s.axis, s.indexType, step);
        case ScatterReduction::kMIN: return scatter<ScatterReduction::kMIN, N>(a, s.mode, s.axis, s.indexType, step);
        case ScatterReduction::kNONE: break;
      }
    });
  });
}

// ---- Cumulative sum -----------------------------------------------------------------------------------------------

// One thread per line along the axis adds in the CPU's order, rounding to the element type at every step (as numpy's
// cumsum in that type). The axis is the attribute, or the one value of input 1 (device memory, read here so that no
// host synchronization is needed); an axis outside [-rank, rank - 1] zeroes the output: the GPU cannot report it.
struct CumulativeShape {
  int32_t rank = 0;
  int64_t dims[Dims::MAX_DIMS] = {};
  int64_t axisAttr = 0;
  const void* axisTensor = nullptr;  // overrides axisAttr
  DataType axisType = DataType::kINT64;
  bool exclusive = false, reverse = false;
};

template <typename N>
__global__ void cumulativeSumKernel(const typename N::Storage* in, typename N::Storage* out, int64_t total,
                                    CumulativeShape c) {
  using C = typename N::Compute;
  int64_t axis = c.axisTensor ? loadInteger(c.axisTensor, c.axisType, 0) : c.axisAttr;
  bool valid = axis >= -c.rank && axis < c.rank;
  if (axis < 0) axis += c.rank;
  int64_t n = valid ? c.dims[axis] : 1, inner = 1;
  for (int32_t d = c.rank - 1; valid && d > axis; --d) inner *= c.dims[d];
  int64_t step = c.reverse ? -inner : inner;
  KILN_GRID_LOOP(e, total) {
    if (!valid) {
      out[e] = N::store(C(0));
      continue;
    }
    if (e >= total / n) continue;  // one line each
    int64_t first = (e / inner) * n * inner + e % inner + (c.reverse ? (n - 1) * inner : 0);
    C sum = C(0);
    for (int64_t s = 0, i = first; s < n; ++s, i += step) {
      C v = N::load(in[i]);
      if (c.exclusive) {
        out[i] = N::store(sum);
        sum = N::load(N::store(backend::wrappingAdd(sum, v)));
      } else {
        sum = s == 0 ? v : N::load(N::store(backend::wrappingAdd(sum, v)));
        out[i] = N::store(sum);
      }
    }
  }
}

std::unique_ptr<Kernel> makeCumulative(const KernelSpec& spec) {
  const auto& attrs = spec.step.attrs;
  DataType type = spec.inputType(0);
  if (type == DataType::kBOOL) spec.unsupported(std::string("cumulative sums of ") + dataTypeName(type));
  if (spec.hasInput(1) && spec.inputType(1) != DataType::kINT32 && spec.inputType(1) != DataType::kINT64)
    spec.unsupported(std::string("the axis tensor must be int32 or int64, not ") + dataTypeName(spec.inputType(1)));
  CumulativeShape base;
  base.axisAttr = attrs.getInt("axis");
  base.exclusive = attrs.getInt("exclusive") != 0;
  base.reverse = attrs.getInt("reverse") != 0;
  return makeKernel(spec, [type, base, step = spec.step.name](const KernelArgs& a) {
    int64_t total = a.out(0).volume();
    if (total == 0) return;
    CumulativeShape c = base;
    c.rank = a.out(0).shape.nbDims;
    for (int32_t d = 0; d < c.rank; ++d) c.dims[d] = a.out(0).shape.d[d];
    if (a.hasInput(1)) {
      c.axisTensor = a.in(1).data;
      c.axisType = a.in(1).type;
    }
    dispatchElement(type, [&](auto tag) {
      using N = decltype(tag);
      using S = typename N::Storage;
      cumulativeSumKernel<N><<<blocksFor(total), kThreads, 0, streamOf(a)>>>(static_cast<const S*>(a.in(0).data),
                                                                             static_cast<S*>(a.out(0).data), total, c);
    });
    checkLaunch(step);
  });
}

}  // namespace

void registerGenerationKernels(KernelTable& table) {
  table.add(LayerType::kSELECT, makeSelect);
  table.add(LayerType::kFILL, makeFill);
  table.add(LayerType::kSCATTER, makeScatter);
  table.add(LayerType::kCUMULATIVE, makeCumulative);
}

}  // namespace kiln::cuda
