// CUDA kernels: broadcast element-wise binary operations, activations and unary operations.
#include <cmath>

#include "backends/common/activation_function.h"
#include "backends/common/scalar_math.h"
#include "backends/common/strided_iteration.h"
#include "backends/cuda/activation_launch.h"
#include "backends/cuda/device_tensor.cuh"
#include "backends/cuda/vector_access.cuh"
#include "ops/elementwise.h"

namespace kiln::cuda {

namespace {

// ---- Binary -------------------------------------------------------------------------------------------------------

using E = ElementWiseOperation;

bool isComparison(E op) {
  return op == E::kEQUAL || op == E::kGREATER || op == E::kLESS || op == E::kAND || op == E::kOR || op == E::kXOR;
}

template <typename T>
__device__ bool compare(E op, T x, T y) {
  switch (op) {
    case E::kEQUAL: return x == y;
    case E::kGREATER: return x > y;
    case E::kLESS: return x < y;
    case E::kAND: return x && y;
    case E::kOR: return x || y;
    default: return (x != 0) != (y != 0);  // kXOR
  }
}

// Integer division and modulo are rejected when the kernel is made (a zero divisor cannot be reported from here).
template <typename T>
__device__ T arithmetic(E op, T x, T y) {
  switch (op) {
    case E::kSUM: return x + y;
    case E::kSUB: return x - y;
    case E::kPROD:
      if constexpr (std::is_floating_point_v<T>)
        return x * y;
      else
        return backend::wrappingMultiply(x, y);  // narrow unsigned types would overflow int
    case E::kMAX:
      if constexpr (std::is_floating_point_v<T>)
        return x > y || isnan(x) ? x : y;  // NaN wins, as numpy maximum
      else
        return x > y ? x : y;
    case E::kMIN:
      if constexpr (std::is_floating_point_v<T>)
        return x < y || isnan(x) ? x : y;
      else
        return x < y ? x : y;
    case E::kPOW: return backend::power(x, y);
    default: break;
  }
  if constexpr (std::is_unsigned_v<T>) {
    if (op == E::kSHIFT_LEFT) return backend::shiftLeft(x, y);
    if (op == E::kSHIFT_RIGHT) return backend::shiftRight(x, y);
  }
  if constexpr (std::is_floating_point_v<T>) {
    switch (op) {
      case E::kDIV: return x / y;
      case E::kFLOOR_DIV: return backend::floorDivide(x, y);
      case E::kMOD: return backend::floorMod(x, y);
      case E::kFMOD: return fmod(x, y);
      default: break;
    }
  }
  return T(0);
}

// Operands read through their broadcast walks: the general case.
template <typename N, bool Compare>
__global__ void binaryKernel(E op, const typename N::Storage* a, const typename N::Storage* b, void* out, int64_t n,
                             StridedWalk wa, StridedWalk wb) {
  KILN_GRID_LOOP(i, n) {
    auto x = N::load(a[wa.offset(i)]);
    auto y = N::load(b[wb.offset(i)]);
    if constexpr (Compare)
      static_cast<uint8_t*>(out)[i] = compare(op, x, y);
    else
      static_cast<typename N::Storage*>(out)[i] = N::store(arithmetic(op, x, y));
  }
}

// An operand that repeats every `period` elements of the output (element i reads data[i % period]): the whole
// output (period n), a row along its trailing axes (a bias [n] against [m, n], period n) or one value (period 1).
template <typename S, typename I>
struct Repeating {
  const S* data = nullptr;
  I period = 1;

  __device__ S at(I i, I n) const { return data[period == n ? i : i % period]; }
  // The V elements from `first` (a multiple of V): one vector load unless the operand is one value; the host checked
  // that period is 1, n or a multiple of V, and that data is aligned unless period is 1.
  template <int V>
  __device__ Packed<S, V> vectorAt(I first, I n) const {
    if (period != 1) return loadPacked<V>(data + (period == n ? first : first % period));
    Packed<S, V> p;
#pragma unroll
    for (int k = 0; k < V; ++k) p.e[k] = data[0];
    return p;
  }
};

// out[i] = f(a[i], b[i]) (the operands as they repeat) for i in [0, n) in the element traits In and Out, V elements
// at a time when `vectorized`.
template <typename In, typename Out, typename I, typename F>
__device__ void zipElements(Repeating<typename In::Storage, I> a, Repeating<typename In::Storage, I> b, void* out, I n,
                            bool vectorized, F f) {
  using SO = typename Out::Storage;
  constexpr int V = kVectorWidth<typename In::Storage>;
  auto* dst = static_cast<SO*>(out);
  auto apply = [&](auto x, auto y) {
    return Out::store(static_cast<typename Out::Compute>(f(In::load(x), In::load(y))));
  };
  forEachVector<V>(
      n, vectorized,
      [&](I first) {
        auto x = a.template vectorAt<V>(first, n);
        auto y = b.template vectorAt<V>(first, n);
        Packed<SO, V> r;
#pragma unroll
        for (int k = 0; k < V; ++k) r.e[k] = apply(x.e[k], y.e[k]);
        storePacked<V>(dst + first, r);
      },
      [&](I i) { dst[i] = apply(a.at(i, n), b.at(i, n)); });
}

// Both operands repeating: no walk, 32-bit indices (the host takes the general kernel from 2^31 elements).
template <typename N, bool Compare>
__global__ void repeatingBinaryKernel(E op, Repeating<typename N::Storage, uint32_t> a,
                                      Repeating<typename N::Storage, uint32_t> b, void* out, uint32_t n,
                                      bool vectorized) {
  using T = typename N::Compute;
  if constexpr (Compare)
    zipElements<N, Bool>(a, b, out, n, vectorized, [op](T x, T y) { return compare(op, x, y); });
  else
    zipElements<N, N>(a, b, out, n, vectorized, [op](T x, T y) { return arithmetic(op, x, y); });
}

// The number of elements after which `in`, broadcast to `out`, repeats in the output's row-major order (output
// element i reads its element i % period), or 0 when it is broadcast along an axis inside one it is not broadcast
// along (a column [m, 1] against [m, n]), which no period describes.
int64_t repeatPeriod(const Dims& in, const Dims& out) {
  int64_t strides[Dims::MAX_DIMS];
  backend::broadcastStrides(in, out, strides);
  int64_t period = 1;
  bool broadcast = false;
  for (int32_t i = out.nbDims - 1; i >= 0; --i) {
    if (out.d[i] == 1) continue;
    if (strides[i] == 0)
      broadcast = true;
    else if (broadcast)
      return 0;
    else
      period *= out.d[i];
  }
  return period;
}

// Whether an operand of `period` can be read V elements at a time, starting at multiples of V.
bool vectorReadable(const void* data, int64_t period, int64_t n, int64_t V) {
  return period == 1 || ((period == n || period % V == 0) && alignedTo(data, kVectorBytes));
}

std::unique_ptr<Kernel> makeElementWise(const KernelSpec& spec) {
  E op = spec.step.opAttrs().get(ops::ElementWise::kOp);
  if (op < E::kSUM || op > E::kSHIFT_RIGHT) spec.unsupported("unknown element-wise operation");
  if ((op == E::kSHIFT_LEFT || op == E::kSHIFT_RIGHT) && !isUnsignedInteger(spec.inputType(0)))
    spec.unsupported("bit shifts need unsigned integers");
  DataType type = spec.inputType(0);
  if (spec.inputType(1) != type)
    spec.unsupported(std::string("operands of different types (") + dataTypeName(type) + ", " +
                     dataTypeName(spec.inputType(1)) + ")");
  bool comparison = isComparison(op);
  bool logic = op == E::kAND || op == E::kOR || op == E::kXOR;
  if (type == DataType::kBOOL && !logic && op != E::kEQUAL)
    spec.unsupported("the CUDA backend supports only logic operations and equality on bool");
  if (!isFloatingPoint(type) && !comparison &&
      (op == E::kDIV || op == E::kFLOOR_DIV || op == E::kMOD || op == E::kFMOD))
    spec.unsupported(
        "integer division and modulo are not supported on the CUDA backend: a zero divisor could not be "
        "reported");
  return makeKernel(spec, [op, type, comparison, step = spec.step.name](const KernelArgs& a) {
    int64_t n = a.out(0).volume();
    if (n == 0) return;
    const Dims& shape = a.out(0).shape;
    int64_t periodA = repeatPeriod(a.in(0).shape, shape), periodB = repeatPeriod(a.in(1).shape, shape);
    dispatchElement(type, [&](auto tag) {
      using N = decltype(tag);
      using S = typename N::Storage;
      auto* x = static_cast<const S*>(a.in(0).data);
      auto* y = static_cast<const S*>(a.in(1).data);
      void* out = a.out(0).data;
      if (periodA && periodB && n < StridedWalk::kNarrow) {
        constexpr int64_t V = kVectorWidth<S>;
        bool vectorized =
            alignedTo(out, kVectorBytes) && vectorReadable(x, periodA, n, V) && vectorReadable(y, periodB, n, V);
        Repeating<S, uint32_t> ra{x, static_cast<uint32_t>(periodA)}, rb{y, static_cast<uint32_t>(periodB)};
        auto count = static_cast<uint32_t>(n);
        unsigned blocks = vectorBlocksFor(n, V, vectorized);
        if (comparison)
          repeatingBinaryKernel<N, true><<<blocks, kThreads, 0, streamOf(a)>>>(op, ra, rb, out, count, vectorized);
        else
          repeatingBinaryKernel<N, false><<<blocks, kThreads, 0, streamOf(a)>>>(op, ra, rb, out, count, vectorized);
        return;
      }
      StridedWalk wa = broadcastWalk(a.in(0).shape, shape), wb = broadcastWalk(a.in(1).shape, shape);
      if (comparison)
        binaryKernel<N, true><<<blocksFor(n), kThreads, 0, streamOf(a)>>>(op, x, y, out, n, wa, wb);
      else
        binaryKernel<N, false><<<blocksFor(n), kThreads, 0, streamOf(a)>>>(op, x, y, out, n, wa, wb);
    });
    checkLaunch(step);
  });
}

// ---- Element maps (activations and unary operations) --------------------------------------------------------------

// out[i] = f(in[i]) for i in [0, n) in the element traits In and Out, V elements at a time when `vectorized` (in and
// out 16-byte aligned).
template <typename In, typename Out, typename I, typename F>
__device__ void mapElements(const void* in, void* out, I n, bool vectorized, F f) {
  using SI = typename In::Storage;
  using SO = typename Out::Storage;
  constexpr int V = kVectorWidth<SI>;
  auto* src = static_cast<const SI*>(in);
  auto* dst = static_cast<SO*>(out);
  auto apply = [&](SI x) { return Out::store(static_cast<typename Out::Compute>(f(In::load(x)))); };
  forEachVector<V>(
      n, vectorized,
      [&](I first) {
        auto x = loadPacked<V>(src + first);
        Packed<SO, V> r;
#pragma unroll
        for (int k = 0; k < V; ++k) r.e[k] = apply(x.e[k]);
        storePacked<V>(dst + first, r);
      },
      [&](I i) { dst[i] = apply(src[i]); });
}

// The grid of an element map over n elements of S from `in` to `out`, vectorized where both addresses allow it.
struct MapLaunch {
  bool vectorized = false;
  unsigned blocks = 1;
};
template <typename S>
MapLaunch mapLaunch(const void* in, const void* out, int64_t n) {
  bool vectorized = alignedTo(in, kVectorBytes) && alignedTo(out, kVectorBytes);
  return {vectorized, vectorBlocksFor(n, kVectorWidth<S>, vectorized)};
}

template <typename N, typename I>
__global__ void activationKernel(ActivationType type, const void* in, void* out, I n, bool vectorized, double alpha,
                                 double beta) {
  using T = typename N::Compute;
  T ta = static_cast<T>(alpha), tb = static_cast<T>(beta);
  mapElements<N, N>(in, out, n, vectorized, [&](T x) { return backend::activation(type, x, ta, tb); });
}

// y[i] = activation(y[i] + residual[i]), or the sum alone when not `activate`.
template <typename N, typename I>
__global__ void residualActivationKernel(bool activate, ActivationType type, const void* residual, void* y, I n,
                                         bool vectorized, double alpha, double beta) {
  using S = typename N::Storage;
  using T = typename N::Compute;
  T ta = static_cast<T>(alpha), tb = static_cast<T>(beta);
  Repeating<S, I> sum{static_cast<const S*>(y), n}, shortcut{static_cast<const S*>(residual), n};
  zipElements<N, N>(sum, shortcut, y, n, vectorized,
                    [&](T x, T r) { return activate ? backend::activation(type, x + r, ta, tb) : x + r; });
}

std::unique_ptr<Kernel> makeActivation(const KernelSpec& spec) {
  ActivationType type = spec.step.opAttrs().get(ops::Activation::kOp);
  DataType dataType = spec.inputType(0);
  if (!isFloatingPoint(dataType)) spec.unsupported(std::string("activations on ") + dataTypeName(dataType));
  if (type < ActivationType::kRELU || type > ActivationType::kGELU_TANH) spec.unsupported("unknown activation");
  double alpha, beta;
  backend::activationDefaults(type, alpha, beta, spec.step.opAttrs());
  return makeKernel(spec, [type, dataType, alpha, beta, step = spec.step.name](const KernelArgs& a) {
    launchActivation(dataType, type, alpha, beta, a.in(0).data, a.out(0).data, a.out(0).volume(), streamOf(a), step);
  });
}

using U = UnaryOperation;

template <typename N, typename I>
__global__ void unaryKernel(U op, const void* in, void* out, I n, bool vectorized) {
  using T = typename N::Compute;
  if constexpr (std::is_floating_point_v<T>) {
    if (op == U::kISINF) return mapElements<N, Bool>(in, out, n, vectorized, [](T x) { return isinf(x); });
    if (op == U::kISNAN) return mapElements<N, Bool>(in, out, n, vectorized, [](T x) { return isnan(x); });
    if (op == U::kSIGN)  // NaN in, NaN out (numpy sign)
      return mapElements<N, N>(in, out, n, vectorized,
                               [](T x) { return isnan(x) ? x : backend::unaryFloat(U::kSIGN, x); });
    mapElements<N, N>(in, out, n, vectorized, [op](T x) { return backend::unaryFloat(op, x); });
  } else if constexpr (std::is_same_v<N, Bool>) {
    mapElements<Bool, Bool>(in, out, n, vectorized, [](uint8_t x) { return !x; });
  } else {
    mapElements<N, N>(in, out, n, vectorized, [op](T x) { return backend::unaryInteger(op, x); });
  }
}

std::unique_ptr<Kernel> makeUnary(const KernelSpec& spec) {
  U op = spec.step.opAttrs().get(ops::Unary::kOp);
  DataType type = spec.inputType(0);
  bool integerOp = op == U::kABS || op == U::kNEG || op == U::kSIGN;
  if (op < U::kEXP || op > U::kISNAN) spec.unsupported("unknown unary operation");
  if ((type == DataType::kBOOL) != (op == U::kNOT)) spec.unsupported("NOT takes bool, and bool takes only NOT");
  if (!isFloatingPoint(type) && type != DataType::kBOOL && !integerOp)
    spec.unsupported(std::string("this unary operation on ") + dataTypeName(type));
  return makeKernel(spec, [op, type, step = spec.step.name](const KernelArgs& a) {
    int64_t n = a.out(0).volume();
    if (n == 0) return;
    dispatchElement(type, [&](auto tag) {
      using N = decltype(tag);
      MapLaunch map = mapLaunch<typename N::Storage>(a.in(0).data, a.out(0).data, n);
      dispatchIndexWidth(n, [&](auto index) {
        using I = decltype(index);
        unaryKernel<N, I><<<map.blocks, kThreads, 0, streamOf(a)>>>(op, a.in(0).data, a.out(0).data, static_cast<I>(n),
                                                                    map.vectorized);
      });
    });
    checkLaunch(step);
  });
}

}  // namespace

void launchActivation(DataType type, ActivationType op, double alpha, double beta, const void* in, void* out, int64_t n,
                      cudaStream_t stream, const std::string& step) {
  if (n == 0) return;
  dispatchElement(type, [&](auto tag) {
    using N = decltype(tag);
    if constexpr (kFloating<N>) {
      MapLaunch map = mapLaunch<typename N::Storage>(in, out, n);
      dispatchIndexWidth(n, [&](auto index) {
        using I = decltype(index);
        activationKernel<N, I>
            <<<map.blocks, kThreads, 0, stream>>>(op, in, out, static_cast<I>(n), map.vectorized, alpha, beta);
      });
    } else {
      throw Error(ErrorCode::kUNSUPPORTED, std::string("activations on ") + dataTypeName(type), step);
    }
  });
  checkLaunch(step);
}

void launchResidualActivation(DataType type, const std::optional<ops::PostActivation>& activation, const void* residual,
                              void* y, int64_t n, cudaStream_t stream, const std::string& step) {
  if (n == 0) return;
  ops::PostActivation post = activation.value_or(ops::PostActivation{});
  dispatchElement(type, [&](auto tag) {
    using N = decltype(tag);
    if constexpr (kFloating<N>) {
      MapLaunch map = mapLaunch<typename N::Storage>(residual, y, n);
      dispatchIndexWidth(n, [&](auto index) {
        using I = decltype(index);
        residualActivationKernel<N, I><<<map.blocks, kThreads, 0, stream>>>(
            activation.has_value(), post.type, residual, y, static_cast<I>(n), map.vectorized, post.alpha, post.beta);
      });
    } else {
      throw Error(ErrorCode::kUNSUPPORTED, std::string("a fused residual on ") + dataTypeName(type), step);
    }
  });
  checkLaunch(step);
}

void registerElementwiseKernels(KernelTable& table) {
  table.add(LayerType::kELEMENTWISE, makeElementWise);
  table.add(LayerType::kACTIVATION, makeActivation);
  table.add(LayerType::kUNARY, makeUnary);
}

}  // namespace kiln::cuda
