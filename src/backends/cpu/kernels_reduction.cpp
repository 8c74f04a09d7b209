// CPU kernels: reduce and top-k (fp32, fp64, int32, int64) and softmax (fp32, fp64), scaled and masked when fused.
#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>
#include <type_traits>

#include "backends/common/strided_iteration.h"
#include "backends/cpu/cpu_kernel.h"
#include "ops/fused_prologue.h"

namespace kiln::cpu {

using backend::broadcastsTo;
using backend::forEachBroadcastRunN;
using backend::forEachOffset;

namespace {

// Size of the axes before `axis`, of `axis`, and after it.
struct AxisSplit {
  int64_t outer = 1, n = 1, inner = 1;
  AxisSplit(const Dims& shape, int32_t axis) {
    for (int32_t i = 0; i < shape.nbDims; ++i) (i < axis ? outer : i == axis ? n : inner) *= shape.d[i];
  }
};

// ---- Reduce -----------------------------------------------------------------------------------------------------

// Sums and products accumulate in double / int64; max and min propagate NaN.
template <typename T>
using Accumulator = std::conditional_t<std::is_floating_point_v<T>, double, int64_t>;

template <typename A>
bool isNan(A v) {
  if constexpr (std::is_floating_point_v<A>)
    return std::isnan(v);
  else
    return false;
}

// The identity of the operation, in T's range (an empty max of int32 is INT32_MIN).
template <ReduceOperation Op, typename T>
Accumulator<T> reduceInit() {
  using L = std::numeric_limits<T>;
  if constexpr (Op == ReduceOperation::kPROD)
    return 1;
  else if constexpr (Op == ReduceOperation::kMAX)
    return L::has_infinity ? -L::infinity() : L::lowest();
  else if constexpr (Op == ReduceOperation::kMIN)
    return L::has_infinity ? L::infinity() : L::max();
  else
    return 0;
}

template <ReduceOperation Op, typename A>
A reduceStep(A acc, A v) {
  if constexpr (Op == ReduceOperation::kPROD)
    return acc * v;
  else if constexpr (Op == ReduceOperation::kMAX)
    return v > acc || isNan(v) ? v : acc;
  else if constexpr (Op == ReduceOperation::kMIN)
    return v < acc || isNan(v) ? v : acc;
  else
    return acc + v;
}

// Results narrow from the accumulator to T; an int32 sum wraps as int32 arithmetic would.
template <ReduceOperation Op, typename T>
void reduceTyped(const KernelArgs& a, uint32_t mask) {
  using A = Accumulator<T>;
  const TensorArg& in = a.in(0);
  int32_t rank = in.shape.nbDims;
  int64_t strides[Dims::MAX_DIMS];
  contiguousStrides(in.shape, strides);
  // Kept axes select an output element; reduced axes are walked for each, the innermost one as a plain loop.
  int64_t keptDims[Dims::MAX_DIMS], keptStrides[Dims::MAX_DIMS], redDims[Dims::MAX_DIMS], redStrides[Dims::MAX_DIMS];
  int32_t nbKept = 0, nbRed = 0;
  int64_t count = 1;
  for (int32_t i = 0; i < rank; ++i) {
    bool reduced = (mask >> i) & 1;
    (reduced ? redDims[nbRed] : keptDims[nbKept]) = in.shape.d[i];
    (reduced ? redStrides[nbRed++] : keptStrides[nbKept++]) = strides[i];
    if (reduced) count *= in.shape.d[i];
  }
  int64_t rowLength = 1, rowStride = 0;
  if (nbRed > 0) {
    --nbRed;
    rowLength = redDims[nbRed];
    rowStride = redStrides[nbRed];
  }
  const T* src = static_cast<const T*>(in.data);
  T* dst = static_cast<T*>(a.out(0).data);
  forEachOffset(nbKept, keptDims, keptStrides, [&](int64_t base) {
    A acc = reduceInit<Op, T>();
    forEachOffset(nbRed, redDims, redStrides, [&](int64_t offset) {
      const T* row = src + base + offset;
      for (int64_t j = 0; j < rowLength; ++j) acc = reduceStep<Op, A>(acc, static_cast<A>(row[j * rowStride]));
    });
    if constexpr (Op == ReduceOperation::kAVG) {
      if constexpr (std::is_floating_point_v<A>)
        acc /= static_cast<A>(count);
      else
        acc = count ? acc / count : 0;
    }
    *dst++ = static_cast<T>(acc);
  });
}

using ReduceFn = void (*)(const KernelArgs&, uint32_t);

template <typename T>
ReduceFn reduceFor(ReduceOperation op, const KernelSpec& spec) {
  switch (op) {
    case ReduceOperation::kSUM: return reduceTyped<ReduceOperation::kSUM, T>;
    case ReduceOperation::kPROD: return reduceTyped<ReduceOperation::kPROD, T>;
    case ReduceOperation::kMAX: return reduceTyped<ReduceOperation::kMAX, T>;
    case ReduceOperation::kMIN: return reduceTyped<ReduceOperation::kMIN, T>;
    case ReduceOperation::kAVG: return reduceTyped<ReduceOperation::kAVG, T>;
  }
  spec.unsupported("unknown reduce operation");
}

// Calls f(T{}) for the element types the CPU reductions support (fp32, fp64, int32, int64) and returns its result.
template <typename F>
auto dispatchNumeric(const KernelSpec& spec, DataType type, F&& f) {
  switch (type) {
    case DataType::kFLOAT: return f(float{});
    case DataType::kDOUBLE: return f(double{});
    case DataType::kINT32: return f(int32_t{});
    case DataType::kINT64: return f(int64_t{});
    default: spec.unsupported(std::string("the CPU backend does not support ") + dataTypeName(type) + " here");
  }
}

std::unique_ptr<Kernel> makeReduce(const KernelSpec& spec) {
  auto op = static_cast<ReduceOperation>(spec.step.attrs.getInt("op"));
  auto mask = static_cast<uint32_t>(spec.step.attrs.getInt("axes"));
  ReduceFn fn = dispatchNumeric(spec, spec.inputType(0), [&](auto tag) { return reduceFor<decltype(tag)>(op, spec); });
  return makeKernel(spec, [fn, mask](const KernelArgs& a) { fn(a, mask); });
}

// ---- TopK -------------------------------------------------------------------------------------------------------

// The order top-k sorts by: NaN ranks above every number (as in PyTorch), equal values keep index order (ONNX).
template <typename T>
bool ranksAbove(T x, T y) {
  if constexpr (std::is_floating_point_v<T>)
    return x > y || (std::isnan(x) && !std::isnan(y));
  else
    return x > y;
}

template <TopKOperation Op, typename T>
void topKTyped(const KernelArgs& a, int32_t axis, int32_t* order) {
  const TensorArg& in = a.in(0);
  AxisSplit s(in.shape, axis);
  int64_t k = a.out(0).shape.d[axis];
  const T* src = static_cast<const T*>(in.data);
  T* values = static_cast<T*>(a.out(0).data);
  auto* indices = static_cast<int32_t*>(a.out(1).data);
  auto above = [](T x, T y) { return Op == TopKOperation::kMAX ? ranksAbove(x, y) : ranksAbove(y, x); };
  for (int64_t o = 0; o < s.outer; ++o) {
    for (int64_t i = 0; i < s.inner; ++i) {
      const T* line = src + o * s.n * s.inner + i;
      auto before = [&](int32_t x, int32_t y) {
        T vx = line[x * s.inner], vy = line[y * s.inner];
        return above(vx, vy) || (!above(vy, vx) && x < y);
      };
      std::iota(order, order + s.n, 0);
      std::partial_sort(order, order + k, order + s.n, before);
      int64_t outBase = o * k * s.inner + i;
      for (int64_t j = 0; j < k; ++j) {
        values[outBase + j * s.inner] = line[order[j] * s.inner];
        indices[outBase + j * s.inner] = order[j];
      }
    }
  }
}

using TopKFn = void (*)(const KernelArgs&, int32_t, int32_t*);

// Needs scratch for one line's index order: the step's workspace.
class TopKKernel : public Kernel {
 public:
  TopKKernel(std::string step, TopKFn fn, int32_t axis) : step_(std::move(step)), fn_(fn), axis_(axis) {}
  size_t workspaceSize(const KernelArgs& a) const override { return scratchBytes(a); }
  Status run(const KernelArgs& a) const override {
    size_t bytes = scratchBytes(a);
    if (a.workspaceSize < bytes || (bytes && !a.workspace))
      return Error(ErrorCode::kRUNTIME, "top-k needs " + std::to_string(bytes) + " bytes of workspace", step_);
    if (a.in(0).shape.d[axis_] > std::numeric_limits<int32_t>::max())
      return Error(ErrorCode::kUNSUPPORTED, "the top-k axis is too long for int32 indices", step_);
    fn_(a, axis_, static_cast<int32_t*>(a.workspace));
    return Status::ok();
  }

 private:
  size_t scratchBytes(const KernelArgs& a) const {
    return static_cast<size_t>(a.in(0).shape.d[axis_]) * sizeof(int32_t);
  }
  std::string step_;
  TopKFn fn_;
  int32_t axis_;
};

std::unique_ptr<Kernel> makeTopK(const KernelSpec& spec) {
  auto op = static_cast<TopKOperation>(spec.step.attrs.getInt("op"));
  auto mask = static_cast<uint32_t>(spec.step.attrs.getInt("axes"));
  if (mask == 0) spec.unsupported("the top-k axes mask is empty");
  TopKFn fn = dispatchNumeric(spec, spec.inputType(0), [&](auto tag) -> TopKFn {
    using T = decltype(tag);
    return op == TopKOperation::kMIN ? topKTyped<TopKOperation::kMIN, T> : topKTyped<TopKOperation::kMAX, T>;
  });
  return std::make_unique<TopKKernel>(spec.step.name, fn, std::countr_zero(mask));
}

// ---- SoftMax ----------------------------------------------------------------------------------------------------

// Subtracts the line's maximum before exponentiating, so large inputs do not overflow. Runs in place when src == dst.
template <typename T>
void softMax(const T* src, T* dst, const AxisSplit& s, bool log) {
  for (int64_t o = 0; o < s.outer; ++o) {
    for (int64_t i = 0; i < s.inner; ++i) {
      const T* x = src + o * s.n * s.inner + i;
      T* y = dst + o * s.n * s.inner + i;
      T max = -std::numeric_limits<T>::infinity();
      for (int64_t j = 0; j < s.n; ++j) max = std::max(max, x[j * s.inner]);
      double sum = 0;
      for (int64_t j = 0; j < s.n; ++j) {
        T e = std::exp(x[j * s.inner] - max);
        if (!log) y[j * s.inner] = e;
        sum += e;
      }
      if (log) {
        T shift = max + static_cast<T>(std::log(sum));
        for (int64_t j = 0; j < s.n; ++j) y[j * s.inner] = x[j * s.inner] - shift;
      } else {
        auto scale = static_cast<T>(1.0 / sum);
        for (int64_t j = 0; j < s.n; ++j) y[j * s.inner] *= scale;
      }
    }
  }
}

// The fused prologue (plan/fused_prologue.h) into the output: y = x * preScale + mask, both broadcast to y.
template <typename T>
void scaleAndMask(const KernelArgs& a, T preScale, bool masked, const std::string& step) {
  const Dims& shape = a.out(0).shape;
  for (int32_t i = 0; i < (masked ? 2 : 1); ++i)
    if (!broadcastsTo(a.in(i).shape, shape))
      failStep(step, std::string(i == 0 ? "the softmax scores " : "the softmax mask ") + toString(a.in(i).shape) +
                         " do not broadcast to " + toString(shape));
  const auto* x = static_cast<const T*>(a.in(0).data);
  auto* y = static_cast<T*>(a.out(0).data);
  if (!masked) {
    forEachBroadcastRunN<1>(shape, {a.in(0).shape}, [&](int64_t o, const auto& at, int64_t n, const auto& steps) {
      for (int64_t j = 0; j < n; ++j) y[o + j] = x[at[0] + j * steps[0]] * preScale;
    });
    return;
  }
  const auto* mask = static_cast<const T*>(a.in(ops::kSoftMaxMaskInput).data);
  forEachBroadcastRunN<2>(shape, {a.in(0).shape, a.in(ops::kSoftMaxMaskInput).shape},
                          [&](int64_t o, const auto& at, int64_t n, const auto& steps) {
                            for (int64_t j = 0; j < n; ++j)
                              y[o + j] = x[at[0] + j * steps[0]] * preScale + mask[at[1] + j * steps[1]];
                          });
}

template <typename T>
void runSoftMax(const KernelArgs& a, int32_t axis, bool log, bool fused, double preScale, bool masked,
                const std::string& step) {
  AxisSplit s(a.out(0).shape, axis);
  if (!fused) return softMax(static_cast<const T*>(a.in(0).data), static_cast<T*>(a.out(0).data), s, log);
  scaleAndMask<T>(a, static_cast<T>(preScale), masked, step);
  softMax(static_cast<const T*>(a.out(0).data), static_cast<T*>(a.out(0).data), s, log);
}

std::unique_ptr<Kernel> makeSoftMax(const KernelSpec& spec) {
  DataType type = spec.inputType(0);
  if (type != DataType::kFLOAT && type != DataType::kDOUBLE)
    spec.unsupported(std::string("the CPU softmax supports fp32 and fp64, not ") + dataTypeName(type));
  auto rank = static_cast<int64_t>(spec.outputRank(0));  // a fused step's inputs broadcast to its output
  int64_t axis = spec.step.attrs.getInt("axis", -1);
  if (axis < -rank || axis >= rank) spec.unsupported("softmax axis " + std::to_string(axis) + " is out of range");
  auto normalized = static_cast<int32_t>(axis < 0 ? axis + rank : axis);
  bool log = spec.step.attrs.getInt("log") != 0;
  bool masked = spec.hasInput(ops::kSoftMaxMaskInput);
  bool fused = masked || spec.step.attrs.has(ops::kPreScale);
  if (fused && normalized != rank - 1) spec.unsupported("a scaled or masked softmax must run over the last axis");
  if (static_cast<int64_t>(spec.inputRank(0)) > rank ||
      (masked && (spec.inputType(ops::kSoftMaxMaskInput) != type ||
                  static_cast<int64_t>(spec.inputRank(ops::kSoftMaxMaskInput)) > rank)))
    spec.unsupported("the softmax scores and mask must have one type and at most the output's rank");
  double preScale = ops::softMaxPreScale(spec.step.attrs);
  auto fn = type == DataType::kDOUBLE ? runSoftMax<double> : runSoftMax<float>;
  return makeKernel(
      spec, [=, step = spec.step.name](const KernelArgs& a) { fn(a, normalized, log, fused, preScale, masked, step); });
}

}  // namespace

void registerReductionKernels(KernelTable& table) {
  table.add(LayerType::kREDUCE, makeReduce);
  table.add(LayerType::kTOPK, makeTopK);
  table.add(LayerType::kSOFTMAX, makeSoftMax);
}

}  // namespace kiln::cpu
