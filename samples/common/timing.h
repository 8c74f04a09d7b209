// Median latency of a callable, for the samples' timing tables.
#pragma once

#include <algorithm>
#include <chrono>
#include <vector>

namespace kiln::samples {

// Runs `f` `warmUp` times untimed, then `runs` times; returns the median in milliseconds.
template <typename F>
double medianMilliseconds(F&& f, int runs = 50, int warmUp = 5) {
  for (int i = 0; i < warmUp; ++i) f();
  std::vector<double> ms;
  for (int i = 0; i < runs; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    f();
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  std::nth_element(ms.begin(), ms.begin() + ms.size() / 2, ms.end());
  return ms[ms.size() / 2];
}

}  // namespace kiln::samples
