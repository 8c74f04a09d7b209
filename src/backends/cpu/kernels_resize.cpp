// CPU kernels: resize (nearest, N-linear, N-cubic, optionally antialiased), as one 1-D pass per resized axis; grid
// sample (2-D nearest, bilinear, bicubic).
// Every mode is separable, so resizing axis by axis gives the same result as weighting all taps at once, at
// sum-of-taps instead of product-of-taps cost per element.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "backends/common/grid_sample.h"
#include "backends/common/resize_taps.h"
#include "backends/cpu/cpu_kernel.h"

namespace kiln::cpu {

namespace {

using backend::cubicWeight;
using Tap = backend::ResizeTap;
using CoordTaps = backend::ResizeCoordTaps;

class ResizeKernel : public Kernel {
 public:
  explicit ResizeKernel(const KernelSpec& spec) : attrs_(spec.step.attrs) {
    if (spec.inputType(0) != DataType::kFLOAT) spec.unsupported("resize runs on fp32 on the CPU");
  }

  size_t workspaceSize(const KernelArgs& a) const override { return layout(a).total; }

  Status run(const KernelArgs& a) const override {
    backend::ResizePlan l = layout(a);
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
    float* buffers[2] = {reinterpret_cast<float*>(ws + l.buffers),
                         reinterpret_cast<float*>(ws + l.buffers + l.bufferBytes)};
    for (int32_t p = 0; p < l.nbAxes; ++p) {
      const backend::ResizeAxisMapping& axis = l.axes[p];
      auto* coords = reinterpret_cast<CoordTaps*>(ws + l.coords[p]);
      auto* taps = reinterpret_cast<Tap*>(ws + l.taps[p]);
      int64_t stride = axis.maxTaps();
      for (int64_t x = 0; x < axis.out; ++x) coords[x] = backend::resizeTapsOf(axis, x, taps + x * stride, stride);
      float* target = p + 1 == l.nbAxes ? dst : buffers[p % 2];
      resizeAxis(src, target, shape, l.dims[p], axis, coords, taps, stride);
      shape.d[l.dims[p]] = axis.out;
      src = target;
    }
    return Status::ok();
  }

 private:
  backend::ResizePlan layout(const KernelArgs& a) const {
    return backend::planResize(attrs_, a.in(0).shape, a.out(0).shape, sizeof(float));
  }

  // dst[o, x, i] = sum over taps of weight * src[o, index, i], the axis viewed as [outer, length, inner].
  void resizeAxis(const float* src, float* dst, const Dims& shape, int32_t dim, const backend::ResizeAxisMapping& axis,
                  const CoordTaps* coords, const Tap* taps, int64_t stride) const {
    int64_t outer = 1, inner = 1;
    for (int32_t d = 0; d < dim; ++d) outer *= shape.d[d];
    for (int32_t d = dim + 1; d < shape.nbDims; ++d) inner *= shape.d[d];
    for (int64_t o = 0; o < outer; ++o) {
      const float* s = src + o * axis.in * inner;
      float* row = dst + o * axis.out * inner;
      for (int64_t x = 0; x < axis.out; ++x, row += inner) {
        const CoordTaps& c = coords[x];
        const Tap* t = taps + x * stride;
        if (c.outside || c.count == 0) {
          std::fill(row, row + inner, c.outside ? attrs_.extrapolation : 0.0f);
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

  backend::ResizeAttributes attrs_;
};

// ---- Grid sample ------------------------------------------------------------------------------------------------

using backend::GridSampleAxis;
using backend::GridSampleParams;

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
          *dst = static_cast<T>(backend::gridSampleValue(
              p_, ax, ay, ax.coordinate(gx), ay.coordinate(gy),
              [&](int64_t row, int64_t col) { return static_cast<double>(plane[row * width + col]); }));
        }
      }
  }

 private:
  GridSampleParams p_;
};

std::unique_ptr<Kernel> makeGridSample(const KernelSpec& spec) {
  const ops::Attrs& attrs = spec.step.attrs;
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
