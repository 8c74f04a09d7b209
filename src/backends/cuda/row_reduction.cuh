// Device helpers of the kernels that reduce contiguous rows (softmax and layer normalization over the innermost axis):
// warp and block reductions by shuffles, and the choice of how many elements of a row each lane of a warp holds.
#pragma once

#include <type_traits>

#include "backends/cuda/device_tensor.cuh"

namespace kiln::cuda {

inline constexpr int kWarp = 32;
// Rows up to this length are held in the registers of one warp; longer rows take a block each.
inline constexpr int64_t kMaxWarpRow = 1024;

// The sum over each group of kLanes consecutive lanes (a power of two up to a warp), returned to every lane of the
// group: xor shuffles below kLanes stay within the group. Every lane of the warp must call it.
template <int kLanes, typename T>
__device__ T laneGroupSum(T v) {
  for (int offset = kLanes / 2; offset > 0; offset /= 2) v += __shfl_xor_sync(0xffffffffu, v, offset);
  return v;
}

// fmax ignores NaN, as the CPU's std::max(max, x) does.
template <int kLanes, typename T>
__device__ T laneGroupMax(T v) {
  for (int offset = kLanes / 2; offset > 0; offset /= 2) v = fmax(v, __shfl_xor_sync(0xffffffffu, v, offset));
  return v;
}

template <typename T>
__device__ T warpSum(T v) {
  return laneGroupSum<kWarp>(v);
}

template <typename T>
__device__ T warpMax(T v) {
  return laneGroupMax<kWarp>(v);
}

// The reduction of every thread's `v` in the block (blockDim.x a multiple of 32, at most 1024), returned to all
// threads. `shared` holds one value per warp; every thread of the block must call it.
template <typename T, typename WarpReduce>
__device__ T blockReduce(T v, T identity, T* shared, WarpReduce warpReduce) {
  int warp = static_cast<int>(threadIdx.x) / kWarp, lane = static_cast<int>(threadIdx.x) % kWarp;
  int warps = static_cast<int>(blockDim.x) / kWarp;
  v = warpReduce(v);
  if (lane == 0) shared[warp] = v;
  __syncthreads();
  // Every warp reduces the per-warp values itself, so all threads get the total without another barrier.
  T total = warpReduce(lane < warps ? shared[lane] : identity);
  __syncthreads();  // shared is reused by the next call
  return total;
}

template <typename T>
__device__ T blockSum(T v, T* shared) {
  return blockReduce(v, T(0), shared, [](T x) { return warpSum(x); });
}

template <typename T>
__device__ T blockMax(T v, T* shared) {
  return blockReduce(v, T(-INFINITY), shared, [](T x) { return warpMax(x); });
}

// The row index of the warp of this thread, and the number of warps in the grid: warps stride over the rows.
__device__ inline int64_t warpIndex() { return (blockIdx.x * int64_t{blockDim.x} + threadIdx.x) / kWarp; }
__device__ inline int64_t warpCount() { return int64_t{gridDim.x} * blockDim.x / kWarp; }

// Calls f(std::integral_constant<int, K>{}) with the fewest elements per lane, among the compiled choices, that
// hold a row of n <= kMaxWarpRow elements in one warp (lane l holds elements l, l + 32, ...).
template <typename F>
void withElementsPerLane(int64_t n, F&& f) {
  if (n <= kWarp) return f(std::integral_constant<int, 1>{});
  if (n <= 4 * kWarp) return f(std::integral_constant<int, 4>{});
  if (n <= 12 * kWarp) return f(std::integral_constant<int, 12>{});
  if (n <= 24 * kWarp) return f(std::integral_constant<int, 24>{});
  return f(std::integral_constant<int, 32>{});
}

// Blocks of kThreads threads for one warp per row.
inline unsigned warpBlocksFor(int64_t rows) {
  constexpr int64_t warpsPerBlock = kThreads / kWarp;
  return static_cast<unsigned>(std::clamp<int64_t>((rows + warpsPerBlock - 1) / warpsPerBlock, 1, int64_t{1} << 20));
}

// One block of kThreads threads per row.
inline unsigned rowBlocksFor(int64_t rows) {
  return static_cast<unsigned>(std::clamp<int64_t>(rows, 1, int64_t{1} << 20));
}

}  // namespace kiln::cuda
