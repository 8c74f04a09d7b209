// CPU kernels that move or convert data: identity, cast, materialized shape values.
#include <cmath>
#include <cstring>

#include "backends/cpu/cpu_kernel.h"
#include "core/half.h"

namespace kiln::cpu {

namespace {

// Reads element i of `type` as double (exact for every integer up to 2^53 and all fp32/fp16/bf16).
double loadAsDouble(const void* data, DataType type, int64_t i) {
  switch (type) {
    case DataType::kFLOAT: return static_cast<const float*>(data)[i];
    case DataType::kDOUBLE: return static_cast<const double*>(data)[i];
    case DataType::kHALF: return core::halfToFloat(static_cast<const uint16_t*>(data)[i]);
    case DataType::kBF16: return core::bf16ToFloat(static_cast<const uint16_t*>(data)[i]);
    case DataType::kINT8: return static_cast<const int8_t*>(data)[i];
    case DataType::kUINT8: return static_cast<const uint8_t*>(data)[i];
    case DataType::kBOOL: return static_cast<const uint8_t*>(data)[i] != 0;
    case DataType::kINT32: return static_cast<const int32_t*>(data)[i];
    case DataType::kINT64: return static_cast<double>(static_cast<const int64_t*>(data)[i]);
  }
  return 0;
}

void storeFromDouble(void* data, DataType type, int64_t i, double v) {
  switch (type) {
    case DataType::kFLOAT: static_cast<float*>(data)[i] = static_cast<float>(v); return;
    case DataType::kDOUBLE: static_cast<double*>(data)[i] = v; return;
    case DataType::kHALF: static_cast<uint16_t*>(data)[i] = core::floatToHalf(static_cast<float>(v)); return;
    case DataType::kBF16: static_cast<uint16_t*>(data)[i] = core::floatToBf16(static_cast<float>(v)); return;
    case DataType::kBOOL: static_cast<uint8_t*>(data)[i] = v != 0; return;
    // Float to integer truncates toward zero (ONNX Cast); NaN becomes 0.
    case DataType::kINT8: static_cast<int8_t*>(data)[i] = std::isnan(v) ? 0 : static_cast<int8_t>(static_cast<int64_t>(v)); return;
    case DataType::kUINT8: static_cast<uint8_t*>(data)[i] = std::isnan(v) ? 0 : static_cast<uint8_t>(static_cast<int64_t>(v)); return;
    case DataType::kINT32: static_cast<int32_t*>(data)[i] = std::isnan(v) ? 0 : static_cast<int32_t>(static_cast<int64_t>(v)); return;
    case DataType::kINT64: static_cast<int64_t*>(data)[i] = std::isnan(v) ? 0 : static_cast<int64_t>(v); return;
  }
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
    if (in.type == DataType::kINT64 && out.type == DataType::kINT32) {  // exact path, the common shape cast
      auto* src = static_cast<const int64_t*>(in.data);
      auto* dst = static_cast<int32_t*>(out.data);
      for (int64_t i = 0; i < n; ++i) dst[i] = static_cast<int32_t>(src[i]);
      return;
    }
    if (in.type == DataType::kINT32 && out.type == DataType::kINT64) {
      auto* src = static_cast<const int32_t*>(in.data);
      auto* dst = static_cast<int64_t*>(out.data);
      for (int64_t i = 0; i < n; ++i) dst[i] = src[i];
      return;
    }
    for (int64_t i = 0; i < n; ++i) storeFromDouble(out.data, out.type, i, loadAsDouble(in.data, in.type, i));
  });
}

std::unique_ptr<Kernel> makeShapeValues(const KernelSpec& spec) {
  auto ids = spec.step.attrs.getExprs("values").ids;
  return makeKernel(spec, [ids](const KernelArgs& a) {
    const TensorArg& out = a.out(0);
    for (size_t i = 0; i < ids.size(); ++i) {
      int64_t v = a.value(ids[i]);
      if (out.type == DataType::kINT32) static_cast<int32_t*>(out.data)[i] = static_cast<int32_t>(v);
      else storeFromDouble(out.data, out.type, static_cast<int64_t>(i), static_cast<double>(v));
      if (out.type == DataType::kINT64) static_cast<int64_t*>(out.data)[i] = v;
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
