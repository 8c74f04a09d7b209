// CUDA kernels: reduce (sum, product, max, min, mean over an axes mask), softmax / log-softmax over an axis (scaled
// and masked when fused) and top-k. Reduce and top-k take one thread per output element or line; softmax over the
// innermost axis takes a warp per row (a block per long row), over other axes a thread per line.
#include <algorithm>
#include <bit>
#include <limits>
#include <string>

#include "backends/cuda/device_tensor.cuh"
#include "backends/cuda/row_reduction.cuh"
#include "backends/cuda/vector_access.cuh"
#include "ops/fused_prologue.h"

namespace kiln::cuda {

namespace {

// ---- Reduce -------------------------------------------------------------------------------------------------------

// fp32/fp16/bf16 accumulate in fp32, fp64 in fp64, integers in int64 (an int32 sum wraps as the CPU's does).
template <typename N>
using Accumulator = std::conditional_t<kFloating<N>, typename N::Compute, int64_t>;

// The identity of the operation, in the element type's range (an empty max of int32 is INT32_MIN).
template <typename N>
__device__ Accumulator<N> reduceInit(ReduceOperation op) {
  using A = Accumulator<N>;
  using L = std::numeric_limits<typename N::Compute>;
  if (op == ReduceOperation::kPROD) return A(1);
  if constexpr (kFloating<N>) {
    if (op == ReduceOperation::kMAX) return A(-INFINITY);
    if (op == ReduceOperation::kMIN) return A(INFINITY);
  } else {
    if (op == ReduceOperation::kMAX) return A(L::lowest());
    if (op == ReduceOperation::kMIN) return A(L::max());
  }
  return A(0);
}

template <typename A>
__device__ A reduceStep(ReduceOperation op, A acc, A v) {
  bool nan = false;
  if constexpr (std::is_floating_point_v<A>) nan = isnan(v);  // max and min propagate NaN
  switch (op) {
    case ReduceOperation::kPROD: return acc * v;
    case ReduceOperation::kMAX: return v > acc || nan ? v : acc;
    case ReduceOperation::kMIN: return v < acc || nan ? v : acc;
    default: return acc + v;
  }
}

template <typename N>
__global__ void reduceKernel(ReduceOperation op, const typename N::Storage* in, typename N::Storage* out,
                             int64_t outputs, StridedWalk kept, StridedWalk reduced, int64_t count) {
  using A = Accumulator<N>;
  KILN_GRID_LOOP(o, outputs) {
    int64_t base = kept.offset(o);
    A acc = reduceInit<N>(op);
    for (int64_t r = 0; r < count; ++r)
      acc = reduceStep<A>(op, acc, static_cast<A>(N::load(in[base + reduced.offset(r)])));
    if (op == ReduceOperation::kAVG) acc = count ? acc / static_cast<A>(count) : A(0);
    out[o] = N::store(static_cast<typename N::Compute>(acc));
  }
}

std::unique_ptr<Kernel> makeReduce(const KernelSpec& spec) {
  auto op = static_cast<ReduceOperation>(spec.step.attrs.getInt("op"));
  auto mask = static_cast<uint32_t>(spec.step.attrs.getInt("axes"));
  DataType type = spec.inputType(0);
  if (op < ReduceOperation::kSUM || op > ReduceOperation::kAVG) spec.unsupported("unknown reduce operation");
  if (type != DataType::kFLOAT && type != DataType::kHALF && type != DataType::kBF16 && type != DataType::kDOUBLE &&
      type != DataType::kINT32 && type != DataType::kINT64)
    spec.unsupported(std::string("the CUDA reduce supports fp32, fp16, bf16, fp64, int32 and int64, not ") +
                     dataTypeName(type));
  return makeKernel(spec, [op, mask, type, step = spec.step.name](const KernelArgs& a) {
    const Dims& shape = a.in(0).shape;
    int64_t outputs = a.out(0).volume();
    if (outputs == 0) return;
    // Kept axes select an output element; the reduced axes are walked for each.
    StridedWalk kept, reduced;
    int64_t stride = 1, count = 1;
    int64_t strides[Dims::MAX_DIMS];
    for (int32_t i = shape.nbDims - 1; i >= 0; --i) {
      strides[i] = stride;
      stride *= shape.d[i];
    }
    for (int32_t i = 0; i < shape.nbDims; ++i) {
      StridedWalk& w = ((mask >> i) & 1) ? reduced : kept;
      w.dims[w.rank] = shape.d[i];
      w.strides[w.rank++] = strides[i];
      if ((mask >> i) & 1) count *= shape.d[i];
    }
    dispatchElement(type, [&](auto tag) {
      using N = decltype(tag);
      if constexpr (!std::is_same_v<N, Bool>)
        reduceKernel<N><<<blocksFor(outputs), kThreads, 0, streamOf(a)>>>(
            op, static_cast<const typename N::Storage*>(a.in(0).data), static_cast<typename N::Storage*>(a.out(0).data),
            outputs, kept, reduced, count);
    });
    checkLaunch(step);
  });
}

// ---- SoftMax ------------------------------------------------------------------------------------------------------

// Over an axis with inner elements after it: one thread per line. Subtracts the line's maximum before exponentiating,
// so large inputs do not overflow; sums in fp32 (fp64 for fp64).
template <typename N>
__global__ void softMaxKernel(const typename N::Storage* in, typename N::Storage* out, int64_t lines, int64_t n,
                              int64_t inner, bool log) {
  using T = typename N::Compute;
  KILN_GRID_LOOP(line, lines) {
    int64_t o = line / inner, i = line % inner;
    const auto* x = in + o * n * inner + i;
    auto* y = out + o * n * inner + i;
    T max = -INFINITY;
    for (int64_t j = 0; j < n; ++j) max = fmax(max, N::load(x[j * inner]));
    T sum = 0;
    for (int64_t j = 0; j < n; ++j) sum += exp(N::load(x[j * inner]) - max);
    T shift = max + ::log(sum), scale = T(1) / sum;
    for (int64_t j = 0; j < n; ++j) {
      T v = N::load(x[j * inner]);
      y[j * inner] = N::store(log ? v - shift : exp(v - max) * scale);
    }
  }
}

// The same walk over fewer axes, so that each row's offset takes fewer divisions: axes of one element dropped, and an
// axis merged into the one before it where the offsets run on across both (the outer stride is the inner stride times
// the inner size; two broadcast axes, both stride 0, always do). Attention's [batch, heads, queries] rows of a
// [batch, 1, 1, keys] mask become [batch, heads * queries]: one division per row.
StridedWalk mergedAxes(const StridedWalk& walk) {
  StridedWalk merged;
  for (int32_t k = 0; k < walk.rank; ++k) {
    if (walk.dims[k] == 1) continue;
    int32_t last = merged.rank - 1;
    if (last >= 0 && merged.strides[last] == walk.strides[k] * walk.dims[k]) {
      merged.dims[last] *= walk.dims[k];
      merged.strides[last] = walk.strides[k];
    } else {
      merged.dims[merged.rank] = walk.dims[k];
      merged.strides[merged.rank++] = walk.strides[k];
    }
  }
  return merged;
}

// An operand of a softmax over the innermost axis broadcast (by strides) to the output's rows: element j of row r is
// data[rows.offset(r) + j * last].
template <typename S>
struct RowOperand {
  const S* data = nullptr;
  StridedWalk rows;  // the output's leading axes
  int64_t last = 0;  // the stride along the softmax axis
};

// The rows as a fused step (plan/fused_prologue.h) sees them: x * preScale + mask, both broadcast to the output.
// Unfused, preScale is 1 (exact) and there is no mask.
template <typename N>
struct ScoreRows {
  using S = typename N::Storage;
  using T = typename N::Compute;
  struct Base {
    int64_t x = 0, mask = 0;
  };
  int64_t n = 0;  // row length
  T preScale = 1;
  RowOperand<S> x, mask;  // mask.data == nullptr: no mask

  __device__ Base base(int64_t row) const { return {x.rows.offset(row), mask.data ? mask.rows.offset(row) : 0}; }
  __device__ T at(const Base& b, int64_t j) const {
    T v = N::load(x.data[b.x + j * x.last]) * preScale;
    return mask.data ? v + N::load(mask.data[b.mask + j * mask.last]) : v;
  }
};

// One warp per row of n <= kPerLane * 32 elements, held in registers: lane l holds elements l, l + 32, ... so loads
// and stores are coalesced; the maximum and the sum go across the warp by shuffles.
template <typename N, int kPerLane>
__global__ void softMaxWarpKernel(ScoreRows<N> rows, typename N::Storage* out, int64_t count, bool logSoftMax) {
  using T = typename N::Compute;
  int lane = static_cast<int>(threadIdx.x) % kWarp;
  auto n = static_cast<int32_t>(rows.n);
  for (int64_t row = warpIndex(); row < count; row += warpCount()) {  // the same rows for every lane of a warp
    auto base = rows.base(row);
    T v[kPerLane];
    T max = -INFINITY;
#pragma unroll
    for (int k = 0; k < kPerLane; ++k) {
      int j = lane + k * kWarp;
      v[k] = j < n ? rows.at(base, j) : T(-INFINITY);
      max = fmax(max, v[k]);
    }
    max = warpMax(max);
    T sum = 0;
#pragma unroll
    for (int k = 0; k < kPerLane; ++k)
      if (lane + k * kWarp < n) {
        v[k] -= max;
        sum += exp(v[k]);
      }
    sum = warpSum(sum);
    T logSum = ::log(sum), scale = T(1) / sum;
    auto* y = out + row * rows.n;
#pragma unroll
    for (int k = 0; k < kPerLane; ++k) {
      int j = lane + k * kWarp;
      if (j < n) y[j] = N::store(logSoftMax ? v[k] - logSum : exp(v[k]) * scale);
    }
  }
}

// Rows contiguous in the scores and the output, n a multiple of the V-element 16-byte vector, both addresses aligned:
// a group of kLanes lanes (a power of two up to a warp, so short rows do not leave lanes idle) per row, lane l of the
// group holding the vectors l, l + kLanes, ... (kChunks at most), every load of the row issued before the reductions.
// The mask row is read by vectors when `maskVectors` (its last stride 1, address and row strides aligned), else one
// element at a time (a mask broadcast along the row reads one value).
template <typename N, int kLanes, int kChunks>
__global__ void softMaxVectorKernel(ScoreRows<N> rows, typename N::Storage* out, int64_t count, bool logSoftMax,
                                    bool maskVectors) {
  using S = typename N::Storage;
  using T = typename N::Compute;
  constexpr int V = kVectorWidth<S>;
  constexpr int kRowsPerWarp = kWarp / kLanes;
  int lane = static_cast<int>(threadIdx.x) % kWarp;
  int group = lane / kLanes, sub = lane % kLanes;
  auto chunks = static_cast<int32_t>(rows.n / V);
  // Every lane of a warp runs the same iterations (the shuffles need them all); a group past the last row computes
  // on nothing and stores nothing.
  for (int64_t first = warpIndex() * kRowsPerWarp; first < count; first += warpCount() * kRowsPerWarp) {
    int64_t row = first + group;
    bool valid = row < count;
    const S* x = rows.x.data + row * rows.n;
    const S* mask = rows.mask.data ? rows.mask.data + (valid ? rows.mask.rows.offset(row) : 0) : nullptr;
    Packed<S, V> xs[kChunks], ms[kChunks];
#pragma unroll
    for (int k = 0; k < kChunks; ++k) {
      int c = sub + k * kLanes;
      if (!valid || c >= chunks) continue;
      xs[k] = loadPacked<V>(x + c * V);
      if (maskVectors) {
        ms[k] = loadPacked<V>(mask + c * V);
      } else if (mask) {
#pragma unroll
        for (int i = 0; i < V; ++i) ms[k].e[i] = mask[(int64_t{c} * V + i) * rows.mask.last];
      }
    }
    T v[kChunks * V];
    T max = -INFINITY;
#pragma unroll
    for (int k = 0; k < kChunks; ++k) {
      bool held = valid && sub + k * kLanes < chunks;
#pragma unroll
      for (int i = 0; i < V; ++i) {
        T t = -INFINITY;
        if (held) {
          t = N::load(xs[k].e[i]) * rows.preScale;
          if (mask) t += N::load(ms[k].e[i]);
        }
        v[k * V + i] = t;
        max = fmax(max, t);
      }
    }
    max = laneGroupMax<kLanes>(max);
    T sum = 0;
#pragma unroll
    for (int k = 0; k < kChunks; ++k) {
      if (!valid || sub + k * kLanes >= chunks) continue;
#pragma unroll
      for (int i = 0; i < V; ++i) {
        v[k * V + i] -= max;
        sum += exp(v[k * V + i]);
      }
    }
    sum = laneGroupSum<kLanes>(sum);
    T logSum = ::log(sum), scale = T(1) / sum;
    S* y = out + row * rows.n;
#pragma unroll
    for (int k = 0; k < kChunks; ++k) {
      int c = sub + k * kLanes;
      if (!valid || c >= chunks) continue;
      Packed<S, V> r;
#pragma unroll
      for (int i = 0; i < V; ++i) r.e[i] = N::store(logSoftMax ? v[k * V + i] - logSum : exp(v[k * V + i]) * scale);
      storePacked<V>(y + c * V, r);
    }
  }
}

// One block per row of any length: three passes over the row (maximum, sum, output), reduced across the block.
template <typename N>
__global__ void softMaxBlockKernel(ScoreRows<N> rows, typename N::Storage* out, int64_t count, bool logSoftMax) {
  using T = typename N::Compute;
  __shared__ T shared[kWarp];
  for (int64_t row = blockIdx.x; row < count; row += gridDim.x) {
    auto base = rows.base(row);
    T max = -INFINITY;
    for (int64_t j = threadIdx.x; j < rows.n; j += blockDim.x) max = fmax(max, rows.at(base, j));
    max = blockMax(max, shared);
    T sum = 0;
    for (int64_t j = threadIdx.x; j < rows.n; j += blockDim.x) sum += exp(rows.at(base, j) - max);
    sum = blockSum(sum, shared);
    T logSum = ::log(sum), scale = T(1) / sum;
    auto* y = out + row * rows.n;
    for (int64_t j = threadIdx.x; j < rows.n; j += blockDim.x) {
      T v = rows.at(base, j) - max;
      y[j] = N::store(logSoftMax ? v - logSum : exp(v) * scale);
    }
  }
}

// The softmax of a step, with its fused prologue when it has one.
struct SoftMax {
  DataType type;
  int32_t axis;
  bool log;
  double preScale;
  bool masked;
  std::string step;

  void operator()(const KernelArgs& a) const {
    const Dims& shape = a.out(0).shape;  // a fused step's scores and mask broadcast to it
    int64_t outer = 1, n = shape.nbDims ? shape.d[axis] : 1, inner = 1;
    for (int32_t i = 0; i < shape.nbDims; ++i) {
      if (i < axis) outer *= shape.d[i];
      if (i > axis) inner *= shape.d[i];
    }
    if (outer * inner == 0 || n == 0) return;
    dispatchElement(type, [&](auto tag) {
      using N = decltype(tag);
      if constexpr (kFloating<N>) {
        using S = typename N::Storage;
        auto* y = static_cast<S*>(a.out(0).data);
        if (inner != 1) {
          softMaxKernel<N><<<blocksFor(outer * inner), kThreads, 0, streamOf(a)>>>(static_cast<const S*>(a.in(0).data),
                                                                                   y, outer * inner, n, inner, log);
          return;
        }
        ScoreRows<N> rows;
        rows.n = n;
        rows.preScale = static_cast<typename N::Compute>(preScale);
        rows.x = rowOperand<S>(a, 0);
        if (masked) rows.mask = rowOperand<S>(a, ops::kSoftMaxMaskInput);
        if (runVectorRows<N>(a, rows, y, outer)) return;
        if (n <= kMaxWarpRow) {
          withElementsPerLane(n, [&](auto perLane) {
            softMaxWarpKernel<N, decltype(perLane)::value>
                <<<warpBlocksFor(outer), kThreads, 0, streamOf(a)>>>(rows, y, outer, log);
          });
        } else {
          softMaxBlockKernel<N><<<rowBlocksFor(outer), kThreads, 0, streamOf(a)>>>(rows, y, outer, log);
        }
      }
    });
    checkLaunch(step);
  }

  // The vector kernel, when the rows allow it (softMaxVectorKernel); false when they do not. fp64 keeps the element
  // kernels.
  template <typename N>
  bool runVectorRows(const KernelArgs& a, const ScoreRows<N>& rows, typename N::Storage* y, int64_t count) const {
    using S = typename N::Storage;
    if constexpr (sizeof(S) > 4) {
      return false;
    } else {
      constexpr int64_t V = kVectorWidth<S>;
      if (rows.n > kMaxWarpRow || rows.n % V != 0 || a.in(0).volume() != a.out(0).volume() ||
          !alignedTo(rows.x.data, kVectorBytes) || !alignedTo(y, kVectorBytes))
        return false;
      const RowOperand<S>& mask = rows.mask;
      bool maskVectors = mask.data && mask.last == 1 && alignedTo(mask.data, kVectorBytes);
      for (int32_t k = 0; k < mask.rows.rank; ++k) maskVectors = maskVectors && mask.rows.strides[k] % V == 0;
      auto launch = [&](auto lanes, auto perLane) {
        constexpr int kLanes = decltype(lanes)::value;
        int64_t warps = (count + kWarp / kLanes - 1) / (kWarp / kLanes);
        softMaxVectorKernel<N, kLanes, decltype(perLane)::value>
            <<<warpBlocksFor(warps), kThreads, 0, streamOf(a)>>>(rows, y, count, log, maskVectors);
      };
      // The fewest lanes that hold a row in one vector each; rows of more than 32 vectors take a warp.
      using One = std::integral_constant<int, 1>;
      using Warp = std::integral_constant<int, kWarp>;
      int64_t chunks = rows.n / V;
      constexpr int kMostPerLane = static_cast<int>(kMaxWarpRow / V / kWarp);  // 4 for fp16 and bf16, 8 for fp32
      if (chunks <= 4)
        launch(std::integral_constant<int, 4>{}, One{});
      else if (chunks <= 8)
        launch(std::integral_constant<int, 8>{}, One{});
      else if (chunks <= 16)
        launch(std::integral_constant<int, 16>{}, One{});
      else if (chunks <= kWarp)
        launch(Warp{}, One{});
      else if (chunks <= 2 * kWarp)
        launch(Warp{}, std::integral_constant<int, 2>{});
      else if (chunks <= 4 * kWarp || kMostPerLane == 4)
        launch(Warp{}, std::integral_constant<int, 4>{});
      else
        launch(Warp{}, std::integral_constant<int, kMostPerLane>{});
      return true;
    }
  }

  // Input `i` broadcast to the output's rows.
  template <typename S>
  RowOperand<S> rowOperand(const KernelArgs& a, int32_t i) const {
    const Dims& in = a.in(i).shape;
    const Dims& out = a.out(0).shape;
    if (!backend::broadcastsTo(in, out))
      throw Error(ErrorCode::kRUNTIME,
                  std::string(i == 0 ? "the softmax scores " : "the softmax mask ") + toString(in) +
                      " do not broadcast to " + toString(out),
                  step);
    int64_t strides[Dims::MAX_DIMS];
    backend::broadcastStrides(in, out, strides);
    RowOperand<S> operand;
    operand.data = static_cast<const S*>(a.in(i).data);
    operand.rows.rank = std::max(out.nbDims - 1, 0);
    for (int32_t k = 0; k + 1 < out.nbDims; ++k) {
      operand.rows.dims[k] = out.d[k];
      operand.rows.strides[k] = strides[k];
    }
    operand.rows = mergedAxes(operand.rows);
    operand.last = out.nbDims ? strides[out.nbDims - 1] : 0;
    return operand;
  }
};

std::unique_ptr<Kernel> makeSoftMax(const KernelSpec& spec) {
  DataType type = spec.inputType(0);
  if (!isFloatingPoint(type)) spec.unsupported(std::string("softmax on ") + dataTypeName(type));
  auto rank = static_cast<int64_t>(spec.outputRank(0));  // a fused step's inputs broadcast to its output
  int64_t axis = spec.step.attrs.getInt("axis", -1);
  if (axis < -rank || axis >= rank) spec.unsupported("softmax axis " + std::to_string(axis) + " is out of range");
  auto normalized = static_cast<int32_t>(axis < 0 ? axis + rank : axis);
  bool masked = spec.hasInput(ops::kSoftMaxMaskInput);
  if ((masked || spec.step.attrs.has(ops::kPreScale)) && normalized != rank - 1)
    spec.unsupported("a scaled or masked softmax must run over the last axis");
  if (static_cast<int64_t>(spec.inputRank(0)) > rank ||
      (masked && (spec.inputType(ops::kSoftMaxMaskInput) != type ||
                  static_cast<int64_t>(spec.inputRank(ops::kSoftMaxMaskInput)) > rank)))
    spec.unsupported("the softmax scores and mask must have one type and at most the output's rank");
  return makeKernel(spec, SoftMax{type, normalized, spec.step.attrs.getInt("log") != 0,
                                  ops::softMaxPreScale(spec.step.attrs), masked, spec.step.name});
}

// ---- TopK ---------------------------------------------------------------------------------------------------------

// The CPU kernel's order: NaN ranks above every number, equal values keep index order. `before(x, y)` is a strict
// total order on (value, index), so the j-th output is the first element that comes after the (j-1)-th: one thread
// per line, k passes over it, no scratch memory.
template <typename N, bool Largest>
__global__ void topKKernel(const typename N::Storage* in, typename N::Storage* values, int32_t* indices, int64_t lines,
                           int64_t n, int64_t inner, int64_t k) {
  using T = typename N::Compute;
  auto above = [](T x, T y) {
    if constexpr (kFloating<N>)
      return x > y || (isnan(x) && !isnan(y));
    else
      return x > y;
  };
  auto before = [&](T vx, int64_t x, T vy, int64_t y) {
    bool xAbove = Largest ? above(vx, vy) : above(vy, vx);
    bool yAbove = Largest ? above(vy, vx) : above(vx, vy);
    return xAbove || (!yAbove && x < y);
  };
  KILN_GRID_LOOP(line, lines) {
    int64_t o = line / inner, i = line % inner;
    const auto* x = in + o * n * inner + i;
    int64_t outBase = o * k * inner + i;
    int64_t previous = -1;
    T previousValue{};
    for (int64_t j = 0; j < k; ++j) {
      int64_t best = -1;
      T bestValue{};
      for (int64_t m = 0; m < n; ++m) {
        T v = N::load(x[m * inner]);
        if (previous >= 0 && !before(previousValue, previous, v, m)) continue;  // already taken
        if (best < 0 || before(v, m, bestValue, best)) {
          best = m;
          bestValue = v;
        }
      }
      values[outBase + j * inner] = x[best * inner];
      indices[outBase + j * inner] = static_cast<int32_t>(best);
      previous = best;
      previousValue = bestValue;
    }
  }
}

std::unique_ptr<Kernel> makeTopK(const KernelSpec& spec) {
  auto op = static_cast<TopKOperation>(spec.step.attrs.getInt("op"));
  auto mask = static_cast<uint32_t>(spec.step.attrs.getInt("axes"));
  if (mask == 0) spec.unsupported("the top-k axes mask is empty");
  DataType type = spec.inputType(0);
  if (type == DataType::kBOOL) spec.unsupported("top-k on bool");
  auto axis = static_cast<int32_t>(std::countr_zero(mask));
  bool largest = op != TopKOperation::kMIN;
  return makeKernel(spec, [type, axis, largest, step = spec.step.name](const KernelArgs& a) {
    const Dims& shape = a.in(0).shape;
    int64_t outer = 1, n = shape.d[axis], inner = 1, k = a.out(0).shape.d[axis];
    if (n > std::numeric_limits<int32_t>::max())
      throw Error(ErrorCode::kUNSUPPORTED, "the top-k axis is too long for int32 indices", step);
    for (int32_t i = 0; i < shape.nbDims; ++i) {
      if (i < axis) outer *= shape.d[i];
      if (i > axis) inner *= shape.d[i];
    }
    int64_t lines = outer * inner;
    if (lines == 0 || k == 0) return;
    dispatchElement(type, [&](auto tag) {
      using N = decltype(tag);
      using S = typename N::Storage;
      auto* in = static_cast<const S*>(a.in(0).data);
      auto* values = static_cast<S*>(a.out(0).data);
      auto* indices = static_cast<int32_t*>(a.out(1).data);
      if (largest)
        topKKernel<N, true><<<blocksFor(lines), kThreads, 0, streamOf(a)>>>(in, values, indices, lines, n, inner, k);
      else
        topKKernel<N, false><<<blocksFor(lines), kThreads, 0, streamOf(a)>>>(in, values, indices, lines, n, inner, k);
    });
    checkLaunch(step);
  });
}

}  // namespace

void registerReductionKernels(KernelTable& table) {
  table.add(LayerType::kREDUCE, makeReduce);
  table.add(LayerType::kSOFTMAX, makeSoftMax);
  table.add(LayerType::kTOPK, makeTopK);
}

}  // namespace kiln::cuda
