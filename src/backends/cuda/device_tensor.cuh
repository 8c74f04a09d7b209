// Device-side helpers shared by the CUDA kernel files: element storage types and strided index walks.
#pragma once

#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <cstdint>
#include <type_traits>

#include "backends/common/strided_iteration.h"
#include "backends/cuda/cuda_kernel.h"
#include "kiln/types.h"

namespace kiln::cuda {

// How a kiln type is held in device memory (Storage) and which type its arithmetic runs in (Compute); fp16 and
// bf16 compute in fp32 and round once per result, as on the CPU backend.
template <typename T>
struct Plain {
  using Storage = T;
  using Compute = T;
  __device__ static T load(T v) { return v; }
  __device__ static T store(T v) { return v; }
};
struct Half {
  using Storage = __half;
  using Compute = float;
  __device__ static float load(__half v) { return __half2float(v); }
  __device__ static __half store(float v) { return __float2half_rn(v); }
};
struct Bf16 {
  using Storage = __nv_bfloat16;
  using Compute = float;
  __device__ static float load(__nv_bfloat16 v) { return __bfloat162float(v); }
  __device__ static __nv_bfloat16 store(float v) { return __float2bfloat16_rn(v); }
};
using Bool = Plain<uint8_t>;

template <typename N>
constexpr bool kFloating = std::is_floating_point_v<typename N::Compute>;

// Calls f(N{}) with the element traits of `type` (bool as uint8).
template <typename F>
void dispatchElement(DataType type, F&& f) {
  switch (type) {
    case DataType::kFLOAT: return f(Plain<float>{});
    case DataType::kDOUBLE: return f(Plain<double>{});
    case DataType::kHALF: return f(Half{});
    case DataType::kBF16: return f(Bf16{});
    case DataType::kINT8: return f(Plain<int8_t>{});
    case DataType::kUINT8: return f(Plain<uint8_t>{});
    case DataType::kINT32: return f(Plain<int32_t>{});
    case DataType::kINT64: return f(Plain<int64_t>{});
    case DataType::kBOOL: return f(Bool{});
    case DataType::kINT16: return f(Plain<int16_t>{});
    case DataType::kUINT16: return f(Plain<uint16_t>{});
    case DataType::kUINT32: return f(Plain<uint32_t>{});
    case DataType::kUINT64: return f(Plain<uint64_t>{});
  }
  throw Error(ErrorCode::kUNSUPPORTED, std::string("element type ") + dataTypeName(type));
}

// Calls f(T{}) with an unsigned type of `bytes` bytes: data movement copies bits, whatever the element type.
template <typename F>
void dispatchBySize(size_t bytes, F&& f) {
  switch (bytes) {
    case 1: return f(uint8_t{});
    case 2: return f(uint16_t{});
    case 4: return f(uint32_t{});
    case 8: return f(uint64_t{});
  }
  throw Error(ErrorCode::kUNSUPPORTED, "elements of " + std::to_string(bytes) + " bytes");
}

// Calls f(I{}) with the type of index values: int32 or int64.
template <typename F>
void dispatchIndex(DataType type, F&& f) {
  switch (type) {
    case DataType::kINT32: return f(int32_t{});
    case DataType::kINT64: return f(int64_t{});
    default: break;
  }
  throw Error(ErrorCode::kUNSUPPORTED, std::string("indices of type ") + dataTypeName(type) + " (int32 or int64 only)");
}

// A row-major walk of `dims` with arbitrary strides per axis: offset(i) = sum coord_k(i) * strides[k].
// Passed by value to kernels (it fits the parameter space).
struct StridedWalk {
  static constexpr int64_t kNarrow = int64_t{1} << 31;
  int32_t rank = 0;
  int64_t dims[Dims::MAX_DIMS] = {};
  int64_t strides[Dims::MAX_DIMS] = {};

  __device__ int64_t offset(int64_t linear) const {
    int64_t o = 0;
    if (linear < kNarrow) {
      // 32-bit division costs a fraction of the 64-bit one, which the GPU emulates. An axis of 2^31 or more is
      // taken as 2^31: still larger than what is left of the index, so the coordinate and quotient stay exact.
      auto rest = static_cast<uint32_t>(linear);
      for (int32_t k = rank - 1; k >= 0; --k) {
        auto d = static_cast<uint32_t>(dims[k] < kNarrow ? dims[k] : kNarrow);
        uint32_t c = rest % d;
        rest /= d;
        o += c * strides[k];
      }
      return o;
    }
    for (int32_t k = rank - 1; k >= 0; --k) {
      int64_t c = linear % dims[k];
      linear /= dims[k];
      o += c * strides[k];
    }
    return o;
  }
};

// The leading axes that an ND index tuple (ONNX GatherND / ScatterND) addresses: their sizes and element strides.
struct TupleAxes {
  int32_t count = 0;
  int64_t dims[Dims::MAX_DIMS] = {};
  int64_t strides[Dims::MAX_DIMS] = {};
};

// Axes [first, first + count) of a contiguous tensor of `shape`.
inline TupleAxes tupleAxes(const Dims& shape, int32_t first, int32_t count) {
  TupleAxes axes;
  axes.count = count;
  int64_t stride = 1;
  for (int32_t d = shape.nbDims - 1; d >= first; --d) {
    if (d < first + count) {
      axes.dims[d - first] = shape.d[d];
      axes.strides[d - first] = stride;
    }
    stride *= shape.d[d];
  }
  return axes;
}

// The element offset that the `axes.count` index values at `tuple` name (negative values count from the end of their
// axis), or -1 when one lies outside [-n, n - 1]: the GPU cannot report it without a host synchronization.
template <typename I>
__device__ int64_t tupleOffset(const I* tuple, const TupleAxes& axes) {
  int64_t offset = 0;
  for (int32_t i = 0; i < axes.count; ++i) {
    int64_t v = static_cast<int64_t>(tuple[i]), n = axes.dims[i];
    if (v < 0) v += n;
    if (v < 0 || v >= n) return -1;
    offset += v * axes.strides[i];
  }
  return offset;
}

// The walk that reads an operand of shape `in` broadcast (numpy rules) to `out`.
inline StridedWalk broadcastWalk(const Dims& in, const Dims& out) {
  StridedWalk w;
  w.rank = out.nbDims;
  for (int32_t i = 0; i < out.nbDims; ++i) w.dims[i] = out.d[i];
  backend::broadcastStrides(in, out, w.strides);
  return w;
}

// ---- Elements of a run-time type (casts, fill values) ------------------------------------------------------------

// Element i of `type` as double (exact for every integer up to 2^53 and every fp32/fp16/bf16 value).
__device__ inline double loadAsDouble(const void* p, DataType type, int64_t i) {
  switch (type) {
    case DataType::kFLOAT: return static_cast<const float*>(p)[i];
    case DataType::kDOUBLE: return static_cast<const double*>(p)[i];
    case DataType::kHALF: return __half2float(static_cast<const __half*>(p)[i]);
    case DataType::kBF16: return __bfloat162float(static_cast<const __nv_bfloat16*>(p)[i]);
    case DataType::kINT8: return static_cast<const int8_t*>(p)[i];
    case DataType::kUINT8: return static_cast<const uint8_t*>(p)[i];
    case DataType::kBOOL: return static_cast<const uint8_t*>(p)[i] != 0;
    case DataType::kINT32: return static_cast<const int32_t*>(p)[i];
    case DataType::kINT64: return static_cast<double>(static_cast<const int64_t*>(p)[i]);
    case DataType::kINT16: return static_cast<const int16_t*>(p)[i];
    case DataType::kUINT16: return static_cast<const uint16_t*>(p)[i];
    case DataType::kUINT32: return static_cast<const uint32_t*>(p)[i];
    case DataType::kUINT64: return static_cast<double>(static_cast<const uint64_t*>(p)[i]);
  }
  return 0;
}

// fp32 to bf16 by dropping the low 16 bits (truncation, as the CPU backend and ONNX's reference Cast); NaN stays NaN.
__device__ inline __nv_bfloat16 truncateToBf16(float f) {
  uint32_t bits = __float_as_uint(f);
  uint16_t high = isnan(f) ? static_cast<uint16_t>((bits >> 16) | 0x40) : static_cast<uint16_t>(bits >> 16);
  return __ushort_as_bfloat16(high);
}

// Float to integer truncates toward zero (ONNX Cast); NaN becomes 0. Same rules as the CPU backend.
__device__ inline void storeFromDouble(void* p, DataType type, int64_t i, double v) {
  int64_t whole = isnan(v) ? 0 : static_cast<int64_t>(v);
  switch (type) {
    case DataType::kFLOAT: static_cast<float*>(p)[i] = static_cast<float>(v); return;
    case DataType::kDOUBLE: static_cast<double*>(p)[i] = v; return;
    case DataType::kHALF: static_cast<__half*>(p)[i] = __float2half_rn(static_cast<float>(v)); return;
    case DataType::kBF16: static_cast<__nv_bfloat16*>(p)[i] = truncateToBf16(static_cast<float>(v)); return;
    case DataType::kBOOL: static_cast<uint8_t*>(p)[i] = v != 0; return;
    case DataType::kINT8: static_cast<int8_t*>(p)[i] = static_cast<int8_t>(whole); return;
    case DataType::kUINT8: static_cast<uint8_t*>(p)[i] = static_cast<uint8_t>(whole); return;
    case DataType::kINT32: static_cast<int32_t*>(p)[i] = static_cast<int32_t>(whole); return;
    case DataType::kINT64: static_cast<int64_t*>(p)[i] = whole; return;
    case DataType::kINT16: static_cast<int16_t*>(p)[i] = static_cast<int16_t>(whole); return;
    case DataType::kUINT16: static_cast<uint16_t*>(p)[i] = static_cast<uint16_t>(whole); return;
    case DataType::kUINT32: static_cast<uint32_t*>(p)[i] = static_cast<uint32_t>(whole); return;
    case DataType::kUINT64:
      // Beyond the int64 range the value converts directly.
      static_cast<uint64_t*>(p)[i] = isnan(v)                     ? 0
                                     : v >= 9223372036854775808.0 ? static_cast<uint64_t>(v)
                                                                  : static_cast<uint64_t>(whole);
      return;
  }
}

// Integer to integer goes through int64 so that values beyond 2^53 stay exact.
__device__ inline int64_t loadInteger(const void* p, DataType type, int64_t i) {
  switch (type) {
    case DataType::kINT8: return static_cast<const int8_t*>(p)[i];
    case DataType::kUINT8:
    case DataType::kBOOL: return static_cast<const uint8_t*>(p)[i];
    case DataType::kINT32: return static_cast<const int32_t*>(p)[i];
    case DataType::kINT16: return static_cast<const int16_t*>(p)[i];
    case DataType::kUINT16: return static_cast<const uint16_t*>(p)[i];
    case DataType::kUINT32: return static_cast<const uint32_t*>(p)[i];
    default: return static_cast<const int64_t*>(p)[i];  // int64, and uint64 by its bits (wrapping as the CPU does)
  }
}

__device__ inline void storeInteger(void* p, DataType type, int64_t i, int64_t v) {
  switch (type) {
    case DataType::kINT8: static_cast<int8_t*>(p)[i] = static_cast<int8_t>(v); return;
    case DataType::kUINT8: static_cast<uint8_t*>(p)[i] = static_cast<uint8_t>(v); return;
    case DataType::kBOOL: static_cast<uint8_t*>(p)[i] = v != 0; return;
    case DataType::kINT32: static_cast<int32_t*>(p)[i] = static_cast<int32_t>(v); return;
    case DataType::kINT16: static_cast<int16_t*>(p)[i] = static_cast<int16_t>(v); return;
    case DataType::kUINT16: static_cast<uint16_t*>(p)[i] = static_cast<uint16_t>(v); return;
    case DataType::kUINT32: static_cast<uint32_t*>(p)[i] = static_cast<uint32_t>(v); return;
    default: static_cast<int64_t*>(p)[i] = v; return;  // int64, uint64 (same bits)
  }
}

// Grid-stride loop over [0, n).
#define KILN_GRID_LOOP(i, n) \
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < (n); i += int64_t{gridDim.x} * blockDim.x)

// Raises the launch error (bad configuration, no kernel image for this GPU) as an Error naming the step.
inline void checkLaunch(const std::string& step) { KILN_CUDA_CHECK(cudaGetLastError(), step); }

}  // namespace kiln::cuda
