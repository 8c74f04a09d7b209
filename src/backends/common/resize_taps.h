// A resize (ONNX Resize) as 1-D passes, one per resized axis, and the taps of each pass: which input elements, with
// which weights, make each output coordinate. Shared by the CPU kernel (host) and the CUDA kernel (device), so both
// order the passes, lay out the workspace and weight every coordinate identically.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "backends/common/host_device.h"
#include "kiln/layers.h"
#include "ops/attrs.h"

namespace kiln::backend {

// One input element read for an output coordinate along one axis.
struct ResizeTap {
  int64_t index;
  float weight;
};

// The taps of one output coordinate; `outside` (tf_crop_and_resize) writes the extrapolation value instead.
struct ResizeCoordTaps {
  int32_t count;
  int32_t outside;
};

// One axis of a resize with the step's attributes: everything that maps its output coordinates to taps.
struct ResizeAxisMapping {
  ResizeMode mode;
  ResizeCoordinateTransformation coord;
  ResizeRoundMode round;
  double cubicA;
  bool excludeOutside, antialias;
  int64_t in, out;
  double scale;
  // The resized length as ONNX's reference computes it (scale * input length): equal to `out` when the output size
  // was given, fractional when scales chose it.
  double resized;
  double roiStart, roiEnd;  // tf_crop_and_resize's region of interest on this axis

  KILN_HOST_DEVICE double support() const { return mode == ResizeMode::kCUBIC ? 2.0 : 1.0; }
  // Antialiasing stretches the filter by 1/scale when downsampling (ONNX: "by a factor max(1, 1 / scale)").
  KILN_HOST_DEVICE double filterScale() const { return antialias ? std::min(scale, 1.0) : 1.0; }
  // Tap slots per output coordinate.
  int64_t maxTaps() const {
    if (mode == ResizeMode::kNEAREST) return 1;
    return 2 * static_cast<int64_t>(std::ceil(support() / filterScale())) + 1;
  }
};

KILN_HOST_DEVICE inline int64_t resizeNearestIndex(ResizeRoundMode mode, double c, int64_t inLen) {
  double r = c;
  switch (mode) {
    case ResizeRoundMode::kHALF_DOWN: r = std::ceil(c - 0.5); break;
    case ResizeRoundMode::kHALF_UP: r = std::floor(c + 0.5); break;
    case ResizeRoundMode::kFLOOR: r = std::floor(c); break;
    case ResizeRoundMode::kCEIL: r = std::ceil(c); break;
  }
  return std::clamp<int64_t>(static_cast<int64_t>(r), 0, inLen - 1);
}

// Keys' cubic convolution kernel with coefficient a (ONNX cubic_coeff_a).
KILN_HOST_DEVICE inline double cubicWeight(double d, double a) {
  d = std::fabs(d);
  if (d <= 1) return ((a + 2) * d - (a + 3)) * d * d + 1;
  if (d < 2) return ((a * d - 5 * a) * d + 8 * a) * d - 4 * a;
  return 0;
}

// The input coordinate of output coordinate x (ONNX coordinate_transformation_mode). Where the spec says
// "length_resized" in a denominator, ONNX's reference uses scale * length_original, which differs from the
// output size when scales chose it (resize_downsample_scales_linear_align_corners depends on it).
KILN_HOST_DEVICE inline double resizeSourceCoordinate(const ResizeAxisMapping& m, int64_t x) {
  using CT = ResizeCoordinateTransformation;
  double s = m.scale, len = static_cast<double>(m.in);
  switch (m.coord) {
    case CT::kHALF_PIXEL: return (x + 0.5) / s - 0.5;
    case CT::kPYTORCH_HALF_PIXEL: return m.out > 1 ? (x + 0.5) / s - 0.5 : 0.0;
    case CT::kALIGN_CORNERS: return m.out > 1 ? x * (len - 1) / (m.resized - 1) : 0.0;
    case CT::kASYMMETRIC: return x / s;
    case CT::kTF_HALF_PIXEL_FOR_NN: return (x + 0.5) / s;
    case CT::kTF_CROP_AND_RESIZE:
      // "length_resized > 1 ? start_x * (length_original - 1) + x_resized * (end_x - start_x) *
      //  (length_original - 1) / (length_resized - 1) : 0.5 * (start_x + end_x) * (length_original - 1)"
      return m.out > 1 ? m.roiStart * (len - 1) + x * (m.roiEnd - m.roiStart) * (len - 1) / (m.resized - 1)
                       : 0.5 * (m.roiStart + m.roiEnd) * (len - 1);
    case CT::kHALF_PIXEL_SYMMETRIC: {
      // "adjustment = output_width_int / output_width; center = input_width / 2;
      //  offset = center * (1 - adjustment); x_ori = offset + (x + 0.5) / scale - 0.5"
      double offset = len / 2 * (1 - static_cast<double>(m.out) / m.resized);
      return offset + (x + 0.5) / s - 0.5;
    }
  }
  return 0.0;
}

// Fills `t` (maxTaps slots) with the taps of output coordinate x.
KILN_HOST_DEVICE inline ResizeCoordTaps resizeTapsOf(const ResizeAxisMapping& m, int64_t x, ResizeTap* t,
                                                     int64_t maxTaps) {
  ResizeCoordTaps c{0, 0};
  double xo = resizeSourceCoordinate(m, x);
  if (m.coord == ResizeCoordinateTransformation::kTF_CROP_AND_RESIZE &&
      (xo < 0 || xo > static_cast<double>(m.in - 1))) {
    c.outside = 1;
    return c;
  }
  if (m.mode == ResizeMode::kNEAREST) {
    t[c.count++] = {resizeNearestIndex(m.round, xo, m.in), 1.0f};
    return c;
  }
  // Every input position within the (stretched) filter's reach; outside the input it repeats the edge value, or
  // drops out with exclude_outside.
  double fs = m.filterScale(), reach = m.support() / fs, sum = 0;
  auto lo = static_cast<int64_t>(std::ceil(xo - reach)), hi = static_cast<int64_t>(std::floor(xo + reach));
  for (int64_t p = lo; p <= hi && c.count < maxTaps; ++p) {
    double d = (static_cast<double>(p) - xo) * fs;
    double weight = m.mode == ResizeMode::kCUBIC ? cubicWeight(d, m.cubicA) : std::max(0.0, 1 - std::fabs(d));
    if (weight == 0) continue;
    bool inside = p >= 0 && p < m.in;
    if (!inside && m.excludeOutside) continue;
    t[c.count++] = {std::clamp<int64_t>(p, 0, m.in - 1), static_cast<float>(weight)};
    sum += weight;
  }
  // Antialiased filters are normalized to sum 1; exclude_outside renormalizes what is left.
  if ((m.antialias || m.excludeOutside) && sum != 0)
    for (int32_t k = 0; k < c.count; ++k) t[k].weight = static_cast<float>(t[k].weight / sum);
  return c;
}

// The step's resize attributes (set by the resize layer, see infer_resize.cpp).
struct ResizeAttributes {
  ResizeMode mode;
  ResizeCoordinateTransformation coord;
  ResizeRoundMode round;
  double cubicA;
  bool excludeOutside, antialias;
  float extrapolation;
  std::vector<double> roi;
  std::vector<double> scales;  // coordinate scales per axis; empty: output / input

  explicit ResizeAttributes(const ops::Attrs& attrs)
      : mode(static_cast<ResizeMode>(attrs.getInt("mode"))),
        coord(static_cast<ResizeCoordinateTransformation>(attrs.getInt("coord"))),
        round(static_cast<ResizeRoundMode>(attrs.getInt("round"))),
        cubicA(attrs.getFloat("cubic_coeff", -0.75)),
        excludeOutside(attrs.getInt("exclude_outside") != 0),
        antialias(attrs.getInt("antialias") != 0),
        extrapolation(static_cast<float>(attrs.getFloat("extrapolation_value"))),
        roi(attrs.getFloats("roi")),
        scales(attrs.getFloats("mapping_scales")) {}
};

// The passes of one resize and its workspace: per pass its coordinates and taps, then up to two ping-pong buffers
// for the intermediates.
struct ResizePlan {
  ResizeAxisMapping axes[Dims::MAX_DIMS] = {};  // in pass order
  int32_t dims[Dims::MAX_DIMS] = {};            // the axis each pass resizes
  int32_t nbAxes = 0;
  size_t coords[Dims::MAX_DIMS] = {}, taps[Dims::MAX_DIMS] = {};
  size_t buffers = 0, bufferBytes = 0, total = 0;
};

inline ResizePlan planResize(const ResizeAttributes& r, const Dims& in, const Dims& out, size_t elementSize) {
  using CT = ResizeCoordinateTransformation;
  ResizePlan l;
  for (int32_t d = 0; d < in.nbDims; ++d) {
    bool given = d < static_cast<int32_t>(r.scales.size());
    double scale = given ? r.scales[d] : static_cast<double>(out.d[d]) / static_cast<double>(in.d[d]);
    double resized = given ? scale * static_cast<double>(in.d[d]) : static_cast<double>(out.d[d]);
    // An axis whose output equals its input (same length, scale 1, a mapping that sends x to x) needs no pass.
    if (in.d[d] == out.d[d] && scale == 1.0 && r.coord != CT::kTF_HALF_PIXEL_FOR_NN &&
        r.coord != CT::kTF_CROP_AND_RESIZE)
      continue;
    double start = r.roi.empty() ? 0.0 : r.roi[d], end = r.roi.empty() ? 1.0 : r.roi[in.nbDims + d];
    l.dims[l.nbAxes] = d;
    l.axes[l.nbAxes++] = {r.mode, r.coord, r.round, r.cubicA, r.excludeOutside, r.antialias, in.d[d], out.d[d],
                          scale,  resized, start,   end};
  }
  // Shrinking axes first: every intermediate is then no larger than the input or the output.
  int32_t order[Dims::MAX_DIMS];
  for (int32_t p = 0; p < l.nbAxes; ++p) order[p] = p;
  std::stable_sort(order, order + l.nbAxes, [&](int32_t x, int32_t y) {
    return static_cast<double>(l.axes[x].out) * static_cast<double>(l.axes[y].in) <
           static_cast<double>(l.axes[y].out) * static_cast<double>(l.axes[x].in);
  });
  ResizePlan sorted = l;
  auto align = [](size_t n) { return (n + 63) / 64 * 64; };
  for (int32_t p = 0; p < l.nbAxes; ++p) {
    l.axes[p] = sorted.axes[order[p]];
    l.dims[p] = sorted.dims[order[p]];
    l.coords[p] = l.total;
    l.total += align(static_cast<size_t>(l.axes[p].out) * sizeof(ResizeCoordTaps));
    l.taps[p] = l.total;
    l.total += align(static_cast<size_t>(l.axes[p].out * l.axes[p].maxTaps()) * sizeof(ResizeTap));
  }
  int32_t nbBuffers = std::clamp(l.nbAxes - 1, 0, 2);
  l.bufferBytes = align(static_cast<size_t>(std::max(in.volume(), out.volume())) * elementSize);
  l.buffers = l.total;
  l.total += nbBuffers * l.bufferBytes;
  return l;
}

}  // namespace kiln::backend
