// The CUDA build target recorded in plans: the GPU's SM architecture and the library versions the kernels use.
// Host-only (no CUDA headers), so plans can be checked, and these rules tested, on machines without a GPU.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace kiln::cuda {

struct CudaTarget {
  int32_t sm = 0;           // compute capability major * 10 + minor (90 for the H100)
  int32_t cudaRuntime = 0;  // cudaRuntimeGetVersion (13000 for CUDA 13.0)
  int64_t cublasLt = 0;     // cublasLtGetVersion
  int64_t cudnn = 0;        // cudnnGetVersion (91400 for cuDNN 9.14): convolution tactics are its algorithms

  bool operator==(const CudaTarget&) const = default;
};

// "sm_90 cudart 13000 cublasLt 130100 cudnn 91400".
std::string formatTarget(const CudaTarget& target);
// The inverse of formatTarget; nullopt for anything else.
std::optional<CudaTarget> parseTarget(const std::string& text);
// Why a plan built for `planTarget` cannot run on `here`, naming both; "" when it can. The SM must match (the
// kernels are compiled for it), and so must the library versions (a later library may lack the tactics chosen).
std::string targetMismatch(const std::string& planTarget, const CudaTarget& here);

}  // namespace kiln::cuda
