// The model the refit tests build from one set of weights and refit with another: Conv, BatchNormalization (which
// the builder folds into the convolution), Relu, Flatten and Gemm.
#pragma once

#include "onnx_model_builder.h"

namespace kiln::test {

// x [1, 2, 5, 5] -> Conv (3x3, 3 maps) -> BatchNormalization -> Relu -> Flatten -> Gemm [75 x 4] -> y [1, 4], every
// weight drawn from `seed` (the variances and scales in [0.5, 1.5]).
inline OnnxModel convBatchNormGemm(uint32_t seed) {
  constexpr int64_t kChannels = 3;
  auto positive = [](size_t count, uint32_t s) { return randomFloats(count, s, 0.5f, 1.5f); };
  OnnxModel m(17);
  m.input("x", {1, 2, 5, 5});
  m.floats("conv.w", {kChannels, 2, 3, 3}, randomFloats(kChannels * 2 * 9, seed));
  m.floats("conv.b", {kChannels}, randomFloats(kChannels, seed + 1));
  m.floats("bn.scale", {kChannels}, positive(kChannels, seed + 2));
  m.floats("bn.bias", {kChannels}, randomFloats(kChannels, seed + 3));
  m.floats("bn.mean", {kChannels}, randomFloats(kChannels, seed + 4));
  m.floats("bn.var", {kChannels}, positive(kChannels, seed + 5));
  m.floats("fc.w", {kChannels * 25, 4}, randomFloats(kChannels * 25 * 4, seed + 6));
  m.floats("fc.b", {4}, randomFloats(4, seed + 7));
  setInts(m.node("Conv", {"x", "conv.w", "conv.b"}, {"c"}), "pads", {1, 1, 1, 1});
  m.node("BatchNormalization", {"c", "bn.scale", "bn.bias", "bn.mean", "bn.var"}, {"n"});
  m.node("Relu", {"n"}, {"r"});
  m.node("Flatten", {"r"}, {"f"});
  m.outputNode("Gemm", {"f", "fc.w", "fc.b"});
  m.output();
  return m;
}

}  // namespace kiln::test
