// CUDA and cuBLASLt errors as kiln errors that name the step and the call that failed.
#pragma once

#include <cublasLt.h>
#include <cuda_runtime.h>

#include <string>

#include "kiln/error.h"

namespace kiln::cuda {

inline Status cudaStatus(cudaError_t code, const char* call, const std::string& step) {
  if (code == cudaSuccess) return Status::ok();
  return Error(ErrorCode::kRUNTIME,
               std::string(call) + " failed: " + cudaGetErrorName(code) + " (" + cudaGetErrorString(code) + ")", step);
}

inline Status cublasStatus(cublasStatus_t code, const char* call, const std::string& step) {
  if (code == CUBLAS_STATUS_SUCCESS) return Status::ok();
  return Error(ErrorCode::kRUNTIME, std::string(call) + " failed: cuBLAS status " + std::to_string(code), step);
}

}  // namespace kiln::cuda

// Throws the kiln::Error for a failed CUDA runtime call; `step` names the plan step (or the backend operation).
#define KILN_CUDA_CHECK(call, step)                                                                       \
  do {                                                                                                    \
    if (::kiln::Status kilnCudaStatus = ::kiln::cuda::cudaStatus((call), #call, (step)); !kilnCudaStatus) \
      throw kilnCudaStatus.error();                                                                       \
  } while (0)

#define KILN_CUBLAS_CHECK(call, step)                                                                           \
  do {                                                                                                          \
    if (::kiln::Status kilnCublasStatus = ::kiln::cuda::cublasStatus((call), #call, (step)); !kilnCublasStatus) \
      throw kilnCublasStatus.error();                                                                           \
  } while (0)
