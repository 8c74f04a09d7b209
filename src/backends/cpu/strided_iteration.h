// Strided walks over shapes: plain (any strides, e.g. a transposed view) and numpy-broadcast pairs.
#pragma once

#include <cstdint>

#include "kiln/types.h"

namespace kiln::cpu {

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

// Calls body(outIndex, aIndex, bIndex, count, aStep, bStep) for runs along the innermost axis.
template <typename Body>
void forEachBroadcastRun(const Dims& out, const Dims& a, const Dims& b, Body&& body) {
  int32_t rank = out.nbDims;
  int64_t total = out.volume();
  if (total == 0) return;
  if (rank == 0) {
    body(0, 0, 0, 1, 0, 0);
    return;
  }
  int64_t sa[Dims::MAX_DIMS], sb[Dims::MAX_DIMS];
  broadcastStrides(a, out, sa);
  broadcastStrides(b, out, sb);
  int64_t inner = out.d[rank - 1];
  int64_t idx[Dims::MAX_DIMS] = {};
  int64_t ai = 0, bi = 0;
  for (int64_t o = 0; o < total; o += inner) {
    body(o, ai, bi, inner, sa[rank - 1], sb[rank - 1]);
    // Advance the outer counters (odometer), updating the input offsets incrementally.
    for (int32_t d = rank - 2; d >= 0; --d) {
      ++idx[d];
      ai += sa[d];
      bi += sb[d];
      if (idx[d] < out.d[d]) break;
      ai -= sa[d] * idx[d];
      bi -= sb[d] * idx[d];
      idx[d] = 0;
    }
  }
}

}  // namespace kiln::cpu
