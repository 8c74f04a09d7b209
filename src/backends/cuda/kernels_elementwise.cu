// CUDA kernels: broadcast element-wise binary operations, activations, unary operations and casts.
#include <cmath>

#include "backends/cpu/activation_function.h"
#include "backends/cpu/strided_iteration.h"
#include "backends/cuda/activation_launch.h"
#include "backends/cuda/device_tensor.cuh"
#include "backends/scalar_math.h"

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
      if constexpr (std::is_floating_point_v<T>) return x * y;
      else return backend::wrappingMultiply(x, y);  // narrow unsigned types would overflow int
    case E::kMAX:
      if constexpr (std::is_floating_point_v<T>) return x > y || isnan(x) ? x : y;  // NaN wins, as numpy maximum
      else return x > y ? x : y;
    case E::kMIN:
      if constexpr (std::is_floating_point_v<T>) return x < y || isnan(x) ? x : y;
      else return x < y ? x : y;
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

// Operands are read through their broadcast walks unless both already have the output's shape (`direct`).
template <typename N, bool Compare>
__global__ void binaryKernel(E op, const typename N::Storage* a, const typename N::Storage* b, void* out, int64_t n,
                             StridedWalk wa, StridedWalk wb, bool direct) {
  KILN_GRID_LOOP(i, n) {
    auto x = N::load(a[direct ? i : wa.offset(i)]);
    auto y = N::load(b[direct ? i : wb.offset(i)]);
    if constexpr (Compare) static_cast<uint8_t*>(out)[i] = compare(op, x, y);
    else static_cast<typename N::Storage*>(out)[i] = N::store(arithmetic(op, x, y));
  }
}

std::unique_ptr<Kernel> makeElementWise(const KernelSpec& spec) {
  auto op = static_cast<E>(spec.step.attrs.getInt("op"));
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
    spec.unsupported("integer division and modulo are not supported on the CUDA backend: a zero divisor could not be "
                     "reported");
  return makeKernel(spec, [op, type, comparison, step = spec.step.name](const KernelArgs& a) {
    int64_t n = a.out(0).volume();
    if (n == 0) return;
    const Dims& shape = a.out(0).shape;
    bool direct = a.in(0).volume() == n && a.in(1).volume() == n;
    StridedWalk wa = broadcastWalk(a.in(0).shape, shape), wb = broadcastWalk(a.in(1).shape, shape);
    dispatchElement(type, [&](auto tag) {
      using N = decltype(tag);
      using S = typename N::Storage;
      auto* x = static_cast<const S*>(a.in(0).data);
      auto* y = static_cast<const S*>(a.in(1).data);
      if (comparison)
        binaryKernel<N, true><<<blocksFor(n), kThreads, 0, streamOf(a)>>>(op, x, y, a.out(0).data, n, wa, wb, direct);
      else
        binaryKernel<N, false><<<blocksFor(n), kThreads, 0, streamOf(a)>>>(op, x, y, a.out(0).data, n, wa, wb, direct);
    });
    checkLaunch(step);
  });
}

// ---- Element maps (activations and unary operations) --------------------------------------------------------------

template <typename In, typename Out, typename F>
__device__ void mapElements(const void* in, void* out, int64_t n, F f) {
  auto* src = static_cast<const typename In::Storage*>(in);
  auto* dst = static_cast<typename Out::Storage*>(out);
  KILN_GRID_LOOP(i, n) dst[i] = Out::store(static_cast<typename Out::Compute>(f(In::load(src[i]))));
}

template <typename N>
__global__ void activationKernel(ActivationType type, const void* in, void* out, int64_t n, double alpha, double beta) {
  using T = typename N::Compute;
  T ta = static_cast<T>(alpha), tb = static_cast<T>(beta);
  mapElements<N, N>(in, out, n, [&](T x) { return cpu::activation(type, x, ta, tb); });
}

template <typename N>
__global__ void residualActivationKernel(bool activate, ActivationType type, const void* residual, void* y, int64_t n,
                                         double alpha, double beta) {
  using T = typename N::Compute;
  T ta = static_cast<T>(alpha), tb = static_cast<T>(beta);
  auto* r = static_cast<const typename N::Storage*>(residual);
  auto* out = static_cast<typename N::Storage*>(y);
  KILN_GRID_LOOP(i, n) {
    T sum = N::load(out[i]) + N::load(r[i]);
    out[i] = N::store(activate ? cpu::activation(type, sum, ta, tb) : sum);
  }
}

std::unique_ptr<Kernel> makeActivation(const KernelSpec& spec) {
  auto type = static_cast<ActivationType>(spec.step.attrs.getInt("op"));
  DataType dataType = spec.inputType(0);
  if (!isFloatingPoint(dataType)) spec.unsupported(std::string("activations on ") + dataTypeName(dataType));
  if (type < ActivationType::kRELU || type > ActivationType::kGELU_TANH) spec.unsupported("unknown activation");
  double alpha, beta;
  cpu::activationDefaults(type, alpha, beta, spec.step.attrs);
  return makeKernel(spec, [type, dataType, alpha, beta, step = spec.step.name](const KernelArgs& a) {
    launchActivation(dataType, type, alpha, beta, a.in(0).data, a.out(0).data, a.out(0).volume(), streamOf(a), step);
  });
}

using U = UnaryOperation;

template <typename N>
__global__ void unaryKernel(U op, const void* in, void* out, int64_t n) {
  using T = typename N::Compute;
  if constexpr (std::is_floating_point_v<T>) {
    if (op == U::kISINF) return mapElements<N, Bool>(in, out, n, [](T x) { return isinf(x); });
    if (op == U::kISNAN) return mapElements<N, Bool>(in, out, n, [](T x) { return isnan(x); });
    if (op == U::kSIGN)  // NaN in, NaN out (numpy sign)
      return mapElements<N, N>(in, out, n, [](T x) { return isnan(x) ? x : backend::unaryFloat(U::kSIGN, x); });
    mapElements<N, N>(in, out, n, [op](T x) { return backend::unaryFloat(op, x); });
  } else if constexpr (std::is_same_v<N, Bool>) {
    mapElements<Bool, Bool>(in, out, n, [](uint8_t x) { return !x; });
  } else {
    mapElements<N, N>(in, out, n, [op](T x) { return backend::unaryInteger(op, x); });
  }
}

std::unique_ptr<Kernel> makeUnary(const KernelSpec& spec) {
  auto op = static_cast<U>(spec.step.attrs.getInt("op"));
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
      unaryKernel<decltype(tag)><<<blocksFor(n), kThreads, 0, streamOf(a)>>>(op, a.in(0).data, a.out(0).data, n);
    });
    checkLaunch(step);
  });
}

// ---- Cast ---------------------------------------------------------------------------------------------------------

__global__ void castKernel(const void* in, DataType inType, void* out, DataType outType, int64_t n, bool integers) {
  KILN_GRID_LOOP(i, n) {
    if (integers) storeInteger(out, outType, i, loadInteger(in, inType, i));
    else storeFromDouble(out, outType, i, loadAsDouble(in, inType, i));
  }
}

std::unique_ptr<Kernel> makeCast(const KernelSpec& spec) {
  return makeKernel(spec, [step = spec.step.name](const KernelArgs& a) {
    const TensorArg& in = a.in(0);
    const TensorArg& out = a.out(0);
    int64_t n = out.volume();
    if (n == 0) return;
    if (in.type == out.type) {
      KILN_CUDA_CHECK(cudaMemcpyAsync(out.data, in.data, n * dataTypeSize(in.type), cudaMemcpyDeviceToDevice, streamOf(a)),
                      step);
      return;
    }
    bool integers = !isFloatingPoint(in.type) && !isFloatingPoint(out.type);
    castKernel<<<blocksFor(n), kThreads, 0, streamOf(a)>>>(in.data, in.type, out.data, out.type, n, integers);
    checkLaunch(step);
  });
}

}  // namespace

void launchActivation(DataType type, ActivationType op, double alpha, double beta, const void* in, void* out,
                      int64_t n, cudaStream_t stream, const std::string& step) {
  if (n == 0) return;
  dispatchElement(type, [&](auto tag) {
    using N = decltype(tag);
    if constexpr (kFloating<N>)
      activationKernel<N><<<blocksFor(n), kThreads, 0, stream>>>(op, in, out, n, alpha, beta);
    else
      throw Error(ErrorCode::kUNSUPPORTED, std::string("activations on ") + dataTypeName(type), step);
  });
  checkLaunch(step);
}

void launchResidualActivation(DataType type, const std::optional<plan::PostActivation>& activation,
                              const void* residual, void* y, int64_t n, cudaStream_t stream, const std::string& step) {
  if (n == 0) return;
  plan::PostActivation post = activation.value_or(plan::PostActivation{});
  dispatchElement(type, [&](auto tag) {
    using N = decltype(tag);
    if constexpr (kFloating<N>)
      residualActivationKernel<N><<<blocksFor(n), kThreads, 0, stream>>>(activation.has_value(), post.type, residual,
                                                                          y, n, post.alpha, post.beta);
    else
      throw Error(ErrorCode::kUNSUPPORTED, std::string("a fused residual on ") + dataTypeName(type), step);
  });
  checkLaunch(step);
}

void registerElementwiseKernels(KernelTable& table) {
  table.add(LayerType::kELEMENTWISE, makeElementWise);
  table.add(LayerType::kACTIVATION, makeActivation);
  table.add(LayerType::kUNARY, makeUnary);
  table.add(LayerType::kCAST, makeCast);
}

}  // namespace kiln::cuda
