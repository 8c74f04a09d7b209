// The p-th percentile of timing samples (nearest rank): the one definition of `kiln run`'s median, p99 and per-step
// profile medians.
#pragma once

#include <algorithm>
#include <cmath>
#include <vector>

namespace kiln::cli {

// `samples` must not be empty.
inline double percentile(std::vector<double> samples, double p) {
  std::sort(samples.begin(), samples.end());
  size_t i = static_cast<size_t>(std::ceil(p * static_cast<double>(samples.size()))) - 1;
  return samples[std::min(i, samples.size() - 1)];
}

}  // namespace kiln::cli
