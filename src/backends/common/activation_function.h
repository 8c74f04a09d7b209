// The scalar activation functions of ActivationLayer, shared by the kernels that apply them (activations, recurrence).
#pragma once

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>

#include "backends/common/backend.h"
#include "backends/common/host_device.h"
#include "kiln/layers.h"
#include "ops/attrs.h"
#include "ops/fused_epilogue.h"

namespace kiln::backend {

// alpha and beta as ActivationLayer documents them per type.
template <typename T>
KILN_HOST_DEVICE T activation(ActivationType type, T x, T alpha, T beta) {
  const T zero = 0, one = 1, half = 0.5;
  switch (type) {
    case ActivationType::kRELU: return x < zero ? zero : x;  // NaN stays NaN
    case ActivationType::kSIGMOID: return one / (one + std::exp(-x));
    case ActivationType::kTANH: return std::tanh(x);
    case ActivationType::kLEAKY_RELU: return x >= zero ? x : alpha * x;
    case ActivationType::kELU: return x >= zero ? x : alpha * (std::exp(x) - one);
    case ActivationType::kSELU: return beta * (x >= zero ? x : alpha * (std::exp(x) - one));
    case ActivationType::kSOFTSIGN: return x / (one + std::fabs(x));
    case ActivationType::kSOFTPLUS: {
      T z = beta * x;  // log(1 + e^z) without overflow for large z
      return alpha * (std::max(z, zero) + std::log1p(std::exp(-std::fabs(z))));
    }
    case ActivationType::kCLIP: return std::min(std::max(x, alpha), beta);
    case ActivationType::kHARD_SIGMOID: return std::max(zero, std::min(one, alpha * x + beta));
    case ActivationType::kSCALED_TANH: return alpha * std::tanh(beta * x);
    case ActivationType::kTHRESHOLDED_RELU: return x > alpha ? x : zero;
    case ActivationType::kGELU_ERF: return half * x * (one + std::erf(x * T(0.70710678118654752440)));
    case ActivationType::kGELU_TANH:
      return half * x * (one + std::tanh(T(0.79788456080286535588) * (x + T(0.044715) * x * x * x)));
  }
  return x;
}

// Defaults follow ONNX where TensorRT leaves the parameter to the user.
inline void activationDefaults(ActivationType type, double& alpha, double& beta, const ops::Attrs& attrs) {
  double a = 0, b = 0;
  switch (type) {
    case ActivationType::kLEAKY_RELU: a = 0.01; break;
    case ActivationType::kELU: a = 1.0; break;
    case ActivationType::kSELU:
      a = 1.67326319217681884765625;
      b = 1.05070102214813232421875;
      break;
    case ActivationType::kSOFTPLUS:
      a = 1.0;
      b = 1.0;
      break;
    case ActivationType::kCLIP:
      a = -INFINITY;
      b = INFINITY;
      break;
    case ActivationType::kHARD_SIGMOID:
      a = 0.2;
      b = 0.5;
      break;
    case ActivationType::kSCALED_TANH:
      a = 1.0;
      b = 1.0;
      break;
    case ActivationType::kTHRESHOLDED_RELU: a = 1.0; break;
    default: break;
  }
  alpha = attrs.getFloat("alpha", a);
  beta = attrs.getFloat("beta", b);
}

// The activation a fused step applies last (plan/fused_epilogue.h); nullopt when it has none.
inline std::optional<ops::PostActivation> checkedPostActivation(const backend::KernelSpec& spec) {
  auto post = ops::postActivation(spec.step.attrs);
  if (post && !post->known())
    spec.unsupported("unknown fused activation " + std::to_string(static_cast<int64_t>(post->type)));
  return post;
}

// Applies a fused step's activation to `count` fp32 values in place (host code).
inline void applyPostActivation(const ops::PostActivation& post, float* y, int64_t count) {
  auto alpha = static_cast<float>(post.alpha), beta = static_cast<float>(post.beta);
  for (int64_t i = 0; i < count; ++i) y[i] = activation(post.type, y[i], alpha, beta);
}

}  // namespace kiln::backend
