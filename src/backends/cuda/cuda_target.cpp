#include "backends/cuda/cuda_target.h"

#include <sstream>

namespace kiln::cuda {

std::string formatTarget(const CudaTarget& target) {
  return "sm_" + std::to_string(target.sm) + " cudart " + std::to_string(target.cudaRuntime) + " cublasLt " +
         std::to_string(target.cublasLt) + " cudnn " + std::to_string(target.cudnn);
}

std::optional<CudaTarget> parseTarget(const std::string& text) {
  std::istringstream in(text);
  std::string sm, cudartWord, cublasWord, cudnnWord, rest;
  CudaTarget t;
  if (!(in >> sm >> cudartWord >> t.cudaRuntime >> cublasWord >> t.cublasLt >> cudnnWord >> t.cudnn) || (in >> rest))
    return std::nullopt;
  if (sm.rfind("sm_", 0) != 0 || cudartWord != "cudart" || cublasWord != "cublasLt" || cudnnWord != "cudnn")
    return std::nullopt;
  try {
    size_t used = 0;
    t.sm = std::stoi(sm.substr(3), &used);
    if (used != sm.size() - 3 || t.sm <= 0) return std::nullopt;
  } catch (const std::exception&) {
    return std::nullopt;
  }
  if (formatTarget(t) != text) return std::nullopt;  // no signs, no leading zeros: one spelling per target
  return t;
}

std::string targetMismatch(const std::string& planTarget, const CudaTarget& here) {
  std::string hereText = formatTarget(here);
  auto built = parseTarget(planTarget);
  if (!built) return "the plan's target '" + planTarget + "' is not a CUDA target; this GPU is '" + hereText + "'";
  if (built->sm != here.sm)
    return "the plan was built for sm_" + std::to_string(built->sm) + " but this GPU is sm_" + std::to_string(here.sm) +
           " (plan '" + planTarget + "', here '" + hereText + "'); rebuild the plan on this GPU";
  if (*built != here)
    return "the plan was built with CUDA libraries '" + planTarget + "' but this machine has '" + hereText +
           "'; rebuild the plan here";
  return "";
}

}  // namespace kiln::cuda
