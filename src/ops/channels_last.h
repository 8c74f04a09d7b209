// Channels-last (NHWC) convolution and pooling steps: the contract between the layout pass
// (src/builder/passes/channels_last.cpp), shape inference and the kernels.
//
// A Convolution or Pooling layer with the attribute kChannelsLast set to 1 reads and writes its activations with the
// channel axis last: input 0, the output and a convolution's fused residual (input 3) are [N, spatial..., C] instead
// of [N, C, spatial...], and a convolution's kernel (input 1) is [K, spatial..., C / groups] instead of
// [K, C / groups, spatial...]. The bias stays [K]. Every other attribute (window, stride, padding, dilation, groups,
// fused activation) keeps its meaning, in spatial-axis order. Tensor cores read fp16 convolutions in this layout
// directly; in NCHW, cuDNN transposes each input and output around the call.
//
// A backend that does not run a layer channels-last must reject it (kUNSUPPORTED), never ignore the attribute.
#pragma once

#include <cstdint>
#include <vector>

#include "kiln/types.h"
#include "ops/attrs.h"

namespace kiln::ops {

inline constexpr const char* kChannelsLast = "channels_last";  // int, 1: channels-last step

inline bool isChannelsLast(const ops::Attrs& attrs) { return attrs.getInt(kChannelsLast, 0) != 0; }

// The permutation (out[i] = in[perm[i]]) from [N, C, spatial...] to [N, spatial..., C] for a tensor of `rank`.
inline std::vector<int64_t> toChannelsLast(size_t rank) {
  std::vector<int64_t> perm{0};
  for (size_t i = 2; i < rank; ++i) perm.push_back(static_cast<int64_t>(i));
  if (rank > 1) perm.push_back(1);
  return perm;
}

// The inverse: from [N, spatial..., C] to [N, C, spatial...].
inline std::vector<int64_t> toChannelsFirst(size_t rank) {
  std::vector<int64_t> perm{0};
  if (rank > 1) perm.push_back(static_cast<int64_t>(rank - 1));
  for (size_t i = 1; i + 1 < rank; ++i) perm.push_back(static_cast<int64_t>(i));
  return perm;
}

// A channels-last shape [N, spatial..., C] as the channels-first shape [N, C, spatial...] it holds.
inline Dims channelsFirstShape(const Dims& shape) {
  std::vector<int64_t> perm = toChannelsFirst(static_cast<size_t>(shape.nbDims));
  Dims out = shape;
  for (int32_t i = 0; i < shape.nbDims; ++i) out.d[i] = shape.d[perm[static_cast<size_t>(i)]];
  return out;
}

// `dims` permuted: out[i] = dims[perm[i]].
template <typename T>
std::vector<T> permuted(const std::vector<T>& dims, const std::vector<int64_t>& perm) {
  std::vector<T> out;
  out.reserve(perm.size());
  for (int64_t p : perm) out.push_back(dims[static_cast<size_t>(p)]);
  return out;
}

}  // namespace kiln::ops
