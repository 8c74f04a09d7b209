// Strided walks over shapes: plain (any strides, e.g. a transposed view) and numpy-broadcast inputs.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "kiln/types.h"

namespace kiln::backend {

// Row-major strides of a shape (elements).
inline void contiguousStrides(const Dims& shape, int64_t* strides) {
  int64_t s = 1;
  for (int32_t i = shape.nbDims - 1; i >= 0; --i) {
    strides[i] = s;
    s *= shape.d[i];
  }
}

// Calls f(offset) for every coordinate of `dims` in row-major order, offset = sum coord[i] * strides[i].
template <typename F>
void forEachOffset(int32_t rank, const int64_t* dims, const int64_t* strides, F&& f) {
  int64_t count = 1;
  for (int32_t i = 0; i < rank; ++i) count *= dims[i];
  int64_t coord[Dims::MAX_DIMS] = {};
  int64_t offset = 0;
  for (int64_t n = 0; n < count; ++n) {
    f(offset);
    for (int32_t i = rank - 1; i >= 0; --i) {
      offset += strides[i];
      if (++coord[i] < dims[i]) break;
      offset -= strides[i] * dims[i];
      coord[i] = 0;
    }
  }
}

// Strides of `in` aligned to `out`'s rank, 0 where `in` broadcasts (size 1 or missing axis).
inline void broadcastStrides(const Dims& in, const Dims& out, int64_t* strides) {
  int32_t offset = out.nbDims - in.nbDims;
  int64_t s = 1;
  for (int32_t i = out.nbDims - 1; i >= 0; --i) {
    int32_t j = i - offset;
    if (j < 0 || in.d[j] == 1) {
      strides[i] = 0;
    } else {
      strides[i] = s;
    }
    if (j >= 0) s *= in.d[j];
  }
}

// Whether `in` broadcasts to `out` (numpy rules) without changing it: no more axes, each aligned axis 1 or equal.
inline bool broadcastsTo(const Dims& in, const Dims& out) {
  if (in.nbDims > out.nbDims) return false;
  for (int32_t j = 0; j < in.nbDims; ++j) {
    int64_t d = in.d[j], o = out.d[out.nbDims - in.nbDims + j];
    if (d != 1 && d != o) return false;
  }
  return true;
}

// Calls body(outIndex, offsets, count, steps) for every run along the innermost axis of `out`; offsets[i] and steps[i]
// address input i broadcast to `out` (numpy rules).
template <size_t N, typename Body>
void forEachBroadcastRunN(const Dims& out, const std::array<Dims, N>& ins, Body&& body) {
  int32_t rank = out.nbDims;
  int64_t total = out.volume();
  std::array<int64_t, N> offsets{}, steps{};
  if (total == 0) return;
  if (rank == 0) return body(0, offsets, 1, steps);
  int64_t strides[N][Dims::MAX_DIMS];
  for (size_t i = 0; i < N; ++i) {
    broadcastStrides(ins[i], out, strides[i]);
    steps[i] = strides[i][rank - 1];
  }
  int64_t inner = out.d[rank - 1];
  int64_t coord[Dims::MAX_DIMS] = {};
  for (int64_t o = 0; o < total; o += inner) {
    body(o, offsets, inner, steps);
    for (int32_t d = rank - 2; d >= 0; --d) {
      ++coord[d];
      for (size_t i = 0; i < N; ++i) offsets[i] += strides[i][d];
      if (coord[d] < out.d[d]) break;
      for (size_t i = 0; i < N; ++i) offsets[i] -= strides[i][d] * coord[d];
      coord[d] = 0;
    }
  }
}

// Calls body(outIndex, aIndex, bIndex, count, aStep, bStep) for runs along the innermost axis.
template <typename Body>
void forEachBroadcastRun(const Dims& out, const Dims& a, const Dims& b, Body&& body) {
  forEachBroadcastRunN<2>(out, {a, b}, [&](int64_t o, const auto& at, int64_t n, const auto& step) {
    body(o, at[0], at[1], n, step[0], step[1]);
  });
}

}  // namespace kiln::backend
