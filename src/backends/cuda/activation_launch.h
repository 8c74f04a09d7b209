// The activation kernel of the element-wise family, for kernels that apply an activation to their own result (fused
// epilogues, plan/fused_epilogue.h).
#pragma once

#include <cuda_runtime.h>

#include <cstdint>
#include <optional>
#include <string>

#include "kiln/layers.h"
#include "kiln/types.h"
#include "ops/fused_epilogue.h"

namespace kiln::cuda {

// out[i] = the activation of in[i] (alpha and beta as ActivationLayer documents them) for `n` elements of the
// floating-point `type`, queued on `stream`; `in` may equal `out`. Throws kiln::Error naming `step` on failure.
void launchActivation(DataType type, ActivationType op, double alpha, double beta, const void* in, void* out, int64_t n,
                      cudaStream_t stream, const std::string& step);

// y[i] = the activation of y[i] + residual[i] (the sum alone without one), computed in fp32 for fp16 and bf16, for
// `n` elements of the floating-point `type`, queued on `stream`: a fused residual's epilogue where the kernel before
// could not take it. Throws kiln::Error naming `step` on failure.
void launchResidualActivation(DataType type, const std::optional<ops::PostActivation>& activation, const void* residual,
                              void* y, int64_t n, cudaStream_t stream, const std::string& step);

}  // namespace kiln::cuda
