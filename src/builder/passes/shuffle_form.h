// A Shuffle layer as its kernel runs it (backends/shuffle_kernel.h): a transpose of the input, a reshape, a transpose
// of the reshaped tensor. Once the shape values are folded the reshape target lives in the output's dims, so the two
// permutations and the dims say everything the step does.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "graph/graph.h"

namespace kiln::builder {

struct ShuffleForm {
  std::vector<int64_t> first;  // empty: no transpose before the reshape
  bool reshaped = false;
  std::vector<int64_t> second;  // empty: no transpose after it
};

// The form of Shuffle layer `layer`, identity permutations dropped and, without a reshape, both permutations
// composed into `first`; nullopt while its reshape still reads a shape tensor (the value input is not yet detached).
std::optional<ShuffleForm> shuffleForm(const graph::LayerNode& layer);

// Writes `form`'s permutations into `layer`'s attributes (an identity is erased); the reshape attributes stay.
void setShuffleForm(graph::LayerNode& layer, const ShuffleForm& form);

// The permutation that transposes by `p` and then by `q` (empty means identity): result[i] = p[q[i]].
std::vector<int64_t> composePermutations(const std::vector<int64_t>& p, const std::vector<int64_t>& q);

}  // namespace kiln::builder
