// CPU kernels: resize (nearest, N-linear, N-cubic, optionally antialiased), as one 1-D pass per resized axis; grid
// sample (2-D nearest, bilinear, bicubic).
// Every mode is separable, so resizing axis by axis gives the same result as weighting all taps at once, at
// sum-of-taps instead of product-of-taps cost per element.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "backends/cpu/cpu_kernel.h"

namespace kiln::cpu {

namespace {

using CT = ResizeCoordinateTransformation;

// One input element read for an output coordinate along one axis.
struct Tap {
  int64_t index;
  float weight;
};

// The taps of one output coordinate; `outside` (tf_crop_and_resize) writes the extrapolation value instead.
struct CoordTaps {
  int32_t count;
  int32_t outside;
};

int64_t nearestIndex(ResizeRoundMode mode, double c, int64_t inLen) {
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
double cubicWeight(double d, double a) {
  d = std::abs(d);
  if (d <= 1) return ((a + 2) * d - (a + 3)) * d * d + 1;
  if (d < 2) return ((a * d - 5 * a) * d + 8 * a) * d - 4 * a;
  return 0;
}

// One axis of the resize: lengths and the scale that maps coordinates.
struct Axis {
  int32_t dim;
  int64_t in, out;
  double scale;
  // The resized length as ONNX's reference computes it (scale * input length): equal to `out` when the output size
  // was given, fractional when scales chose it.
  double resized;
};

class ResizeKernel : public Kernel {
 public:
  explicit ResizeKernel(const KernelSpec& spec)
      : mode_(static_cast<ResizeMode>(spec.step.attrs.getInt("mode"))),
        coord_(static_cast<CT>(spec.step.attrs.getInt("coord"))),
        round_(static_cast<ResizeRoundMode>(spec.step.attrs.getInt("round"))),
        cubicA_(spec.step.attrs.getFloat("cubic_coeff", -0.75)),
        excludeOutside_(spec.step.attrs.getInt("exclude_outside") != 0),
        antialias_(spec.step.attrs.getInt("antialias") != 0),
        extrapolation_(static_cast<float>(spec.step.attrs.getFloat("extrapolation_value"))),
        roi_(spec.step.attrs.getFloats("roi")),
        scales_(spec.step.attrs.getFloats("mapping_scales")) {
    if (spec.inputType(0) != DataType::kFLOAT) spec.unsupported("resize runs on fp32 on the CPU");
  }

  size_t workspaceSize(const KernelArgs& a) const override { return layout(a).total; }

  Status run(const KernelArgs& a) const override {
    Layout l = layout(a);
    if (a.workspaceSize < l.total) return Error(ErrorCode::kRUNTIME, "workspace too small", "resize");
    auto* ws = static_cast<uint8_t*>(a.workspace);
    const auto* src = static_cast<const float*>(a.in(0).data);
    auto* dst = static_cast<float*>(a.out(0).data);
    if (a.in(0).volume() == 0 && a.out(0).volume() != 0)
      return Error(ErrorCode::kRUNTIME, "cannot resize an empty input to a non-empty output", "resize");
    if (l.nbAxes == 0) {
      if (src != dst) std::memcpy(dst, src, static_cast<size_t>(a.out(0).volume()) * sizeof(float));
      return Status::ok();
    }
    Dims shape = a.in(0).shape;
    float* buffers[2] = {reinterpret_cast<float*>(ws + l.buffers), reinterpret_cast<float*>(ws + l.buffers + l.bufferBytes)};
    for (int32_t p = 0; p < l.nbAxes; ++p) {
      const Axis& axis = l.axes[p];
      auto* coords = reinterpret_cast<CoordTaps*>(ws + l.coords[p]);
      auto* taps = reinterpret_cast<Tap*>(ws + l.taps[p]);
      int64_t stride = maxTaps(axis.scale);
      buildTaps(axis, a.in(0).shape.nbDims, coords, taps, stride);
      float* target = p + 1 == l.nbAxes ? dst : buffers[p % 2];
      resizeAxis(src, target, shape, axis, coords, taps, stride);
      shape.d[axis.dim] = axis.out;
      src = target;
    }
    return Status::ok();
  }

 private:
  // The passes and offsets into the workspace: per pass its coordinates and taps, then up to two ping-pong buffers.
  struct Layout {
    Axis axes[Dims::MAX_DIMS] = {};  // in pass order
    int32_t nbAxes = 0;
    size_t coords[Dims::MAX_DIMS] = {}, taps[Dims::MAX_DIMS] = {};
    size_t buffers = 0, bufferBytes = 0, total = 0;
  };

  double support() const { return mode_ == ResizeMode::kCUBIC ? 2.0 : 1.0; }
  // Antialiasing stretches the filter by 1/scale when downsampling (ONNX: "by a factor max(1, 1 / scale)").
  double filterScale(double scale) const { return antialias_ ? std::min(scale, 1.0) : 1.0; }
  int64_t maxTaps(double scale) const {
    if (mode_ == ResizeMode::kNEAREST) return 1;
    return 2 * static_cast<int64_t>(std::ceil(support() / filterScale(scale))) + 1;
  }

  // An axis whose output equals its input: same length, scale 1 and a mapping that sends x to x.
  bool isIdentity(const Axis& axis) const {
    return axis.in == axis.out && axis.scale == 1.0 && coord_ != CT::kTF_HALF_PIXEL_FOR_NN &&
           coord_ != CT::kTF_CROP_AND_RESIZE;
  }

  Layout layout(const KernelArgs& a) const {
    const Dims& in = a.in(0).shape;
    const Dims& out = a.out(0).shape;
    Layout l;
    for (int32_t d = 0; d < in.nbDims; ++d) {
      bool given = d < static_cast<int32_t>(scales_.size());
      double scale = given ? scales_[d] : static_cast<double>(out.d[d]) / static_cast<double>(in.d[d]);
      Axis axis{d, in.d[d], out.d[d], scale, given ? scale * static_cast<double>(in.d[d]) : static_cast<double>(out.d[d])};
      if (!isIdentity(axis)) l.axes[l.nbAxes++] = axis;
    }
    // Shrinking axes first: every intermediate is then no larger than the input or the output.
    std::stable_sort(l.axes, l.axes + l.nbAxes, [](const Axis& x, const Axis& y) {
      return static_cast<double>(x.out) * static_cast<double>(y.in) < static_cast<double>(y.out) * static_cast<double>(x.in);
    });
    auto align = [](size_t n) { return (n + 63) / 64 * 64; };
    for (int32_t p = 0; p < l.nbAxes; ++p) {
      l.coords[p] = l.total;
      l.total += align(static_cast<size_t>(l.axes[p].out) * sizeof(CoordTaps));
      l.taps[p] = l.total;
      l.total += align(static_cast<size_t>(l.axes[p].out * maxTaps(l.axes[p].scale)) * sizeof(Tap));
    }
    int32_t nbBuffers = std::clamp(l.nbAxes - 1, 0, 2);
    l.bufferBytes = align(static_cast<size_t>(std::max(in.volume(), out.volume())) * sizeof(float));
    l.buffers = l.total;
    l.total += nbBuffers * l.bufferBytes;
    return l;
  }

  // The input coordinate of output coordinate x (ONNX coordinate_transformation_mode). Where the spec says
  // "length_resized" in a denominator, ONNX's reference uses scale * length_original, which differs from the
  // output size when scales chose it (resize_downsample_scales_linear_align_corners depends on it).
  double sourceCoordinate(const Axis& axis, int32_t rank, int64_t x) const {
    double s = axis.scale, len = static_cast<double>(axis.in);
    switch (coord_) {
      case CT::kHALF_PIXEL: return (x + 0.5) / s - 0.5;
      case CT::kPYTORCH_HALF_PIXEL: return axis.out > 1 ? (x + 0.5) / s - 0.5 : 0.0;
      case CT::kALIGN_CORNERS: return axis.out > 1 ? x * (len - 1) / (axis.resized - 1) : 0.0;
      case CT::kASYMMETRIC: return x / s;
      case CT::kTF_HALF_PIXEL_FOR_NN: return (x + 0.5) / s;
      case CT::kTF_CROP_AND_RESIZE: {
        double start = roi_.empty() ? 0.0 : roi_[axis.dim], end = roi_.empty() ? 1.0 : roi_[rank + axis.dim];
        // "length_resized > 1 ? start_x * (length_original - 1) + x_resized * (end_x - start_x) *
        //  (length_original - 1) / (length_resized - 1) : 0.5 * (start_x + end_x) * (length_original - 1)"
        return axis.out > 1 ? start * (len - 1) + x * (end - start) * (len - 1) / (axis.resized - 1)
                            : 0.5 * (start + end) * (len - 1);
      }
      case CT::kHALF_PIXEL_SYMMETRIC: {
        // "adjustment = output_width_int / output_width; center = input_width / 2;
        //  offset = center * (1 - adjustment); x_ori = offset + (x + 0.5) / scale - 0.5"
        double offset = len / 2 * (1 - static_cast<double>(axis.out) / axis.resized);
        return offset + (x + 0.5) / s - 0.5;
      }
    }
    return 0.0;
  }

  void buildTaps(const Axis& axis, int32_t rank, CoordTaps* coords, Tap* taps, int64_t stride) const {
    double fs = filterScale(axis.scale), reach = support() / fs;
    for (int64_t x = 0; x < axis.out; ++x) {
      Tap* t = taps + x * stride;
      CoordTaps& c = coords[x];
      c = {0, 0};
      double xo = sourceCoordinate(axis, rank, x);
      if (coord_ == CT::kTF_CROP_AND_RESIZE && (xo < 0 || xo > static_cast<double>(axis.in - 1))) {
        c.outside = 1;
        continue;
      }
      if (mode_ == ResizeMode::kNEAREST) {
        t[c.count++] = {nearestIndex(round_, xo, axis.in), 1.0f};
        continue;
      }
      // Every input position within the (stretched) filter's reach; outside the input it repeats the edge value,
      // or drops out with exclude_outside.
      double sum = 0;
      int64_t lo = static_cast<int64_t>(std::ceil(xo - reach)), hi = static_cast<int64_t>(std::floor(xo + reach));
      for (int64_t p = lo; p <= hi && c.count < stride; ++p) {
        double d = (static_cast<double>(p) - xo) * fs;
        double weight = mode_ == ResizeMode::kCUBIC ? cubicWeight(d, cubicA_) : std::max(0.0, 1 - std::abs(d));
        if (weight == 0) continue;
        bool inside = p >= 0 && p < axis.in;
        if (!inside && excludeOutside_) continue;
        t[c.count++] = {std::clamp<int64_t>(p, 0, axis.in - 1), static_cast<float>(weight)};
        sum += weight;
      }
      // Antialiased filters are normalized to sum 1; exclude_outside renormalizes what is left.
      if ((antialias_ || excludeOutside_) && sum != 0)
        for (int32_t k = 0; k < c.count; ++k) t[k].weight = static_cast<float>(t[k].weight / sum);
    }
  }

  // dst[o, x, i] = sum over taps of weight * src[o, index, i], the axis viewed as [outer, length, inner].
  void resizeAxis(const float* src, float* dst, const Dims& shape, const Axis& axis, const CoordTaps* coords,
                  const Tap* taps, int64_t stride) const {
    int64_t outer = 1, inner = 1;
    for (int32_t d = 0; d < axis.dim; ++d) outer *= shape.d[d];
    for (int32_t d = axis.dim + 1; d < shape.nbDims; ++d) inner *= shape.d[d];
    for (int64_t o = 0; o < outer; ++o) {
      const float* s = src + o * axis.in * inner;
      float* row = dst + o * axis.out * inner;
      for (int64_t x = 0; x < axis.out; ++x, row += inner) {
        const CoordTaps& c = coords[x];
        const Tap* t = taps + x * stride;
        if (c.outside || c.count == 0) {
          std::fill(row, row + inner, c.outside ? extrapolation_ : 0.0f);
          continue;
        }
        const float* s0 = s + t[0].index * inner;
        for (int64_t i = 0; i < inner; ++i) row[i] = t[0].weight * s0[i];
        for (int32_t k = 1; k < c.count; ++k) {
          const float* sk = s + t[k].index * inner;
          float w = t[k].weight;
          for (int64_t i = 0; i < inner; ++i) row[i] += w * sk[i];
        }
      }
    }
  }

  ResizeMode mode_;
  CT coord_;
  ResizeRoundMode round_;
  double cubicA_;
  bool excludeOutside_, antialias_;
  float extrapolation_;
  std::vector<double> roi_;
  std::vector<double> scales_;  // coordinate scales per axis; empty: output / input
};

// ---- Grid sample ------------------------------------------------------------------------------------------------

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
  GridSampleAxis(int64_t size, const GridSampleParams& p)
      : size_(size), p_(p), lo_(p.alignCorners ? 0.0 : -0.5), hi_(p.alignCorners ? size - 1.0 : size - 0.5) {}

  // Pixel coordinate of a normalized one, with the padding's adjustment.
  double coordinate(double normalized) const {
    double x = p_.alignCorners ? (normalized + 1) / 2 * (size_ - 1) : ((normalized + 1) * size_ - 1) / 2;
    if (p_.mode == ResizeMode::kNEAREST) x = std::nearbyint(x);
    if (x >= lo_ && x <= hi_) return x;
    if (p_.padding == GridSamplePadding::kBORDER) return std::clamp(x, 0.0, size_ - 1.0);
    if (p_.padding == GridSamplePadding::kREFLECTION) return reflect(x);
    // Zeros: every tap beyond a few pixels outside reads 0, so far coordinates are cut there (keeps them integral).
    return std::clamp(x, -4.0, size_ + 4.0);
  }

  // The input index a tap at `i` reads, or -1 for a zero.
  int64_t index(int64_t i) const {
    if (i >= 0 && i < size_) return i;
    if (p_.padding == GridSamplePadding::kZEROS) return -1;
    if (p_.padding == GridSamplePadding::kBORDER) return std::clamp<int64_t>(i, 0, size_ - 1);
    return std::clamp<int64_t>(static_cast<int64_t>(reflect(static_cast<double>(i))), 0, size_ - 1);
  }

 private:
  // x reflected about lo and hi until it lies between them.
  double reflect(double x) const {
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

template <typename T>
class GridSample {
 public:
  explicit GridSample(GridSampleParams p) : p_(p) {}

  void operator()(const KernelArgs& a) const {
    const Dims& in = a.in(0).shape;
    const Dims& out = a.out(0).shape;
    int64_t batch = in.d[0], channels = in.d[1], height = in.d[2], width = in.d[3];
    int64_t outPlane = out.d[2] * out.d[3];
    GridSampleAxis ax(width, p_), ay(height, p_);
    const T* x = static_cast<const T*>(a.in(0).data);
    const T* grid = static_cast<const T*>(a.in(1).data);
    T* y = static_cast<T*>(a.out(0).data);
    for (int64_t n = 0; n < batch; ++n)
      for (int64_t o = 0; o < outPlane; ++o, grid += 2) {
        double gx = static_cast<double>(grid[0]), gy = static_cast<double>(grid[1]);
        for (int64_t c = 0; c < channels; ++c) {
          T* dst = y + (n * channels + c) * outPlane + o;
          if (std::isnan(gx) || std::isnan(gy)) {
            *dst = std::numeric_limits<T>::quiet_NaN();
            continue;
          }
          const T* plane = x + (n * channels + c) * height * width;
          *dst = static_cast<T>(sample(plane, width, ax, ay, ax.coordinate(gx), ay.coordinate(gy)));
        }
      }
  }

 private:
  double sample(const T* plane, int64_t width, const GridSampleAxis& ax, const GridSampleAxis& ay, double cx,
                double cy) const {
    auto at = [&](int64_t i, int64_t j) {
      int64_t col = ax.index(i), row = ay.index(j);
      return col < 0 || row < 0 ? 0.0 : static_cast<double>(plane[row * width + col]);
    };
    if (p_.mode == ResizeMode::kNEAREST) return at(static_cast<int64_t>(cx), static_cast<int64_t>(cy));
    double fx = std::floor(cx), fy = std::floor(cy), tx = cx - fx, ty = cy - fy;
    auto x0 = static_cast<int64_t>(fx), y0 = static_cast<int64_t>(fy);
    if (p_.mode == ResizeMode::kLINEAR)
      return (1 - ty) * ((1 - tx) * at(x0, y0) + tx * at(x0 + 1, y0)) +
             ty * ((1 - tx) * at(x0, y0 + 1) + tx * at(x0 + 1, y0 + 1));
    // Bicubic: taps at floor - 1 .. floor + 2, at distances 1 + t, t, 1 - t, 2 - t.
    double sum = 0;
    for (int64_t j = 0; j < 4; ++j) {
      double row = 0;
      for (int64_t i = 0; i < 4; ++i) row += cubicWeight(tx + 1 - i, -0.75) * at(x0 - 1 + i, y0 - 1 + j);
      sum += cubicWeight(ty + 1 - j, -0.75) * row;
    }
    return sum;
  }

  GridSampleParams p_;
};

std::unique_ptr<Kernel> makeGridSample(const KernelSpec& spec) {
  const graph::Attrs& attrs = spec.step.attrs;
  GridSampleParams p{static_cast<ResizeMode>(attrs.getInt("mode")),
                     static_cast<GridSamplePadding>(attrs.getInt("padding")), attrs.getInt("align_corners") != 0};
  DataType type = spec.inputType(0);
  if (type == DataType::kDOUBLE) return makeKernel(spec, GridSample<double>(p));
  if (type != DataType::kFLOAT)
    spec.unsupported(std::string("grid sample supports fp32 and fp64, not ") + dataTypeName(type));
  return makeKernel(spec, GridSample<float>(p));
}

}  // namespace

void registerResizeKernels(KernelTable& table) {
  table.add(LayerType::kRESIZE, [](const KernelSpec& s) { return std::make_unique<ResizeKernel>(s); });
  table.add(LayerType::kGRID_SAMPLE, makeGridSample);
}

}  // namespace kiln::cpu
