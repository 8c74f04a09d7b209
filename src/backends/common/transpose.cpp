#include "backends/common/transpose.h"

#include <cstring>

#include "backends/common/strided_iteration.h"

namespace kiln::backend {

void transpose(const uint8_t* in, uint8_t* out, const Dims& inShape, const std::vector<int64_t>& perm,
               size_t elementSize) {
  int32_t rank = inShape.nbDims;
  int64_t inStrides[Dims::MAX_DIMS], outDims[Dims::MAX_DIMS], srcStride[Dims::MAX_DIMS];
  contiguousStrides(inShape, inStrides);
  for (int32_t i = 0; i < rank; ++i) {
    outDims[i] = inShape.d[perm[i]];
    srcStride[i] = inStrides[perm[i]];
  }
  int64_t o = 0;
  forEachOffset(rank, outDims, srcStride, [&](int64_t src) {
    std::memcpy(out + o * elementSize, in + src * elementSize, elementSize);
    ++o;
  });
}

}  // namespace kiln::backend
