// The arithmetic of the builder passes that rewrite constant weights, shared with refit, which replays it on new
// weights (ops/weight_recipe.h): one definition, so a refit plan's constants equal a fresh build's bit for bit.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "kiln/layers.h"
#include "kiln/types.h"

namespace kiln::backend {

// A floating-point tensor's values (fp32, fp64, fp16 or bf16) as doubles; nullopt for other types.
std::optional<std::vector<double>> decodeFloats(const std::vector<uint8_t>& bytes, DataType type);
// `values` stored as `type` (a floating-point type), rounded to nearest.
std::vector<uint8_t> encodeFloats(const std::vector<double>& values, DataType type);

// Where each weight element's output channel is (ONNX layouts: convolution K x C/groups x kernel, deconvolution
// C x K/groups x kernel); stored in a recipe as params().
struct ChannelLayout {
  int64_t channels = 0;
  bool transposed = false;
  int64_t groups = 1, perGroup = 0, inner = 0, inPerGroup = 0;
  int64_t channelOf(int64_t i) const;
  std::vector<int64_t> params() const;
  static ChannelLayout fromParams(const std::vector<int64_t>& params);
};

// The per-channel operand `k` (one value or one per channel) at channel c.
double perChannelValue(const std::vector<double>& k, int64_t c);
// Weights times k at each element's channel.
std::vector<double> scaleWeights(std::vector<double> weights, const std::vector<double>& k,
                                 const ChannelLayout& layout);
// A bias (nullopt: zeros) of `channels` values times (kPROD), plus (kSUM) or minus (kSUB) k per channel.
std::vector<double> shiftBias(std::optional<std::vector<double>> bias, const std::vector<double>& k,
                              ElementWiseOperation operation, int64_t channels);

// Values of `from` clamped to the finite range of `to` (infinities and NaN stay) and rounded to it.
std::vector<uint8_t> reducePrecision(const std::vector<uint8_t>& bytes, DataType from, DataType to);

// A K x C x R x S kernel (elements of `size` bytes) as K x R x S x C, each run of C values zero-padded to `channels`
// when that is more.
std::vector<uint8_t> channelsLastKernel(const std::vector<uint8_t>& bytes, const std::vector<int64_t>& dims,
                                        size_t size, int64_t channels);

}  // namespace kiln::backend
