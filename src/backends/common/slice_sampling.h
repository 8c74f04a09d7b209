// Where a slice reads a coordinate outside its input (SampleMode), shared by the CPU and CUDA slice kernels.
#pragma once

#include <cstdint>

#include "backends/common/host_device.h"
#include "kiln/layers.h"

namespace kiln::backend {

// The input coordinate that coordinate `x` of an axis of `n` elements reads under `mode` (n >= 1 unless kFILL), or
// -1 for the fill value.
KILN_HOST_DEVICE inline int64_t sampleCoordinate(SampleMode mode, int64_t x, int64_t n) {
  if (x >= 0 && x < n) return x;
  switch (mode) {
    case SampleMode::kWRAP: return (x % n + n) % n;
    case SampleMode::kCLAMP: return x < 0 ? 0 : n - 1;
    case SampleMode::kREFLECT: {
      // Mirror about the first and last elements without repeating them (numpy.pad "reflect"): period 2(n-1).
      if (n == 1) return 0;
      int64_t period = 2 * (n - 1);
      int64_t m = (x % period + period) % period;
      return m < n ? m : period - m;
    }
    default: return -1;
  }
}

}  // namespace kiln::backend
