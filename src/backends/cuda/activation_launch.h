// The activation kernel of the element-wise family, for kernels that apply an activation to their own result (fused
// epilogues, plan/fused_epilogue.h).
#pragma once

#include <cuda_runtime.h>

#include <cstdint>
#include <string>

#include "kiln/layers.h"
#include "kiln/types.h"

namespace kiln::cuda {

// out[i] = the activation of in[i] (alpha and beta as ActivationLayer documents them) for `n` elements of the
// floating-point `type`, queued on `stream`; `in` may equal `out`. Throws kiln::Error naming `step` on failure.
void launchActivation(DataType type, ActivationType op, double alpha, double beta, const void* in, void* out,
                      int64_t n, cudaStream_t stream, const std::string& step);

}  // namespace kiln::cuda
