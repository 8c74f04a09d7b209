// CPU kernels: broadcast element-wise binary operations, activations and unary operations.
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>

#include "backends/cpu/activation_function.h"
#include "backends/cpu/strided_iteration.h"
#include "backends/cpu/cpu_kernel.h"
#include "core/half.h"

namespace kiln::cpu {

namespace {

// ---- Element types ------------------------------------------------------------------------------------------------

// How a kiln type is held in memory (Storage) and which C++ type its arithmetic runs in (Compute). fp16 and bf16
// compute in fp32 and round once per result, so they get the fp32 semantics of every operation.
template <typename T>
struct Plain {
  using Storage = T;
  using Compute = T;
  static T load(T v) { return v; }
  static T store(T v) { return v; }
};
struct Half {
  using Storage = uint16_t;
  using Compute = float;
  static float load(uint16_t v) { return core::halfToFloat(v); }
  static uint16_t store(float v) { return core::floatToHalf(v); }
};
struct Bf16 {
  using Storage = uint16_t;
  using Compute = float;
  static float load(uint16_t v) { return core::bf16ToFloat(v); }
  static uint16_t store(float v) { return core::floatToBf16(v); }
};
using Bool = Plain<uint8_t>;

// Calls f(N{}) with the element traits of `type` (bool as uint8).
template <typename F>
void dispatchElement(DataType type, F&& f) {
  if (type == DataType::kHALF) return f(Half{});
  if (type == DataType::kBF16) return f(Bf16{});
  if (type == DataType::kBOOL) return f(Bool{});
  core::dispatchArithmetic(type, [&](auto tag) { f(Plain<decltype(tag)>{}); });
}

template <typename N>
constexpr bool kFloating = std::is_floating_point_v<typename N::Compute>;

// ---- Binary -------------------------------------------------------------------------------------------------------

// Integer x / -1 traps on the most negative value; numpy wraps it (the result is x itself), and so do we.
template <typename T>
bool isMinusOne(T b) {
  if constexpr (std::is_signed_v<T> && !std::is_floating_point_v<T>) return b == T(-1);
  return false;
}

template <typename T>
T wrappingNegate(T a) {
  using U = std::make_unsigned_t<T>;
  return static_cast<T>(U(0) - static_cast<U>(a));
}

// Unsigned types narrower than int promote to (signed) int, whose overflow is undefined, so multiply as uint64_t.
template <typename T>
T wrappingMultiply(T a, T b) {
  return static_cast<T>(static_cast<uint64_t>(a) * static_cast<uint64_t>(b));
}

// v < 0, without an always-false comparison on unsigned types.
template <typename T>
bool isNegative(T v) {
  if constexpr (std::is_signed_v<T>) return v < 0;
  return false;
}

template <typename T>
bool signsDiffer(T a, T b) {
  return isNegative(a) != isNegative(b);
}

template <typename T>
T truncDivide(T a, T b) {
  if constexpr (!std::is_floating_point_v<T>)
    if (isMinusOne(b)) return wrappingNegate(a);
  return a / b;
}

template <typename T>
T floorDivide(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    return std::floor(a / b);
  } else {
    if (isMinusOne(b)) return wrappingNegate(a);
    T q = a / b;
    if ((a % b != 0) && signsDiffer(a, b)) --q;
    return q;
  }
}

template <typename T>
T floorMod(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    T r = std::fmod(a, b);
    if (r != 0 && ((r < 0) != (b < 0))) r += b;
    return r;
  } else {
    if (isMinusOne(b)) return 0;
    T r = a % b;
    if (r != 0 && signsDiffer(r, b)) r += b;
    return r;
  }
}

// Integer powers by squaring, wrapping on overflow like numpy; a negative exponent truncates 1 / a^-b toward zero.
template <typename T>
T power(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    return std::pow(a, b);
  } else {
    if (isNegative(b)) {
      if (a == 1) return 1;
      if (isMinusOne(a)) return (b % 2 == 0) ? T(1) : a;
      return 0;
    }
    T result = 1;
    for (; b != 0; b /= 2, a = wrappingMultiply(a, a))
      if (b % 2 != 0) result = wrappingMultiply(result, a);
    return result;
  }
}

// Shifts of unsigned integers; shifting by the bit width or more gives 0 (as numpy), not undefined behaviour.
template <typename T>
T shiftLeft(T a, T b) {
  return b >= T(std::numeric_limits<T>::digits) ? T(0) : static_cast<T>(static_cast<uint64_t>(a) << b);
}

template <typename T>
T shiftRight(T a, T b) {
  return b >= T(std::numeric_limits<T>::digits) ? T(0) : static_cast<T>(a >> b);
}

// Applies `op` to every broadcast pair; In holds the inputs' element traits, Out the output's.
template <typename In, typename Out, typename Op>
void binaryLoop(const KernelArgs& args, Op op) {
  using S = typename In::Storage;
  const S* a = static_cast<const S*>(args.in(0).data);
  const S* b = static_cast<const S*>(args.in(1).data);
  auto* out = static_cast<typename Out::Storage*>(args.out(0).data);
  forEachBroadcastRun(args.out(0).shape, args.in(0).shape, args.in(1).shape,
                      [&](int64_t o, int64_t ai, int64_t bi, int64_t n, int64_t as, int64_t bs) {
                        for (int64_t i = 0; i < n; ++i)
                          out[o + i] = Out::store(static_cast<typename Out::Compute>(
                              op(In::load(a[ai + i * as]), In::load(b[bi + i * bs]))));
                      });
}

template <typename N>
void runBinary(ElementWiseOperation op, const KernelArgs& args, const std::string& step) {
  using E = ElementWiseOperation;
  using T = typename N::Compute;
  // NaN wins max/min (numpy maximum/minimum, ONNX Max/Min).
  auto isNan = [](T x) {
    if constexpr (std::is_floating_point_v<T>) return std::isnan(x);
    return false;
  };
  switch (op) {
    case E::kSUM: return binaryLoop<N, N>(args, [](T x, T y) { return x + y; });
    case E::kSUB: return binaryLoop<N, N>(args, [](T x, T y) { return x - y; });
    case E::kPROD: return binaryLoop<N, N>(args, [](T x, T y) {
      if constexpr (std::is_floating_point_v<T>) return x * y;
      else return wrappingMultiply(x, y);
    });
    case E::kMAX: return binaryLoop<N, N>(args, [&](T x, T y) { return x > y || isNan(x) ? x : y; });
    case E::kMIN: return binaryLoop<N, N>(args, [&](T x, T y) { return x < y || isNan(x) ? x : y; });
    case E::kPOW: return binaryLoop<N, N>(args, [](T x, T y) { return power(x, y); });
    case E::kEQUAL: return binaryLoop<N, Bool>(args, [](T x, T y) { return x == y; });
    case E::kGREATER: return binaryLoop<N, Bool>(args, [](T x, T y) { return x > y; });
    case E::kLESS: return binaryLoop<N, Bool>(args, [](T x, T y) { return x < y; });
    case E::kAND: return binaryLoop<N, Bool>(args, [](T x, T y) { return x && y; });
    case E::kOR: return binaryLoop<N, Bool>(args, [](T x, T y) { return x || y; });
    case E::kXOR: return binaryLoop<N, Bool>(args, [](T x, T y) { return (x != 0) != (y != 0); });
    default: break;
  }
  if constexpr (std::is_floating_point_v<T>) {
    switch (op) {
      case E::kDIV: return binaryLoop<N, N>(args, [](T x, T y) { return x / y; });
      case E::kFLOOR_DIV: return binaryLoop<N, N>(args, [](T x, T y) { return floorDivide(x, y); });
      case E::kMOD: return binaryLoop<N, N>(args, [](T x, T y) { return floorMod(x, y); });
      case E::kFMOD: return binaryLoop<N, N>(args, [](T x, T y) { return std::fmod(x, y); });
      default: break;
    }
  } else {
    if constexpr (std::is_unsigned_v<T>) {
      if (op == E::kSHIFT_LEFT) return binaryLoop<N, N>(args, [](T x, T y) { return shiftLeft(x, y); });
      if (op == E::kSHIFT_RIGHT) return binaryLoop<N, N>(args, [](T x, T y) { return shiftRight(x, y); });
    }
    // Integer division by zero is an error, not undefined behaviour.
    const T* b = static_cast<const T*>(args.in(1).data);
    for (int64_t i = 0, n = args.in(1).volume(); i < n; ++i)
      if (b[i] == 0) failStep(step, "integer division by zero");
    switch (op) {
      case E::kDIV: return binaryLoop<N, N>(args, [](T x, T y) { return truncDivide(x, y); });  // as C and ONNX
      case E::kFLOOR_DIV: return binaryLoop<N, N>(args, [](T x, T y) { return floorDivide(x, y); });
      case E::kMOD: return binaryLoop<N, N>(args, [](T x, T y) { return floorMod(x, y); });
      case E::kFMOD: return binaryLoop<N, N>(args, [](T x, T y) { return isMinusOne(y) ? T(0) : T(x % y); });
      default: break;
    }
  }
  failStep(step, "unsupported element-wise operation");
}

std::unique_ptr<Kernel> makeElementWise(const KernelSpec& spec) {
  auto op = static_cast<ElementWiseOperation>(spec.step.attrs.getInt("op"));
  DataType type = spec.inputType(0);
  std::string name = spec.step.name;
  return makeKernel(spec, [op, type, name](const KernelArgs& a) {
    dispatchElement(type, [&](auto n) { runBinary<decltype(n)>(op, a, name); });
  });
}

// ---- Element maps (activations and unary operations) --------------------------------------------------------------

// out[i] = f(in[i]); In and Out are element traits, f works on their Compute types.
template <typename In, typename Out, typename F>
void mapElements(const KernelArgs& a, F f) {
  const auto* in = static_cast<const typename In::Storage*>(a.in(0).data);
  auto* out = static_cast<typename Out::Storage*>(a.out(0).data);
  for (int64_t i = 0, n = a.out(0).volume(); i < n; ++i)
    out[i] = Out::store(static_cast<typename Out::Compute>(f(In::load(in[i]))));
}

// Defaults follow ONNX where TensorRT leaves the parameter to the user.
void activationDefaults(ActivationType type, double& alpha, double& beta, const graph::Attrs& attrs) {
  double a = 0, b = 0;
  switch (type) {
    case ActivationType::kLEAKY_RELU: a = 0.01; break;
    case ActivationType::kELU: a = 1.0; break;
    case ActivationType::kSELU: a = 1.67326319217681884765625; b = 1.05070102214813232421875; break;
    case ActivationType::kSOFTPLUS: a = 1.0; b = 1.0; break;
    case ActivationType::kCLIP: a = -INFINITY; b = INFINITY; break;
    case ActivationType::kHARD_SIGMOID: a = 0.2; b = 0.5; break;
    case ActivationType::kSCALED_TANH: a = 1.0; b = 1.0; break;
    case ActivationType::kTHRESHOLDED_RELU: a = 1.0; break;
    default: break;
  }
  alpha = attrs.getFloat("alpha", a);
  beta = attrs.getFloat("beta", b);
}

std::unique_ptr<Kernel> makeActivation(const KernelSpec& spec) {
  auto type = static_cast<ActivationType>(spec.step.attrs.getInt("op"));
  DataType dataType = spec.inputType(0);
  if (!isFloatingPoint(dataType)) spec.unsupported(std::string("activations on ") + dataTypeName(dataType));
  double alpha, beta;
  activationDefaults(type, alpha, beta, spec.step.attrs);
  return makeKernel(spec, [type, dataType, alpha, beta](const KernelArgs& a) {
    dispatchElement(dataType, [&](auto n) {
      using N = decltype(n);
      using T = typename N::Compute;
      if constexpr (std::is_floating_point_v<T>) {
        T ta = static_cast<T>(alpha), tb = static_cast<T>(beta);
        mapElements<N, N>(a, [&](T x) { return activation(type, x, ta, tb); });
      }
    });
  });
}

template <typename T>
T unaryFloat(UnaryOperation op, T x) {
  using U = UnaryOperation;
  switch (op) {
    case U::kEXP: return std::exp(x);
    case U::kLOG: return std::log(x);
    case U::kSQRT: return std::sqrt(x);
    case U::kRECIP: return T(1) / x;
    case U::kABS: return std::fabs(x);
    case U::kNEG: return -x;
    case U::kSIN: return std::sin(x);
    case U::kCOS: return std::cos(x);
    case U::kTAN: return std::tan(x);
    case U::kSINH: return std::sinh(x);
    case U::kCOSH: return std::cosh(x);
    case U::kASIN: return std::asin(x);
    case U::kACOS: return std::acos(x);
    case U::kATAN: return std::atan(x);
    case U::kASINH: return std::asinh(x);
    case U::kACOSH: return std::acosh(x);
    case U::kATANH: return std::atanh(x);
    case U::kCEIL: return std::ceil(x);
    case U::kFLOOR: return std::floor(x);
    case U::kERF: return std::erf(x);
    case U::kSIGN: return x > 0 ? T(1) : (x < 0 ? T(-1) : T(0));  // NaN gives 0 here; kept as NaN below
    case U::kROUND: return std::nearbyint(x);  // half to even, as ONNX Round
    default: return x;
  }
}

// Abs, Neg and Sign of integers; negation wraps like numpy (abs(INT_MIN) stays INT_MIN).
template <typename T>
T unaryInteger(UnaryOperation op, T x) {
  using U = UnaryOperation;
  if constexpr (std::is_unsigned_v<T>) {
    if (op == U::kABS) return x;
    if (op == U::kNEG) return static_cast<T>(T(0) - x);
    return x > 0 ? T(1) : T(0);
  } else {
    if (op == U::kABS) return x < 0 ? wrappingNegate(x) : x;
    if (op == U::kNEG) return wrappingNegate(x);
    return static_cast<T>((x > 0) - (x < 0));
  }
}

std::unique_ptr<Kernel> makeUnary(const KernelSpec& spec) {
  using U = UnaryOperation;
  auto op = static_cast<U>(spec.step.attrs.getInt("op"));
  DataType type = spec.inputType(0);
  bool integerOp = op == U::kABS || op == U::kNEG || op == U::kSIGN;
  if (type == DataType::kBOOL && op != U::kNOT) spec.unsupported("this unary operation on bool");
  if (!isFloatingPoint(type) && type != DataType::kBOOL && !integerOp)
    spec.unsupported(std::string("this unary operation on ") + dataTypeName(type));
  return makeKernel(spec, [op, type](const KernelArgs& a) {
    dispatchElement(type, [&](auto n) {
      using N = decltype(n);
      using T = typename N::Compute;
      if constexpr (std::is_floating_point_v<T>) {
        if (op == U::kISINF) return mapElements<N, Bool>(a, [](T x) { return std::isinf(x); });
        if (op == U::kISNAN) return mapElements<N, Bool>(a, [](T x) { return std::isnan(x); });
        if (op == U::kSIGN)  // NaN in, NaN out (numpy sign)
          return mapElements<N, N>(a, [](T x) { return std::isnan(x) ? x : unaryFloat(U::kSIGN, x); });
        mapElements<N, N>(a, [op](T x) { return unaryFloat(op, x); });
      } else if (op == U::kNOT) {
        mapElements<Bool, Bool>(a, [](uint8_t x) { return !x; });
      } else {
        mapElements<N, N>(a, [op](T x) { return unaryInteger(op, x); });
      }
    });
  });
}

}  // namespace

void registerElementwiseKernels(KernelTable& table) {
  table.add(LayerType::kELEMENTWISE, makeElementWise);
  table.add(LayerType::kACTIVATION, makeActivation);
  table.add(LayerType::kUNARY, makeUnary);
}

}  // namespace kiln::cpu
