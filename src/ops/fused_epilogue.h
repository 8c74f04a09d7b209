// Epilogues the builder fuses into convolution and matrix multiply steps: the contract between the fusion passes
// (src/builder/passes) and the kernels that run the fused steps.
//
// Convolution (kCONVOLUTION): y = act(conv(x, w) + bias + residual), the optional bias being input 2 as always and
// the optional residual input 3 (kResidualInput): a tensor of exactly the output's shape and type, added element by
// element (a network's shortcut). A step with a residual but no bias has input 2 = -1 (absent). The residual never
// shares memory with the output (the memory planner keeps a step's inputs and outputs apart).
//
// Matrix multiply (kMATRIX_MULTIPLY): y = act(op0(A) x op1(B) + bias), where input 2, when present, is a bias of N
// contiguous values (shape [N] or [1, ..., 1, N]) added along the last axis of the output (N = the output's last
// dimension) to every row. For cuBLASLt this is the BIAS epilogue (RELU_BIAS / GELU_BIAS where the activation allows).
//
// In both, the attributes below, when present, name the activation applied last, with its parameters resolved
// (defaults filled in) as ActivationLayer documents them per type. A step without them has no activation.
// The builder fuses only where the target backend's kernel factory accepts the fused step, so a backend that does
// not implement an epilogue must reject the step (kUNSUPPORTED) rather than ignore input 2 or the attributes.
#pragma once

#include <cstdint>
#include <optional>

#include "kiln/layers.h"
#include "ops/attrs.h"

namespace kiln::ops {

inline constexpr int32_t kResidualInput = 3;  // convolution steps

inline constexpr const char* kPostActivation = "postActivation";  // ActivationType as an integer
inline constexpr const char* kPostAlpha = "postAlpha";
inline constexpr const char* kPostBeta = "postBeta";

struct PostActivation {
  ActivationType type = ActivationType::kRELU;
  double alpha = 0;
  double beta = 0;
  // A value of ActivationType (plans are read from files).
  bool known() const { return type >= ActivationType::kRELU && type <= ActivationType::kGELU_TANH; }
};

inline std::optional<PostActivation> postActivation(const ops::Attrs& attrs) {
  if (!attrs.has(kPostActivation)) return std::nullopt;
  return PostActivation{static_cast<ActivationType>(attrs.getInt(kPostActivation)), attrs.getFloat(kPostAlpha),
                        attrs.getFloat(kPostBeta)};
}

inline void setPostActivation(ops::Attrs& attrs, const PostActivation& post) {
  attrs.set(kPostActivation, static_cast<int64_t>(post.type));
  attrs.set(kPostAlpha, post.alpha);
  attrs.set(kPostBeta, post.beta);
}

}  // namespace kiln::ops
