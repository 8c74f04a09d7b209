// 16-byte vector accesses of the memory-bound kernels (element-wise maps, softmax and layer normalization rows): one
// fp16 element per thread moves 2 bytes per load, far from the memory bandwidth; a 16-byte load moves 8 at once.
// The host checks every address and length that a vector path relies on before choosing it.
#pragma once

#include <cstdint>

#include "backends/cuda/device_tensor.cuh"

namespace kiln::cuda {

inline constexpr int kVectorBytes = 16;

// Elements of storage type S in one 16-byte vector.
template <typename S>
inline constexpr int kVectorWidth = kVectorBytes / static_cast<int>(sizeof(S));

// V elements held together and aligned to their total size, so that one instruction loads or stores them all.
template <typename S, int V>
struct alignas(sizeof(S) * V) Packed {
  S e[V];
};

// The V elements at p, which must be aligned to V * sizeof(S).
template <int V, typename S>
__device__ Packed<S, V> loadPacked(const S* p) {
  return *reinterpret_cast<const Packed<S, V>*>(p);
}

template <int V, typename S>
__device__ void storePacked(S* p, const Packed<S, V>& v) {
  *reinterpret_cast<Packed<S, V>*>(p) = v;
}

inline bool alignedTo(const void* p, size_t bytes) { return reinterpret_cast<uintptr_t>(p) % bytes == 0; }

// Calls f(I{}) with the index type of a grid-stride loop below `count`: uint32_t when count < 2^31 (a grid stride is
// below 2^28, so i + stride cannot wrap), int64_t otherwise. 32-bit index math costs less than half the 64-bit one.
template <typename F>
void dispatchIndexWidth(int64_t count, F&& f) {
  if (count < StridedWalk::kNarrow) return f(uint32_t{});
  return f(int64_t{});
}

// The first index of this thread and the grid stride, in the index type I.
template <typename I>
__device__ I gridFirst() {
  return static_cast<I>(blockIdx.x) * static_cast<I>(blockDim.x) + static_cast<I>(threadIdx.x);
}
template <typename I>
__device__ I gridStride() {
  return static_cast<I>(gridDim.x) * static_cast<I>(blockDim.x);
}

// Calls vector(first) for each V-element vector [first, first + V) of [0, n) when `vectorized`, then element(i) for
// the elements after the last whole vector (every element when not): a grid-stride loop with a scalar tail.
template <int V, typename I, typename VectorBody, typename ElementBody>
__device__ void forEachVector(I n, bool vectorized, VectorBody vector, ElementBody element) {
  I vectors = vectorized ? n / V : 0;
  for (I v = gridFirst<I>(); v < vectors; v += gridStride<I>()) vector(v * V);
  for (I i = vectors * V + gridFirst<I>(); i < n; i += gridStride<I>()) element(i);
}

// Blocks for forEachVector over n elements: one vector (or, not vectorized, one element) per thread.
inline unsigned vectorBlocksFor(int64_t n, int64_t V, bool vectorized) {
  return blocksFor(vectorized ? (n + V - 1) / V : n);
}

}  // namespace kiln::cuda
