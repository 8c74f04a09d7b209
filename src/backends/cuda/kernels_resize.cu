// CUDA resize with the CPU kernel's semantics (kernels_resize.cpp): nearest (every rounding mode), N-linear and
// N-cubic, antialiased or not, with every coordinate transformation, as one 1-D pass per resized axis (shrinking
// axes first). Each pass first builds its taps on the device (one thread per output coordinate, into the workspace,
// by the rule resize_taps.h shares with the CPU), then resizes (one thread per output element). fp32, fp16 and bf16,
// accumulating in fp32 with fp32 weights. Grid sample (2-D) samples every output point by the rule grid_sample.h
// shares with the CPU, in fp64: one thread per output element; fp32, fp64, fp16 and bf16.
#include "backends/common/grid_sample.h"
#include "backends/common/resize_taps.h"
#include "backends/cuda/device_tensor.cuh"

namespace kiln::cuda {

namespace {

using backend::ResizeAxisMapping;
using Tap = backend::ResizeTap;
using CoordTaps = backend::ResizeCoordTaps;

__global__ void buildTapsKernel(ResizeAxisMapping m, CoordTaps* coords, Tap* taps, int64_t maxTaps) {
  KILN_GRID_LOOP(x, m.out) coords[x] = backend::resizeTapsOf(m, x, taps + x * maxTaps, maxTaps);
}

// dst[o, x, i] = sum over taps of weight * src[o, index, i], the axis viewed as [outer, length, inner].
template <typename N>
__global__ void resizeAxisKernel(const typename N::Storage* src, typename N::Storage* dst, int64_t total, int64_t inLen,
                                 int64_t outLen, int64_t inner, const CoordTaps* coords, const Tap* taps,
                                 int64_t maxTaps, float extrapolation) {
  KILN_GRID_LOOP(e, total) {
    int64_t i = e % inner, x = e / inner % outLen, o = e / (inner * outLen);
    const CoordTaps& c = coords[x];
    if (c.outside || c.count == 0) {
      dst[e] = N::store(c.outside ? extrapolation : 0.0f);
      continue;
    }
    const Tap* t = taps + x * maxTaps;
    const typename N::Storage* s = src + o * inLen * inner + i;
    float v = t[0].weight * N::load(s[t[0].index * inner]);
    for (int32_t k = 1; k < c.count; ++k) v += t[k].weight * N::load(s[t[k].index * inner]);
    dst[e] = N::store(v);
  }
}

class Resize {
 public:
  Resize(const KernelSpec& spec, DataType type) : attrs_(spec.step.attrs), type_(type), step_(spec.step.name) {}

  size_t workspaceBytes(const KernelArgs& a) const { return plan(a).total; }

  void operator()(const KernelArgs& a) const {
    backend::ResizePlan l = plan(a);
    if (a.out(0).volume() == 0) return;
    if (a.in(0).volume() == 0) throw Error(ErrorCode::kRUNTIME, "cannot resize an empty input to a non-empty output");
    if (a.workspaceSize < l.total || (l.total > 0 && !a.workspace))
      throw Error(ErrorCode::kRUNTIME, "resize needs " + std::to_string(l.total) + " bytes of workspace, got " +
                                           std::to_string(a.workspaceSize));
    if (l.nbAxes == 0) {
      if (a.out(0).data != a.in(0).data)
        KILN_CUDA_CHECK(cudaMemcpyAsync(a.out(0).data, a.in(0).data, a.out(0).volume() * dataTypeSize(type_),
                                        cudaMemcpyDeviceToDevice, streamOf(a)),
                        step_);
      return;
    }
    auto* ws = static_cast<uint8_t*>(a.workspace);
    const void* src = a.in(0).data;
    void* buffers[2] = {ws + l.buffers, ws + l.buffers + l.bufferBytes};
    Dims shape = a.in(0).shape;
    for (int32_t p = 0; p < l.nbAxes; ++p) {
      const ResizeAxisMapping& m = l.axes[p];
      int32_t dim = l.dims[p];
      int64_t maxTaps = m.maxTaps();
      auto* coords = reinterpret_cast<CoordTaps*>(ws + l.coords[p]);
      auto* taps = reinterpret_cast<Tap*>(ws + l.taps[p]);
      buildTapsKernel<<<blocksFor(m.out), kThreads, 0, streamOf(a)>>>(m, coords, taps, maxTaps);
      checkLaunch(step_);
      void* target = p + 1 == l.nbAxes ? a.out(0).data : buffers[p % 2];
      int64_t outer = 1, inner = 1;
      for (int32_t d = 0; d < dim; ++d) outer *= shape.d[d];
      for (int32_t d = dim + 1; d < shape.nbDims; ++d) inner *= shape.d[d];
      int64_t total = outer * m.out * inner;
      dispatchElement(type_, [&](auto tag) {
        using N = decltype(tag);
        using S = typename N::Storage;
        if constexpr (std::is_same_v<typename N::Compute, float>)
          resizeAxisKernel<N><<<blocksFor(total), kThreads, 0, streamOf(a)>>>(
              static_cast<const S*>(src), static_cast<S*>(target), total, m.in, m.out, inner, coords, taps, maxTaps,
              attrs_.extrapolation);
      });
      checkLaunch(step_);
      shape.d[dim] = m.out;
      src = target;
    }
  }

 private:
  backend::ResizePlan plan(const KernelArgs& a) const {
    return backend::planResize(attrs_, a.in(0).shape, a.out(0).shape, dataTypeSize(type_));
  }

  backend::ResizeAttributes attrs_;
  DataType type_;
  std::string step_;
};

std::unique_ptr<Kernel> makeResize(const KernelSpec& spec) {
  DataType type = spec.inputType(0);
  if (type != DataType::kFLOAT && type != DataType::kHALF && type != DataType::kBF16)
    spec.unsupported(std::string("the CUDA resize supports fp32, fp16 and bf16, not ") + dataTypeName(type));
  return std::make_unique<backend::WorkspaceKernel<Resize>>(spec, Resize(spec, type));
}

// ---- Grid sample --------------------------------------------------------------------------------------------------

// x [N, C, H, W], grid [N, Ho, Wo, 2] (x then y, normalized), y [N, C, Ho, Wo]; a NaN grid coordinate gives NaN.
template <typename N>
__global__ void gridSampleKernel(const typename N::Storage* x, const typename N::Storage* grid, typename N::Storage* y,
                                 int64_t total, int64_t channels, int64_t height, int64_t width, int64_t outPlane,
                                 backend::GridSampleParams p) {
  backend::GridSampleAxis ax(width, p), ay(height, p);
  KILN_GRID_LOOP(e, total) {
    int64_t o = e % outPlane, image = e / (outPlane * channels);
    const typename N::Storage* point = grid + (image * outPlane + o) * 2;
    double gx = static_cast<double>(N::load(point[0])), gy = static_cast<double>(N::load(point[1]));
    if (isnan(gx) || isnan(gy)) {
      y[e] = N::store(static_cast<typename N::Compute>(NAN));
      continue;
    }
    const typename N::Storage* plane = x + (e / outPlane) * height * width;
    double v = backend::gridSampleValue(p, ax, ay, ax.coordinate(gx), ay.coordinate(gy), [&](int64_t row, int64_t col) {
      return static_cast<double>(N::load(plane[row * width + col]));
    });
    y[e] = N::store(static_cast<typename N::Compute>(v));
  }
}

std::unique_ptr<Kernel> makeGridSample(const KernelSpec& spec) {
  const ops::Attrs& attrs = spec.step.attrs;
  backend::GridSampleParams p{static_cast<ResizeMode>(attrs.getInt("mode")),
                              static_cast<GridSamplePadding>(attrs.getInt("padding")),
                              attrs.getInt("align_corners") != 0};
  DataType type = spec.inputType(0);
  if (type != DataType::kFLOAT && type != DataType::kDOUBLE && type != DataType::kHALF && type != DataType::kBF16)
    spec.unsupported(std::string("the CUDA grid sample supports fp32, fp64, fp16 and bf16, not ") + dataTypeName(type));
  if (spec.inputType(1) != type) spec.unsupported("the CUDA grid sample needs a grid of the input's type");
  if (spec.inputRank(0) != 4) spec.unsupported("the CUDA grid sample samples 2-D images ([N, C, H, W]) only");
  return makeKernel(spec, [p, type, step = spec.step.name](const KernelArgs& a) {
    const Dims& in = a.in(0).shape;
    const Dims& out = a.out(0).shape;
    int64_t total = a.out(0).volume();
    if (total == 0) return;
    if (in.d[2] * in.d[3] == 0)
      throw Error(ErrorCode::kRUNTIME,
                  "cannot sample an empty " + std::to_string(in.d[2]) + " x " + std::to_string(in.d[3]) + " image",
                  step);
    dispatchElement(type, [&](auto tag) {
      using N = decltype(tag);
      using S = typename N::Storage;
      if constexpr (kFloating<N>)
        gridSampleKernel<N><<<blocksFor(total), kThreads, 0, streamOf(a)>>>(
            static_cast<const S*>(a.in(0).data), static_cast<const S*>(a.in(1).data), static_cast<S*>(a.out(0).data),
            total, in.d[1], in.d[2], in.d[3], out.d[2] * out.d[3], p);
    });
    checkLaunch(step);
  });
}

}  // namespace

void registerResizeKernels(KernelTable& table) {
  table.add(LayerType::kRESIZE, makeResize);
  table.add(LayerType::kGRID_SAMPLE, makeGridSample);
}

}  // namespace kiln::cuda
