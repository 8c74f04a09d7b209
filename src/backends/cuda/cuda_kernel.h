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

// One register*Kernels function per op family (docs/adding-an-op.md), each defined in its family's file,
// src/backends/cuda/kernels_<family>.cu (.cpp for host-only code), where it adds the factories of the family's layer
// types (KernelTable::add); cuda_backend.cpp calls them all once, on first use. The matrix family has two: matrix
// multiply through cuBLASLt (kernels_matrix.cpp) and the loop kernels, determinant and einsum
// (kernels_matrix_loops.cu). A new op of an existing family is added in its family's file alone; a new family declares
// its function here and calls it in cuda_backend.cpp. A step whose layer type has no entry (one-hot today) is
// reported as unsupported by this backend.
void registerCopyKernels(KernelTable& table);
void registerElementwiseKernels(KernelTable& table);
void registerGenerationKernels(KernelTable& table);
void registerIndexingKernels(KernelTable& table);
void registerMatrixKernels(KernelTable& table);
void registerMatrixLoopKernels(KernelTable& table);
void registerNormalizationKernels(KernelTable& table);
void registerPoolingKernels(KernelTable& table);
void registerConvolutionKernels(KernelTable& table);
void registerRecurrenceKernels(KernelTable& table);
void registerReductionKernels(KernelTable& table);
void registerResizeKernels(KernelTable& table);
void registerShapeKernels(KernelTable& table);

inline cudaStream_t streamOf(const KernelArgs& args) { return static_cast<cudaStream_t>(args.stream); }

// Grid-stride launches: enough blocks to fill the GPU, never more than the grid allows.
constexpr int kThreads = 256;
inline unsigned blocksFor(int64_t elements) {
  return static_cast<unsigned>(std::clamp<int64_t>((elements + kThreads - 1) / kThreads, 1, int64_t{1} << 20));
}

// The process-wide cuBLASLt handle, created on first use (thread-safe; the handle carries no stream).
cublasLtHandle_t cublasLtHandle();

}  // namespace kiln::cuda
