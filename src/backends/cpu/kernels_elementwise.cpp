// CPU kernels: broadcast element-wise binary operations, activations and unary operations.
#include <cmath>
#include <cstring>

#include "backends/cpu/strided_iteration.h"
#include "backends/cpu/cpu_kernel.h"

namespace kiln::cpu {

namespace {

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
    if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
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
    if (r != 0 && ((r < 0) != (b < 0))) r += b;
    return r;
  }
}

template <typename T>
T power(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    return std::pow(a, b);
  } else {
    T result = 1;
    if (b < 0) return a == 1 ? 1 : 0;
    for (T i = 0; i < b; ++i) result *= a;
    return result;
  }
}

// Applies `op` to every broadcast pair; T is the input type, R the output type.
template <typename T, typename R, typename Op>
void binaryLoop(const KernelArgs& args, Op op) {
  const T* a = static_cast<const T*>(args.in(0).data);
  const T* b = static_cast<const T*>(args.in(1).data);
  R* out = static_cast<R*>(args.out(0).data);
  forEachBroadcastRun(args.out(0).shape, args.in(0).shape, args.in(1).shape,
                      [&](int64_t o, int64_t ai, int64_t bi, int64_t n, int64_t as, int64_t bs) {
                        for (int64_t i = 0; i < n; ++i) out[o + i] = static_cast<R>(op(a[ai + i * as], b[bi + i * bs]));
                      });
}

template <typename T>
void runBinary(ElementWiseOperation op, const KernelArgs& args, const std::string& step) {
  using E = ElementWiseOperation;
  switch (op) {
    case E::kSUM: return binaryLoop<T, T>(args, [](T x, T y) { return x + y; });
    case E::kSUB: return binaryLoop<T, T>(args, [](T x, T y) { return x - y; });
    case E::kPROD: return binaryLoop<T, T>(args, [](T x, T y) { return x * y; });
    case E::kMAX: return binaryLoop<T, T>(args, [](T x, T y) { return x > y || std::isnan(static_cast<double>(x)) ? x : y; });
    case E::kMIN: return binaryLoop<T, T>(args, [](T x, T y) { return x < y || std::isnan(static_cast<double>(x)) ? x : y; });
    case E::kPOW: return binaryLoop<T, T>(args, [](T x, T y) { return power(x, y); });
    case E::kEQUAL: return binaryLoop<T, uint8_t>(args, [](T x, T y) { return x == y; });
    case E::kGREATER: return binaryLoop<T, uint8_t>(args, [](T x, T y) { return x > y; });
    case E::kLESS: return binaryLoop<T, uint8_t>(args, [](T x, T y) { return x < y; });
    case E::kAND: return binaryLoop<T, uint8_t>(args, [](T x, T y) { return x && y; });
    case E::kOR: return binaryLoop<T, uint8_t>(args, [](T x, T y) { return x || y; });
    case E::kXOR: return binaryLoop<T, uint8_t>(args, [](T x, T y) { return (x != 0) != (y != 0); });
    default: break;
  }
  if constexpr (std::is_floating_point_v<T>) {
    switch (op) {
      case E::kDIV: return binaryLoop<T, T>(args, [](T x, T y) { return x / y; });
      case E::kFLOOR_DIV: return binaryLoop<T, T>(args, [](T x, T y) { return floorDivide(x, y); });
      case E::kMOD: return binaryLoop<T, T>(args, [](T x, T y) { return floorMod(x, y); });
      case E::kFMOD: return binaryLoop<T, T>(args, [](T x, T y) { return std::fmod(x, y); });
      default: break;
    }
  } else {
    // Integer division by zero is an error, not undefined behaviour.
    const T* b = static_cast<const T*>(args.in(1).data);
    for (int64_t i = 0, n = args.in(1).volume(); i < n; ++i)
      if (b[i] == 0) failStep(step, "integer division by zero");
    switch (op) {
      case E::kDIV: return binaryLoop<T, T>(args, [](T x, T y) { return truncDivide(x, y); });  // as C and ONNX
      case E::kFLOOR_DIV: return binaryLoop<T, T>(args, [](T x, T y) { return floorDivide(x, y); });
      case E::kMOD: return binaryLoop<T, T>(args, [](T x, T y) { return floorMod(x, y); });
      case E::kFMOD: return binaryLoop<T, T>(args, [](T x, T y) { return isMinusOne(y) ? T(0) : T(x % y); });
      default: break;
    }
  }
  failStep(step, "unsupported element-wise operation");
}

std::unique_ptr<Kernel> makeElementWise(const KernelSpec& spec) {
  auto op = static_cast<ElementWiseOperation>(spec.step.attrs.getInt("op"));
  DataType type = spec.inputType(0);
  std::string name = spec.step.name;
  if (type != DataType::kFLOAT && type != DataType::kDOUBLE && type != DataType::kINT32 && type != DataType::kINT64 && type != DataType::kBOOL &&
      type != DataType::kINT8 && type != DataType::kUINT8)
    spec.unsupported(std::string("element-wise on ") + dataTypeName(type));
  return makeKernel(spec, [op, type, name](const KernelArgs& a) {
    switch (type) {
      case DataType::kFLOAT: return runBinary<float>(op, a, name);
      case DataType::kDOUBLE: return runBinary<double>(op, a, name);
      case DataType::kINT32: return runBinary<int32_t>(op, a, name);
      case DataType::kINT64: return runBinary<int64_t>(op, a, name);
      case DataType::kINT8: return runBinary<int8_t>(op, a, name);
      default: return runBinary<uint8_t>(op, a, name);
    }
  });
}

float activation(ActivationType type, float x, float alpha, float beta) {
  switch (type) {
    case ActivationType::kRELU: return x < 0 ? 0 : x;  // NaN stays NaN
    case ActivationType::kSIGMOID: return 1.0f / (1.0f + std::exp(-x));
    case ActivationType::kTANH: return std::tanh(x);
    case ActivationType::kLEAKY_RELU: return x >= 0 ? x : alpha * x;
    case ActivationType::kELU: return x >= 0 ? x : alpha * (std::exp(x) - 1.0f);
    case ActivationType::kSELU: return beta * (x >= 0 ? x : alpha * (std::exp(x) - 1.0f));
    case ActivationType::kSOFTSIGN: return x / (1.0f + std::fabs(x));
    case ActivationType::kSOFTPLUS: {
      float z = beta * x;  // log(1 + e^z) without overflow for large z
      return alpha * (std::max(z, 0.0f) + std::log1p(std::exp(-std::fabs(z))));
    }
    case ActivationType::kCLIP: return std::min(std::max(x, alpha), beta);
    case ActivationType::kHARD_SIGMOID: return std::max(0.0f, std::min(1.0f, alpha * x + beta));
    case ActivationType::kSCALED_TANH: return alpha * std::tanh(beta * x);
    case ActivationType::kTHRESHOLDED_RELU: return x > alpha ? x : 0;
    case ActivationType::kGELU_ERF: return 0.5f * x * (1.0f + std::erf(x * 0.70710678118654752f));
    case ActivationType::kGELU_TANH:
      return 0.5f * x * (1.0f + std::tanh(0.79788456080286536f * (x + 0.044715f * x * x * x)));
  }
  return x;
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
  if (spec.inputType(0) != DataType::kFLOAT) spec.unsupported("activations run on fp32 on the CPU");
  double alpha, beta;
  activationDefaults(type, alpha, beta, spec.step.attrs);
  float fa = static_cast<float>(alpha), fb = static_cast<float>(beta);
  return makeKernel(spec, [type, fa, fb](const KernelArgs& a) {
    const float* in = static_cast<const float*>(a.in(0).data);
    float* out = static_cast<float*>(a.out(0).data);
    for (int64_t i = 0, n = a.out(0).volume(); i < n; ++i) out[i] = activation(type, in[i], fa, fb);
  });
}

float unaryFloat(UnaryOperation op, float x) {
  using U = UnaryOperation;
  switch (op) {
    case U::kEXP: return std::exp(x);
    case U::kLOG: return std::log(x);
    case U::kSQRT: return std::sqrt(x);
    case U::kRECIP: return 1.0f / x;
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
    case U::kSIGN: return x > 0 ? 1.0f : (x < 0 ? -1.0f : 0.0f);
    case U::kROUND: return std::nearbyint(x);  // half to even, as ONNX Round
    default: return x;
  }
}

template <typename T, typename F>
void unaryLoop(const KernelArgs& a, F f) {
  const T* in = static_cast<const T*>(a.in(0).data);
  for (int64_t i = 0, n = a.out(0).volume(); i < n; ++i) f(i, in[i]);
}

std::unique_ptr<Kernel> makeUnary(const KernelSpec& spec) {
  using U = UnaryOperation;
  auto op = static_cast<U>(spec.step.attrs.getInt("op"));
  DataType type = spec.inputType(0);
  if (op == U::kISINF || op == U::kISNAN) {
    return makeKernel(spec, [op](const KernelArgs& a) {
      auto* out = static_cast<uint8_t*>(a.out(0).data);
      unaryLoop<float>(a, [&](int64_t i, float x) { out[i] = op == U::kISINF ? std::isinf(x) : std::isnan(x); });
    });
  }
  if (op == U::kNOT) {
    return makeKernel(spec, [](const KernelArgs& a) {
      auto* out = static_cast<uint8_t*>(a.out(0).data);
      unaryLoop<uint8_t>(a, [&](int64_t i, uint8_t x) { out[i] = !x; });
    });
  }
  if (type == DataType::kINT32 || type == DataType::kINT64) {
    if (op != U::kABS && op != U::kNEG && op != U::kSIGN) spec.unsupported("this unary operation needs a float input");
    return makeKernel(spec, [op, type](const KernelArgs& a) {
      auto apply = [op](auto x) -> decltype(x) {
        if (op == U::kABS) return x < 0 ? -x : x;
        if (op == U::kNEG) return -x;
        return (x > 0) - (x < 0);
      };
      if (type == DataType::kINT32) {
        auto* out = static_cast<int32_t*>(a.out(0).data);
        unaryLoop<int32_t>(a, [&](int64_t i, int32_t x) { out[i] = apply(x); });
      } else {
        auto* out = static_cast<int64_t*>(a.out(0).data);
        unaryLoop<int64_t>(a, [&](int64_t i, int64_t x) { out[i] = apply(x); });
      }
    });
  }
  if (type != DataType::kFLOAT) spec.unsupported(std::string("unary operations on ") + dataTypeName(type));
  return makeKernel(spec, [op](const KernelArgs& a) {
    auto* out = static_cast<float*>(a.out(0).data);
    unaryLoop<float>(a, [&](int64_t i, float x) { out[i] = unaryFloat(op, x); });
  });
}

}  // namespace

void registerElementwiseKernels(KernelTable& table) {
  table.add(LayerType::kELEMENTWISE, makeElementWise);
  table.add(LayerType::kACTIVATION, makeActivation);
  table.add(LayerType::kUNARY, makeUnary);
}

}  // namespace kiln::cpu
