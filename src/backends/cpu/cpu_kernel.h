// Building blocks shared by the CPU kernels.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "backends/common/backend.h"
#include "backends/common/function_kernel.h"
#include "backends/common/strided_iteration.h"
#include "core/element_types.h"
#include "core/layer_type_table.h"

namespace kiln::cpu {

using backend::Kernel;
using backend::KernelArgs;
using backend::KernelSpec;
using backend::TensorArg;

using KernelFactory = std::function<std::unique_ptr<Kernel>(const KernelSpec&)>;

using KernelTable = core::LayerTypeTable<KernelFactory>;

// Per-family registration (one file each).
void registerCopyKernels(KernelTable& table);           // constant-free data movement: identity, cast, shape values
void registerElementwiseKernels(KernelTable& table);    // elementwise, activation, unary
void registerMatrixKernels(KernelTable& table);         // matrix multiply
void registerConvolutionKernels(KernelTable& table);    // convolution
void registerPoolingKernels(KernelTable& table);        // pooling
void registerReductionKernels(KernelTable& table);      // reduce, topk, softmax
void registerShapeKernels(KernelTable& table);          // shuffle, concatenation
void registerResizeKernels(KernelTable& table);         // resize
void registerIndexingKernels(KernelTable& table);       // slice, gather
void registerGenerationKernels(KernelTable& table);     // select, fill, scatter, cumulative, one-hot
void registerNormalizationKernels(KernelTable& table);  // normalization, LRN, einsum
void registerRecurrenceKernels(KernelTable& table);     // recurrence (RNN, GRU, LSTM)

using backend::FunctionKernel;
using backend::makeKernel;
using backend::WorkspaceKernel;

using backend::contiguousStrides;

// Calls `f(T{})` with the C++ type that stores `type` (bool as uint8_t, fp16/bf16 as their uint16_t bit patterns).
template <typename F>
void dispatchStorage(DataType type, F&& f) {
  if (type == DataType::kBOOL) return f(uint8_t{});
  if (type == DataType::kHALF || type == DataType::kBF16) return f(uint16_t{});
  core::dispatchArithmetic(type, f);
}

[[noreturn]] void failStep(const std::string& step, const std::string& message);

}  // namespace kiln::cpu
