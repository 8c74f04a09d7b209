// ONNX GridSample's arithmetic (2-D nearest, bilinear, bicubic; zeros, border or reflection padding), shared by the
// CPU kernel (host) and the CUDA kernel (device) so that both sample every point identically, in fp64.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "backends/common/host_device.h"
#include "backends/common/resize_taps.h"
#include "kiln/layers.h"

namespace kiln::backend {

// ONNX GridSample (its reference implementation's order of steps): a normalized coordinate becomes a pixel
// coordinate, is rounded half to even for nearest, is brought back inside by the border or reflection padding when it
// lies outside [lo, hi] (pixel centers with align_corners, else pixel edges), and then every tap of the interpolation
// reads the input through the padding (zeros outside, the clamped index, or the reflected index).
struct GridSampleParams {
  ResizeMode mode = ResizeMode::kLINEAR;
  GridSamplePadding padding = GridSamplePadding::kZEROS;
  bool alignCorners = false;
};

class GridSampleAxis {
 public:
  KILN_HOST_DEVICE GridSampleAxis(int64_t size, const GridSampleParams& p)
      : size_(size), p_(p), lo_(p.alignCorners ? 0.0 : -0.5), hi_(p.alignCorners ? size - 1.0 : size - 0.5) {}

  // Pixel coordinate of a normalized one, with the padding's adjustment.
  KILN_HOST_DEVICE double coordinate(double normalized) const {
    double x = p_.alignCorners ? (normalized + 1) / 2 * (size_ - 1) : ((normalized + 1) * size_ - 1) / 2;
    if (p_.mode == ResizeMode::kNEAREST) x = std::nearbyint(x);
    if (x >= lo_ && x <= hi_) return x;
    if (p_.padding == GridSamplePadding::kBORDER) return std::clamp(x, 0.0, size_ - 1.0);
    if (p_.padding == GridSamplePadding::kREFLECTION) return reflect(x);
    // Zeros: every tap beyond a few pixels outside reads 0, so far coordinates are cut there (keeps them integral).
    return std::clamp(x, -4.0, size_ + 4.0);
  }

  // The input index a tap at `i` reads, or -1 for a zero.
  KILN_HOST_DEVICE int64_t index(int64_t i) const {
    if (i >= 0 && i < size_) return i;
    if (p_.padding == GridSamplePadding::kZEROS) return -1;
    if (p_.padding == GridSamplePadding::kBORDER) return std::clamp<int64_t>(i, 0, size_ - 1);
    return std::clamp<int64_t>(static_cast<int64_t>(reflect(static_cast<double>(i))), 0, size_ - 1);
  }

 private:
  // x reflected about lo and hi until it lies between them.
  KILN_HOST_DEVICE double reflect(double x) const {
    double range = hi_ - lo_;
    if (range <= 0) return lo_;
    bool below = x < lo_;
    double d = below ? lo_ - x : x - hi_;
    double flips = std::floor(d / range);
    double r = d - flips * range;
    bool even = std::fmod(flips, 2.0) == 0;
    return below == even ? lo_ + r : hi_ - r;
  }

  int64_t size_;
  GridSampleParams p_;
  double lo_, hi_;
};

// The value at pixel coordinates (cx, cy) (from GridSampleAxis::coordinate) of a plane whose element at (row, col)
// `at(row, col)` returns as double; the axes map tap indices through the padding.
template <typename At>
KILN_HOST_DEVICE double gridSampleValue(const GridSampleParams& p, const GridSampleAxis& ax, const GridSampleAxis& ay,
                                        double cx, double cy, const At& at) {
  auto tap = [&](int64_t i, int64_t j) {
    int64_t col = ax.index(i), row = ay.index(j);
    return col < 0 || row < 0 ? 0.0 : at(row, col);
  };
  if (p.mode == ResizeMode::kNEAREST) return tap(static_cast<int64_t>(cx), static_cast<int64_t>(cy));
  double fx = std::floor(cx), fy = std::floor(cy), tx = cx - fx, ty = cy - fy;
  auto x0 = static_cast<int64_t>(fx), y0 = static_cast<int64_t>(fy);
  if (p.mode == ResizeMode::kLINEAR)
    return (1 - ty) * ((1 - tx) * tap(x0, y0) + tx * tap(x0 + 1, y0)) +
           ty * ((1 - tx) * tap(x0, y0 + 1) + tx * tap(x0 + 1, y0 + 1));
  // Bicubic: taps at floor - 1 .. floor + 2, at distances 1 + t, t, 1 - t, 2 - t.
  double sum = 0;
  for (int64_t j = 0; j < 4; ++j) {
    double row = 0;
    for (int64_t i = 0; i < 4; ++i) row += cubicWeight(tx + 1 - i, -0.75) * tap(x0 - 1 + i, y0 - 1 + j);
    sum += cubicWeight(ty + 1 - j, -0.75) * row;
  }
  return sum;
}

}  // namespace kiln::backend
