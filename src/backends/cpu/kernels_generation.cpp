// CPU kernels: select, fill, scatter, cumulative sum and one-hot.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <type_traits>

#include "backends/common/scalar_math.h"
#include "backends/common/scatter_step.h"
#include "backends/common/strided_iteration.h"
#include "backends/cpu/cpu_kernel.h"
#include "core/half.h"

namespace kiln::cpu {

using backend::forEachBroadcastRunN;
using backend::forEachOffset;

namespace {

// ---- Element helpers ------------------------------------------------------------------------------------------------

using core::dispatchArithmetic;

// Float to integer truncates toward zero (as ONNX Cast); NaN becomes 0.
template <typename A, typename V>
A convert(V v) {
  if constexpr (std::is_integral_v<A> && std::is_floating_point_v<V>)
    return std::isnan(v) ? A{0} : static_cast<A>(v);
  else
    return static_cast<A>(v);
}

// Element `i` of `data` (of `type`) as A (int64_t or double).
template <typename A>
A loadAs(const void* data, DataType type, int64_t i) {
  if (type == DataType::kHALF) return convert<A>(core::halfToFloat(static_cast<const uint16_t*>(data)[i]));
  if (type == DataType::kBF16) return convert<A>(core::bf16ToFloat(static_cast<const uint16_t*>(data)[i]));
  A result{};
  dispatchArithmetic(type == DataType::kBOOL ? DataType::kUINT8 : type,
                     [&](auto tag) { result = convert<A>(static_cast<const decltype(tag)*>(data)[i]); });
  return result;
}

// Writes `v` as element 0 of `data` (of `type`).
template <typename A>
void storeAs(void* data, DataType type, A v) {
  switch (type) {
    case DataType::kHALF: *static_cast<uint16_t*>(data) = core::floatToHalf(static_cast<float>(v)); return;
    case DataType::kBF16: *static_cast<uint16_t*>(data) = core::floatToBf16(static_cast<float>(v)); return;
    case DataType::kBOOL: *static_cast<uint8_t*>(data) = v != 0; return;
    default:
      dispatchArithmetic(type, [&](auto tag) { *static_cast<decltype(tag)*>(data) = convert<decltype(tag)>(v); });
  }
}

using backend::wrappingAdd;

// Integer products wrap (as numpy does) instead of overflowing into undefined behaviour.
template <typename T>
T wrappingMultiply(T a, T b) {
  if constexpr (std::is_integral_v<T>) {
    // Unsigned types narrower than int promote to (signed) int, so multiply as uint64_t.
    return static_cast<T>(static_cast<uint64_t>(a) * static_cast<uint64_t>(b));
  } else {
    return a * b;
  }
}

template <typename T>
bool isNan(T v) {
  if constexpr (std::is_floating_point_v<T>)
    return std::isnan(v);
  else
    return false;
}

// An index value as int64 (indices are int32 or int64).
int64_t indexAt(const TensorArg& indices, int64_t i) {
  return indices.type == DataType::kINT32 ? static_cast<const int32_t*>(indices.data)[i]
                                          : static_cast<const int64_t*>(indices.data)[i];
}

// `k` in [-n, n) made non-negative; an error naming the step otherwise.
int64_t checkedIndex(const std::string& step, int64_t k, int64_t element, int64_t n, int64_t axis) {
  if (k < -n || k >= n)
    failStep(step, "index " + std::to_string(k) + " (element " + std::to_string(element) + " of indices) is out of " +
                       "range for axis " + std::to_string(axis) + " of size " + std::to_string(n));
  return k < 0 ? k + n : k;
}

int64_t product(const Dims& dims, int32_t begin, int32_t end) {
  int64_t p = 1;
  for (int32_t i = begin; i < end; ++i) p *= dims.d[i];
  return p;
}

// ---- Select -------------------------------------------------------------------------------------------------------

std::unique_ptr<Kernel> makeSelect(const KernelSpec& spec) {
  if (spec.inputType(0) != DataType::kBOOL) spec.unsupported("the select condition must be bool");
  DataType type = spec.outputType(0);
  return makeKernel(spec, [type](const KernelArgs& a) {
    const auto* cond = static_cast<const uint8_t*>(a.in(0).data);
    dispatchStorage(type, [&](auto tag) {
      using T = decltype(tag);
      const T* x = static_cast<const T*>(a.in(1).data);
      const T* y = static_cast<const T*>(a.in(2).data);
      T* out = static_cast<T*>(a.out(0).data);
      auto run = [&](int64_t o, const auto& at, int64_t n, const auto& step) {
        for (int64_t j = 0; j < n; ++j)
          out[o + j] = cond[at[0] + j * step[0]] ? x[at[1] + j * step[1]] : y[at[2] + j * step[2]];
      };
      forEachBroadcastRunN<3>(a.out(0).shape, {a.in(0).shape, a.in(1).shape, a.in(2).shape}, run);
    });
  });
}

// ---- Fill -----------------------------------------------------------------------------------------------------------

// Element 0 of the output holds alpha; the rest is copied from it in doubling blocks.
void fillConstant(const KernelArgs& a, double alphaAttr) {
  const TensorArg& out = a.out(0);
  int64_t count = out.volume();
  if (count == 0) return;
  size_t size = dataTypeSize(out.type);
  if (!a.hasInput(1))
    storeAs(out.data, out.type, alphaAttr);
  else if (a.in(1).type == out.type)
    std::memcpy(out.data, a.in(1).data, size);  // exact for any type
  else if (isFloatingPoint(a.in(1).type))
    storeAs(out.data, out.type, loadAs<double>(a.in(1).data, a.in(1).type, 0));
  else
    storeAs(out.data, out.type, loadAs<int64_t>(a.in(1).data, a.in(1).type, 0));
  auto* bytes = static_cast<uint8_t*>(out.data);
  for (int64_t filled = 1; filled < count;) {
    int64_t n = std::min(filled, count - filled);
    std::memcpy(bytes + filled * size, bytes, static_cast<size_t>(n) * size);
    filled += n;
  }
}

// out[c] = alpha + sum over axes of c[axis] * beta[axis], computed in A: double for floating-point outputs, int64 for
// integer ones (alpha and beta truncated), so large integer ranges stay exact. Inputs 1 and 2 override the attributes.
template <typename T>
void fillLinspace(const KernelArgs& a, double alphaAttr, double betaAttr) {
  using A = std::conditional_t<std::is_floating_point_v<T>, double, int64_t>;
  const TensorArg& out = a.out(0);
  int32_t rank = out.shape.nbDims;
  A alpha = a.hasInput(1) ? loadAs<A>(a.in(1).data, a.in(1).type, 0) : convert<A>(alphaAttr);
  A beta[Dims::MAX_DIMS];
  for (int32_t i = 0; i < rank; ++i)
    beta[i] = a.hasInput(2) ? loadAs<A>(a.in(2).data, a.in(2).type, i) : convert<A>(betaAttr);
  T* dst = static_cast<T*>(out.data);
  int64_t total = out.volume();
  if (total == 0) return;
  if (rank == 0) {
    *dst = static_cast<T>(alpha);
    return;
  }
  // Each row starts from alpha plus the outer coordinates' terms; products, not running sums, so no drift.
  int64_t inner = out.shape.d[rank - 1];
  int64_t coord[Dims::MAX_DIMS] = {};
  for (int64_t o = 0; o < total; o += inner) {
    A base = alpha;
    for (int32_t d = 0; d + 1 < rank; ++d) base += static_cast<A>(coord[d]) * beta[d];
    for (int64_t j = 0; j < inner; ++j) dst[o + j] = static_cast<T>(base + static_cast<A>(j) * beta[rank - 1]);
    for (int32_t d = rank - 2; d >= 0; --d) {
      if (++coord[d] < out.shape.d[d]) break;
      coord[d] = 0;
    }
  }
}

std::unique_ptr<Kernel> makeFill(const KernelSpec& spec) {
  const auto& attrs = spec.step.attrs;
  auto op = static_cast<FillOperation>(attrs.getInt("op"));
  // Defaults as TensorRT's fill layer: alpha 0, beta 1.
  double alpha = attrs.getFloat("alpha", 0.0), beta = attrs.getFloat("beta", 1.0);
  DataType type = spec.outputType(0);
  if (op == FillOperation::kCONSTANT) return makeKernel(spec, [alpha](const KernelArgs& a) { fillConstant(a, alpha); });
  if (op != FillOperation::kLINSPACE) spec.unsupported("unknown fill operation");
  if (!dispatchArithmetic(type, [](auto) {}))
    spec.unsupported(std::string("kLINSPACE fills of ") + dataTypeName(type) + " (fp32, fp64 and integers only)");
  return makeKernel(spec, [type, alpha, beta](const KernelArgs& a) {
    dispatchArithmetic(type, [&](auto tag) { fillLinspace<decltype(tag)>(a, alpha, beta); });
  });
}

// ---- Scatter --------------------------------------------------------------------------------------------------------

// How an update meets the value already there. Max and min propagate NaN (numpy maximum / minimum).
template <ScatterReduction R, typename T>
T combine(T old, T update) {
  if constexpr (R == ScatterReduction::kADD)
    return wrappingAdd(old, update);
  else if constexpr (R == ScatterReduction::kMUL)
    return wrappingMultiply(old, update);
  else if constexpr (R == ScatterReduction::kMAX)
    return update > old || isNan(update) ? update : old;
  else if constexpr (R == ScatterReduction::kMIN)
    return update < old || isNan(update) ? update : old;
  else
    return update;
}

// ONNX ScatterElements: output[c with c[axis] = indices[c]] (op)= updates[c] over the coordinates c of indices.
template <ScatterReduction R, typename T>
void scatterElements(const std::string& step, const KernelArgs& a, int64_t axisAttr) {
  const TensorArg& indices = a.in(1);
  const Dims& shape = a.out(0).shape;
  int32_t rank = shape.nbDims;
  auto axis = static_cast<int32_t>(axisAttr < 0 ? axisAttr + rank : axisAttr);
  int64_t n = shape.d[axis], count = indices.volume();
  for (int32_t d = 0; d < rank; ++d)
    if (d != axis && indices.shape.d[d] > shape.d[d])
      failStep(step, "indices are larger than data on axis " + std::to_string(d));
  for (int64_t j = 0; j < count; ++j) checkedIndex(step, indexAt(indices, j), j, n, axis);
  // Offsets of the indices' coordinates in the output with the scatter axis left out; the index adds that axis.
  int64_t strides[Dims::MAX_DIMS], walk[Dims::MAX_DIMS];
  contiguousStrides(shape, strides);
  std::copy_n(strides, rank, walk);
  walk[axis] = 0;
  const T* updates = static_cast<const T*>(a.in(2).data);
  T* out = static_cast<T*>(a.out(0).data);
  int64_t j = 0;
  forEachOffset(rank, indices.shape.d, walk, [&](int64_t offset) {
    int64_t k = indexAt(indices, j);
    T& target = out[offset + (k < 0 ? k + n : k) * strides[axis]];
    target = combine<R>(target, updates[j++]);
  });
}

// ONNX ScatterND: each k-tuple of indices names a slice data[tuple, ...] of the trailing r - k axes, which the
// matching slice of updates is written (or reduced) into, tuples in row-major order.
template <ScatterReduction R, typename T>
void scatterND(const std::string& step, const KernelArgs& a) {
  const TensorArg& indices = a.in(1);
  const Dims& shape = a.out(0).shape;
  int32_t k = static_cast<int32_t>(indices.shape.d[indices.shape.nbDims - 1]);
  int64_t tuples = product(indices.shape, 0, indices.shape.nbDims - 1);
  int64_t slice = product(shape, k, shape.nbDims);
  int64_t strides[Dims::MAX_DIMS];
  contiguousStrides(shape, strides);
  for (int64_t j = 0; j < tuples * k; ++j) checkedIndex(step, indexAt(indices, j), j, shape.d[j % k], j % k);
  const T* updates = static_cast<const T*>(a.in(2).data);
  T* out = static_cast<T*>(a.out(0).data);
  for (int64_t t = 0; t < tuples; ++t) {
    int64_t offset = 0;
    for (int32_t i = 0; i < k; ++i) {
      int64_t v = indexAt(indices, t * k + i);
      offset += (v < 0 ? v + shape.d[i] : v) * strides[i];
    }
    for (int64_t s = 0; s < slice; ++s) out[offset + s] = combine<R>(out[offset + s], updates[t * slice + s]);
  }
}

template <ScatterReduction R, typename T>
void scatter(const std::string& step, const KernelArgs& a, ScatterMode mode, int64_t axis) {
  std::memcpy(a.out(0).data, a.in(0).data, static_cast<size_t>(a.out(0).volume()) * sizeof(T));
  if (mode == ScatterMode::kELEMENT)
    scatterElements<R, T>(step, a, axis);
  else
    scatterND<R, T>(step, a);
}

std::unique_ptr<Kernel> makeScatter(const KernelSpec& spec) {
  backend::ScatterStep s = backend::scatterStep(spec);
  std::string step = spec.step.name;
  // Plain writes move elements of any type; reductions compute, so they need an arithmetic type.
  if (s.reduction == ScatterReduction::kNONE)
    return makeKernel(spec, [step, s](const KernelArgs& a) {
      dispatchStorage(s.type,
                      [&](auto tag) { scatter<ScatterReduction::kNONE, decltype(tag)>(step, a, s.mode, s.axis); });
    });
  if (!dispatchArithmetic(s.type, [](auto) {}))
    spec.unsupported(std::string("scatter reductions on ") + dataTypeName(s.type));
  return makeKernel(spec, [step, s](const KernelArgs& a) {
    dispatchArithmetic(s.type, [&](auto tag) {
      using T = decltype(tag);
      switch (s.reduction) {
        case ScatterReduction::kADD: return scatter<ScatterReduction::kADD, T>(step, a, s.mode, s.axis);
        case ScatterReduction::kMUL: return scatter<ScatterReduction::kMUL, T>(step, a, s.mode, s.axis);
        case ScatterReduction::kMAX: return scatter<ScatterReduction::kMAX, T>(step, a, s.mode, s.axis);
        case ScatterReduction::kMIN: return scatter<ScatterReduction::kMIN, T>(step, a, s.mode, s.axis);
        case ScatterReduction::kNONE: break;
      }
      failStep(step, "unknown scatter reduction");
    });
  });
}

// ---- Cumulative sum -------------------------------------------------------------------------------------------------

// Each position adds to its predecessor along the axis (in the direction of the sum), so the output itself holds the
// running sums and the walk stays row-major; T's arithmetic, as numpy.cumsum.
template <typename T>
void cumulativeSum(const KernelArgs& a, int32_t axis, bool exclusive, bool reverse) {
  const Dims& shape = a.out(0).shape;
  int64_t outer = product(shape, 0, axis), n = shape.d[axis], inner = product(shape, axis + 1, shape.nbDims);
  const T* in = static_cast<const T*>(a.in(0).data);
  T* out = static_cast<T*>(a.out(0).data);
  int64_t step = reverse ? -inner : inner;
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t s = 0; s < n; ++s) {
      int64_t row = o * n * inner + (reverse ? n - 1 - s : s) * inner;
      for (int64_t i = row; i < row + inner; ++i) {
        if (s == 0)
          out[i] = exclusive ? T{0} : in[i];
        else
          out[i] = wrappingAdd(out[i - step], exclusive ? in[i - step] : in[i]);
      }
    }
  }
}

std::unique_ptr<Kernel> makeCumulative(const KernelSpec& spec) {
  const auto& attrs = spec.step.attrs;
  DataType type = spec.inputType(0);
  if (!dispatchArithmetic(type, [](auto) {})) spec.unsupported(std::string("cumulative sums of ") + dataTypeName(type));
  int64_t axisAttr = attrs.getInt("axis");
  bool exclusive = attrs.getInt("exclusive") != 0, reverse = attrs.getInt("reverse") != 0;
  std::string step = spec.step.name;
  return makeKernel(spec, [=](const KernelArgs& a) {
    int64_t rank = a.out(0).shape.nbDims;
    // The axis tensor (input 1) is data: checked here, when its value is known.
    int64_t axis = a.hasInput(1) ? indexAt(a.in(1), 0) : axisAttr;
    if (axis < -rank || axis >= rank)
      failStep(step, "axis " + std::to_string(axis) + " is out of range for rank " + std::to_string(rank));
    if (axis < 0) axis += rank;
    dispatchArithmetic(
        type, [&](auto tag) { cumulativeSum<decltype(tag)>(a, static_cast<int32_t>(axis), exclusive, reverse); });
  });
}

// ---- One-hot --------------------------------------------------------------------------------------------------------

// ONNX OneHot: "Any entries in the 'indices' input tensor with values outside the range [-depth, depth-1] will result
// in one-hot representation with all 'off_value' values in the output tensor." Non-integer indices truncate.
template <typename I, typename T>
void oneHot(const KernelArgs& a, int32_t axis) {
  const Dims& shape = a.out(0).shape;
  int64_t outer = product(shape, 0, axis), depth = shape.d[axis], inner = product(shape, axis + 1, shape.nbDims);
  const I* indices = static_cast<const I*>(a.in(0).data);
  const T* values = static_cast<const T*>(a.in(1).data);
  T* out = static_cast<T*>(a.out(0).data);
  std::fill_n(out, outer * depth * inner, values[0]);
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t i = 0; i < inner; ++i) {
      auto k = convert<int64_t>(indices[o * inner + i]);
      if (k < 0) k += depth;
      if (k >= 0 && k < depth) out[(o * depth + k) * inner + i] = values[1];
    }
  }
}

std::unique_ptr<Kernel> makeOneHot(const KernelSpec& spec) {
  auto rank = static_cast<int64_t>(spec.outputRank(0));
  int64_t axisAttr = spec.step.attrs.getInt("axis", -1);
  if (axisAttr < -rank || axisAttr >= rank)
    spec.unsupported("one-hot axis " + std::to_string(axisAttr) + " is out of range");
  auto axis = static_cast<int32_t>(axisAttr < 0 ? axisAttr + rank : axisAttr);
  DataType indexType = spec.inputType(0), type = spec.outputType(0);
  if (!dispatchArithmetic(indexType, [](auto) {}))
    spec.unsupported(std::string("one-hot indices of type ") + dataTypeName(indexType));
  return makeKernel(spec, [axis, indexType, type](const KernelArgs& a) {
    dispatchArithmetic(indexType, [&](auto index) {
      dispatchStorage(type, [&](auto value) { oneHot<decltype(index), decltype(value)>(a, axis); });
    });
  });
}

}  // namespace

void registerGenerationKernels(KernelTable& table) {
  table.add(LayerType::kSELECT, makeSelect);
  table.add(LayerType::kFILL, makeFill);
  table.add(LayerType::kSCATTER, makeScatter);
  table.add(LayerType::kCUMULATIVE, makeCumulative);
  table.add(LayerType::kONE_HOT, makeOneHot);
}

}  // namespace kiln::cpu
