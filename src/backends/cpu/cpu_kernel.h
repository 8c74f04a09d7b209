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

// The kernel table is built once, on first use, by calling every family's register*Kernels function below
// (cpu_backend.cpp); each adds the factories of its family's layer types (KernelTable::add) from its own file,
// src/backends/cpu/kernels_<family>.cpp (the families of docs/adding-an-op.md). A new op of an existing family is
// added in that file only; a new family adds its declaration here and its call in cpu_backend.cpp. Constant and
// shape layers have no kernel: the builder turns them into plan constants and shape values.
void registerCopyKernels(KernelTable& table);
void registerElementwiseKernels(KernelTable& table);
void registerGenerationKernels(KernelTable& table);
void registerIndexingKernels(KernelTable& table);
void registerMatrixKernels(KernelTable& table);
void registerNormalizationKernels(KernelTable& table);
void registerPluginKernels(KernelTable& table);
void registerPoolingKernels(KernelTable& table);
void registerConvolutionKernels(KernelTable& table);
void registerRecurrenceKernels(KernelTable& table);
void registerReductionKernels(KernelTable& table);
void registerResizeKernels(KernelTable& table);
void registerShapeKernels(KernelTable& table);

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
