// A permuted copy of a row-major tensor on the host, for any element size.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "kiln/types.h"

namespace kiln::backend {

// out[...] = in[permuted ...] (output axis i is input axis perm[i]) for elements of `elementSize` bytes; `inShape` is
// the shape before permuting.
void transpose(const uint8_t* in, uint8_t* out, const Dims& inShape, const std::vector<int64_t>& perm,
               size_t elementSize);

}  // namespace kiln::backend
