// Data movement shared by the copy, indexing and shape kernels (strided_copy.cuh).
#include <optional>

#include "backends/cuda/strided_copy.cuh"

namespace kiln::cuda {

void copyDeviceAsync(const KernelArgs& a, void* dst, const void* src, size_t bytes, const std::string& step) {
  if (bytes && dst != src)
    KILN_CUDA_CHECK(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToDevice, streamOf(a)), step);
}

namespace {

// out[i] = in[walk.offset(i)] (+ base): transposes and strided slices.
template <typename T>
__global__ void gatherStrided(const T* in, T* out, int64_t n, int64_t base, StridedWalk walk) {
  KILN_GRID_LOOP(i, n) out[i] = in[base + walk.offset(i)];
}

// The walk over elements `width` times wider, when the innermost axis is read contiguously and every offset, size
// and address keeps that alignment: a transpose that keeps the innermost axis (attention's head split) then moves
// 16 bytes per thread instead of 2, which is what lets such copies approach the memory bandwidth.
std::optional<StridedWalk> widened(const StridedWalk& walk, int64_t base, int64_t width, const void* in,
                                   const void* out, size_t elementSize) {
  if (walk.rank == 0 || walk.strides[walk.rank - 1] != 1 || walk.dims[walk.rank - 1] % width != 0 || base % width != 0)
    return std::nullopt;
  auto alignment = static_cast<uintptr_t>(width) * elementSize;
  if (reinterpret_cast<uintptr_t>(in) % alignment != 0 || reinterpret_cast<uintptr_t>(out) % alignment != 0)
    return std::nullopt;
  StridedWalk wide = walk;
  wide.dims[walk.rank - 1] /= width;
  for (int32_t k = 0; k + 1 < walk.rank; ++k) {
    if (walk.strides[k] % width != 0) return std::nullopt;
    wide.strides[k] /= width;
  }
  return wide;
}

}  // namespace

void launchStrided(const KernelArgs& a, const void* in, void* out, int64_t n, int64_t base, const StridedWalk& walk,
                   size_t elementSize, const std::string& step) {
  if (n == 0) return;
  if (elementSize <= 8) {
    auto width = static_cast<int64_t>(16 / elementSize);
    if (auto wide = widened(walk, base, width, in, out, elementSize)) {
      gatherStrided<uint4><<<blocksFor(n / width), kThreads, 0, streamOf(a)>>>(
          static_cast<const uint4*>(in), static_cast<uint4*>(out), n / width, base / width, *wide);
      checkLaunch(step);
      return;
    }
  }
  dispatchBySize(elementSize, [&](auto tag) {
    using T = decltype(tag);
    gatherStrided<T>
        <<<blocksFor(n), kThreads, 0, streamOf(a)>>>(static_cast<const T*>(in), static_cast<T*>(out), n, base, walk);
  });
  checkLaunch(step);
}

}  // namespace kiln::cuda
