// Building blocks shared by the CUDA kernels (host side: registration, launch geometry, library handles).
#pragma once

#include <cublasLt.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "backends/common/backend.h"
#include "backends/common/function_kernel.h"
#include "backends/cuda/cuda_check.h"
#include "core/layer_type_table.h"

namespace kiln::cuda {

using backend::Kernel;
using backend::KernelArgs;
using backend::KernelSpec;
using backend::makeKernel;
using backend::TensorArg;

using KernelFactory = std::function<std::unique_ptr<Kernel>(const KernelSpec&)>;
using KernelTable = core::LayerTypeTable<KernelFactory>;

// Per-family registration (one file each).
void registerElementwiseKernels(KernelTable& table);    // elementwise, activation, unary, cast
void registerLayoutKernels(KernelTable& table);         // identity, shuffle, concatenation, slice, gather, shape values
void registerReductionKernels(KernelTable& table);      // reduce, softmax, top-k
void registerMatrixKernels(KernelTable& table);         // matrix multiply (cuBLASLt)
void registerGenerationKernels(KernelTable& table);     // select, fill
void registerConvolutionKernels(KernelTable& table);    // convolution, deconvolution (cuDNN)
void registerPoolingKernels(KernelTable& table);        // pooling
void registerNormalizationKernels(KernelTable& table);  // normalization
void registerResizeKernels(KernelTable& table);         // resize
void registerLinearAlgebraKernels(KernelTable& table);  // determinant, einsum
void registerRecurrenceKernels(KernelTable& table);     // recurrence (RNN, GRU, LSTM)

inline cudaStream_t streamOf(const KernelArgs& args) { return static_cast<cudaStream_t>(args.stream); }

// Grid-stride launches: enough blocks to fill the GPU, never more than the grid allows.
constexpr int kThreads = 256;
inline unsigned blocksFor(int64_t elements) {
  return static_cast<unsigned>(std::clamp<int64_t>((elements + kThreads - 1) / kThreads, 1, int64_t{1} << 20));
}

// The process-wide cuBLASLt handle, created on first use (thread-safe; the handle carries no stream).
cublasLtHandle_t cublasLtHandle();

}  // namespace kiln::cuda
