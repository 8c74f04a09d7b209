// CPU kernels: broadcast element-wise binary operations, activations and unary operations.
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>

#include "backends/common/activation_function.h"
#include "backends/common/scalar_math.h"
#include "backends/common/strided_iteration.h"
#include "backends/cpu/cpu_kernel.h"
#include "core/half.h"
#include "ops/elementwise.h"

namespace kiln::cpu {

using backend::activation;
using backend::activationDefaults;
using backend::forEachBroadcastRun;

using backend::floorDivide;
using backend::floorMod;
using backend::power;
using backend::shiftLeft;
using backend::shiftRight;
using backend::truncDivide;
using backend::truncMod;
using backend::unaryFloat;
using backend::unaryInteger;
using backend::wrappingAdd;
using backend::wrappingMultiply;
using backend::wrappingSubtract;

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

// ---- Binary -------------------------------------------------------------------------------------------------------

// Applies `op` to every broadcast pair; In holds the inputs' element traits, Out the output's.
template <typename In, typename Out, typename Op>
void binaryLoop(const KernelArgs& args, Op op) {
  using S = typename In::Storage;
  const S* a = static_cast<const S*>(args.in(0).data);
  const S* b = static_cast<const S*>(args.in(1).data);
  auto* out = static_cast<typename Out::Storage*>(args.out(0).data);
  forEachBroadcastRun(
      args.out(0).shape, args.in(0).shape, args.in(1).shape,
      [&](int64_t o, int64_t ai, int64_t bi, int64_t n, int64_t as, int64_t bs) {
        for (int64_t i = 0; i < n; ++i)
          out[o + i] =
              Out::store(static_cast<typename Out::Compute>(op(In::load(a[ai + i * as]), In::load(b[bi + i * bs]))));
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
    case E::kSUM: return binaryLoop<N, N>(args, [](T x, T y) { return wrappingAdd(x, y); });
    case E::kSUB: return binaryLoop<N, N>(args, [](T x, T y) { return wrappingSubtract(x, y); });
    case E::kPROD:
      return binaryLoop<N, N>(args, [](T x, T y) {
        if constexpr (std::is_floating_point_v<T>)
          return x * y;
        else
          return wrappingMultiply(x, y);
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
    // A zero divisor gives 0 (scalar_math.h); a build refuses one between constants (host_evaluator.cpp).
    switch (op) {
      case E::kDIV: return binaryLoop<N, N>(args, [](T x, T y) { return truncDivide(x, y); });  // as C and ONNX
      case E::kFLOOR_DIV: return binaryLoop<N, N>(args, [](T x, T y) { return floorDivide(x, y); });
      case E::kMOD: return binaryLoop<N, N>(args, [](T x, T y) { return floorMod(x, y); });
      case E::kFMOD: return binaryLoop<N, N>(args, [](T x, T y) { return truncMod(x, y); });
      default: break;
    }
  }
  failStep(step, "unsupported element-wise operation");
}

std::unique_ptr<Kernel> makeElementWise(const KernelSpec& spec) {
  ElementWiseOperation op = spec.step.opAttrs().get(ops::ElementWise::kOp);
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

std::unique_ptr<Kernel> makeActivation(const KernelSpec& spec) {
  ActivationType type = spec.step.opAttrs().get(ops::Activation::kOp);
  DataType dataType = spec.inputType(0);
  if (!isFloatingPoint(dataType)) spec.unsupported(std::string("activations on ") + dataTypeName(dataType));
  double alpha, beta;
  activationDefaults(type, alpha, beta, spec.step.opAttrs());
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

std::unique_ptr<Kernel> makeUnary(const KernelSpec& spec) {
  using U = UnaryOperation;
  U op = spec.step.opAttrs().get(ops::Unary::kOp);
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
