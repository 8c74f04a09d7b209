// Data movement shared by the copy, indexing and shape kernels: a device-to-device copy, and a strided gather that
// moves 16 bytes per thread where the walk and the addresses allow it.
#pragma once

#include <string>

#include "backends/cuda/device_tensor.cuh"

namespace kiln::cuda {

// Copies `bytes` on the stream of `a` (nothing when empty or in place).
void copyDeviceAsync(const KernelArgs& a, void* dst, const void* src, size_t bytes, const std::string& step);

// out[i] = in[base + walk.offset(i)] for i in [0, n), elements of `elementSize` bytes: transposes and strided slices.
void launchStrided(const KernelArgs& a, const void* in, void* out, int64_t n, int64_t base, const StridedWalk& walk,
                   size_t elementSize, const std::string& step);

}  // namespace kiln::cuda
