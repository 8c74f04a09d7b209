// Geometry of the data-movement layers, shared by the backends: shuffle permutations and concatenation blocks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "backends/common/backend.h"

namespace kiln::backend {

inline bool isIdentityPermutation(const std::vector<int64_t>& perm) {
  for (size_t i = 0; i < perm.size(); ++i)
    if (perm[i] != static_cast<int64_t>(i)) return false;
  return true;
}

// Shape of the tensor between a shuffle's reshape and its second transpose: the output shape un-permuted.
inline Dims unpermute(const Dims& out, const std::vector<int64_t>& perm) {
  Dims d = out;
  for (size_t i = 0; i < perm.size(); ++i) d.d[perm[i]] = out.d[i];
  return d;
}

// Concatenation as 2-D copies: input t is `outer` rows of `row` bytes, written at byte `offset` of each output row
// of `outRow` bytes. Calls copy(t, offset, row, outRow, outer) for every input.
template <typename Copy>
void forEachConcatInput(const KernelArgs& a, int64_t axisAttr, Copy&& copy) {
  const Dims& out = a.out(0).shape;
  int32_t axis = static_cast<int32_t>(axisAttr < 0 ? axisAttr + out.nbDims : axisAttr);
  size_t es = dataTypeSize(a.out(0).type);
  int64_t outer = 1, inner = 1;
  for (int32_t i = 0; i < axis; ++i) outer *= out.d[i];
  for (int32_t i = axis + 1; i < out.nbDims; ++i) inner *= out.d[i];
  size_t outRow = static_cast<size_t>(out.d[axis] * inner) * es;
  size_t offset = 0;
  for (int32_t t = 0; t < a.nbInputs; ++t) {
    size_t row = static_cast<size_t>(a.in(t).shape.d[axis] * inner) * es;
    copy(t, offset, row, outRow, outer);
    offset += row;
  }
}

}  // namespace kiln::backend
