// CPU kernels that move or convert data: identity, cast, materialized shape values.
#include <cmath>
#include <cstring>
#include <type_traits>

#include "backends/cpu/cpu_kernel.h"
#include "core/half.h"
#include "ops/copy.h"

namespace kiln::cpu {

namespace {

// Float to integer truncates toward zero (ONNX Cast); NaN becomes 0. Values outside the target's range wrap through
// int64 (as numpy's astype on x86), except uint64 above the int64 range, which converts directly.
template <typename To, typename From>
To convertValue(From v) {
  if constexpr (std::is_integral_v<To> && std::is_floating_point_v<From>) {
    if (std::isnan(v)) return 0;
    if constexpr (std::is_same_v<To, uint64_t>)
      if (v >= From(9223372036854775808.0)) return static_cast<uint64_t>(v);
    return static_cast<To>(static_cast<int64_t>(v));
  } else {
    return static_cast<To>(v);
  }
}

// Element i of an fp16, bf16 or bool tensor as double (exact for all of them).
double loadNarrow(const void* data, DataType type, int64_t i) {
  auto bits = static_cast<const uint16_t*>(data);
  if (type == DataType::kHALF) return core::halfToFloat(bits[i]);
  if (type == DataType::kBF16) return core::bf16ToFloat(bits[i]);
  return static_cast<const uint8_t*>(data)[i] != 0;
}

void storeNarrow(void* data, DataType type, int64_t i, double v) {
  if (type == DataType::kHALF)
    static_cast<uint16_t*>(data)[i] = core::floatToHalf(static_cast<float>(v));
  else if (type == DataType::kBF16)
    static_cast<uint16_t*>(data)[i] = core::floatToBf16Truncated(static_cast<float>(v));
  else
    static_cast<uint8_t*>(data)[i] = v != 0;
}

// Converts n elements. Plain arithmetic types (fp32, fp64, every integer) convert directly, so 64-bit integers stay
// exact; fp16, bf16 and bool pass through double, which holds each of their values exactly.
void convertElements(const TensorArg& in, const TensorArg& out, int64_t n) {
  bool direct = core::dispatchArithmetic(in.type, [&](auto from) {
    using From = decltype(from);
    const auto* src = static_cast<const From*>(in.data);
    bool plainOut = core::dispatchArithmetic(out.type, [&](auto to) {
      using To = decltype(to);
      auto* dst = static_cast<To*>(out.data);
      for (int64_t i = 0; i < n; ++i) dst[i] = convertValue<To>(src[i]);
    });
    if (!plainOut)
      for (int64_t i = 0; i < n; ++i) storeNarrow(out.data, out.type, i, static_cast<double>(src[i]));
  });
  if (direct) return;
  bool plainOut = core::dispatchArithmetic(out.type, [&](auto to) {
    using To = decltype(to);
    auto* dst = static_cast<To*>(out.data);
    for (int64_t i = 0; i < n; ++i) dst[i] = convertValue<To>(loadNarrow(in.data, in.type, i));
  });
  if (!plainOut)
    for (int64_t i = 0; i < n; ++i) storeNarrow(out.data, out.type, i, loadNarrow(in.data, in.type, i));
}

std::unique_ptr<Kernel> makeIdentity(const KernelSpec& spec) {
  return makeKernel(spec, [](const KernelArgs& a) {
    size_t bytes = static_cast<size_t>(a.out(0).volume()) * dataTypeSize(a.out(0).type);
    if (bytes && a.out(0).data != a.in(0).data) std::memmove(a.out(0).data, a.in(0).data, bytes);
  });
}

std::unique_ptr<Kernel> makeCast(const KernelSpec& spec) {
  return makeKernel(spec, [](const KernelArgs& a) {
    const TensorArg& in = a.in(0);
    const TensorArg& out = a.out(0);
    int64_t n = out.volume();
    if (in.type == out.type) {
      std::memcpy(out.data, in.data, static_cast<size_t>(n) * dataTypeSize(in.type));
      return;
    }
    convertElements(in, out, n);
  });
}

std::unique_ptr<Kernel> makeShapeValues(const KernelSpec& spec) {
  auto ids = spec.step.opAttrs().get(ops::ShapeValues::kValues);
  return makeKernel(spec, [ids](const KernelArgs& a) {
    const TensorArg& out = a.out(0);
    for (size_t i = 0; i < ids.size(); ++i) {
      int64_t v = a.value(ids[i]);
      bool plain = core::dispatchArithmetic(
          out.type, [&](auto to) { static_cast<decltype(to)*>(out.data)[i] = static_cast<decltype(to)>(v); });
      if (!plain) storeNarrow(out.data, out.type, static_cast<int64_t>(i), static_cast<double>(v));
    }
  });
}

}  // namespace

void registerCopyKernels(KernelTable& table) {
  table.add(LayerType::kIDENTITY, makeIdentity);
  table.add(LayerType::kCAST, makeCast);
  table.add(LayerType::kSHAPE_VALUES, makeShapeValues);
}

}  // namespace kiln::cpu
