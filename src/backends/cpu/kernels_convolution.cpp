// CPU convolution (fp32): im2col + SGEMM per image and group; pointwise kernels (1x1, stride 1, unpadded) use the
// input itself as the column matrix. Deconvolution is SGEMM + col2im. The columns live in the workspace, sized at
// the profile's largest shapes.
//
// Geometry is normalized to three spatial axes (1-D and 2-D get leading axes of size 1 with kernel 1, stride 1,
// no padding), so one code path serves 1-D, 2-D and 3-D.
#include <cblas.h>

#include <algorithm>
#include <array>
#include <climits>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "backends/common/activation_function.h"
#include "backends/common/window_geometry.h"
#include "backends/cpu/channels_first_adapter.h"
#include "backends/cpu/cpu_kernel.h"
#include "ops/channels_last.h"

namespace kiln::cpu {

using backend::applyPostActivation;
using backend::Axes;
using backend::axesVolume;
using backend::checkedPostActivation;
using backend::convolutionGroups;
using backend::SamePadding;
using backend::spatialAttr3;
using backend::trailingDims3;

namespace {

struct ConvParams {
  size_t nbSpatial = 0;
  int64_t groups = 1;
  Axes stride, dilation, pre, post;
  SamePadding same;
  std::optional<ops::PostActivation> fusedActivation;  // convolution only

  // These parameters with this run's SAME padding filled in.
  ConvParams resolved(const KernelArgs& a) const {
    ConvParams r = *this;
    same.resolve(a, r.pre, r.post);
    r.same = {};
    return r;
  }
};

// Concrete sizes of one run; channel counts are per group.
struct ConvShape {
  int64_t batch = 0, inChannels = 0, outChannels = 0;
  Axes in, kernel, out;
  int64_t inPlane() const { return axesVolume(in); }
  int64_t outPlane() const { return axesVolume(out); }
  int64_t kernelVolume() const { return axesVolume(kernel); }
};

// First output index whose input position o * stride - pre + offset is >= bound (clamped to [0, size]).
int64_t firstAtOrAbove(int64_t bound, int64_t stride, int64_t pre, int64_t offset, int64_t size) {
  int64_t num = bound + pre - offset;
  int64_t first = num <= 0 ? 0 : (num + stride - 1) / stride;
  return std::min(first, size);
}

// BLAS sizes and leading dimensions (>= 1 even for empty matrices); checked against INT_MAX before use.
int blasInt(int64_t v) { return static_cast<int>(std::max<int64_t>(v, 1)); }

class Convolution {
 public:
  Convolution(std::string step, ConvParams p) : step_(std::move(step)), p_(std::move(p)) {}

  ConvShape shapeOf(const KernelArgs& a) const {
    ConvShape s;
    const Dims& x = a.in(0).shape;
    const Dims& w = a.in(1).shape;
    s.batch = x.d[0];
    s.inChannels = x.d[1] / p_.groups;
    s.outChannels = w.d[0] / p_.groups;
    s.in = trailingDims3(x, p_.nbSpatial);
    s.kernel = trailingDims3(w, p_.nbSpatial);
    s.out = trailingDims3(a.out(0).shape, p_.nbSpatial);
    return s;
  }

  // The input is already the column matrix: every tap reads the output position itself.
  bool pointwise(const ConvShape& s) const {
    for (size_t i = 0; i < 3; ++i)
      if (s.kernel[i] != 1 || p_.stride[i] != 1 || p_.pre[i] != 0 || p_.post[i] != 0) return false;
    return true;
  }

  size_t workspaceBytes(const KernelArgs& a) const {
    if (!p_.same.empty()) return Convolution(step_, p_.resolved(a)).workspaceBytes(a);
    ConvShape s = shapeOf(a);
    if (pointwise(s)) return 0;
    return static_cast<size_t>(s.inChannels * s.kernelVolume() * s.outPlane()) * sizeof(float);
  }

  void operator()(const KernelArgs& a) const {
    if (!p_.same.empty()) return Convolution(step_, p_.resolved(a))(a);
    ConvShape s = shapeOf(a);
    if (a.in(0).shape.d[1] != a.in(1).shape.d[1] * p_.groups) failStep(step_, "input channels do not match the kernel");
    if (std::max({s.outChannels, s.outPlane(), s.inChannels * s.kernelVolume()}) > INT_MAX)
      failStep(step_, "a group's matrices are too large for BLAS");
    const auto* x = static_cast<const float*>(a.in(0).data);
    const auto* w = static_cast<const float*>(a.in(1).data);
    const auto* bias = a.hasInput(2) ? static_cast<const float*>(a.in(2).data) : nullptr;
    const float* residual = nullptr;
    if (a.hasInput(ops::kResidualInput)) {
      if (!(a.in(ops::kResidualInput).shape == a.out(0).shape))
        failStep(step_, "the fused residual's shape differs from the output's");
      residual = static_cast<const float*>(a.in(ops::kResidualInput).data);
    }
    auto* y = static_cast<float*>(a.out(0).data);
    size_t columnBytes = workspaceBytes(a);
    if (columnBytes > 0 && (!a.workspace || a.workspaceSize < columnBytes))
      failStep(step_, "the workspace (" + std::to_string(a.workspaceSize) + " bytes) is smaller than the " +
                          std::to_string(columnBytes) + " bytes the im2col columns need");
    int64_t rows = s.inChannels * s.kernelVolume();
    for (int64_t n = 0; n < s.batch; ++n) {
      for (int64_t g = 0; g < p_.groups; ++g) {
        const float* xg = x + (n * p_.groups + g) * s.inChannels * s.inPlane();
        const float* wg = w + g * s.outChannels * rows;
        const float* bg = bias ? bias + g * s.outChannels : nullptr;
        int64_t groupOffset = (n * p_.groups + g) * s.outChannels * s.outPlane();
        float* yg = y + groupOffset;
        const float* cols = xg;
        if (columnBytes > 0) {
          im2col(s, xg, static_cast<float*>(a.workspace));
          cols = static_cast<const float*>(a.workspace);
        }
        gemmGroup(s, cols, wg, bg, yg);
        int64_t count = s.outChannels * s.outPlane();
        if (residual) std::transform(yg, yg + count, residual + groupOffset, yg, std::plus<float>());
        if (p_.fusedActivation) applyPostActivation(*p_.fusedActivation, yg, count);
      }
    }
  }

 private:
  // y (outChannels x outPlane) = w (outChannels x rows) * cols (rows x outPlane) + bias.
  void gemmGroup(const ConvShape& s, const float* cols, const float* w, const float* bias, float* y) const {
    int64_t rows = s.inChannels * s.kernelVolume(), plane = s.outPlane();
    if (s.outChannels == 0 || plane == 0) return;
    fillBias(s, bias, y);
    if (rows == 0) return;
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, blasInt(s.outChannels), blasInt(plane), blasInt(rows), 1.0f,
                w, blasInt(rows), cols, blasInt(plane), 1.0f, y, blasInt(plane));
  }

  void fillBias(const ConvShape& s, const float* bias, float* y) const {
    int64_t plane = s.outPlane();
    for (int64_t k = 0; k < s.outChannels; ++k) std::fill(y + k * plane, y + (k + 1) * plane, bias ? bias[k] : 0.0f);
  }

  // cols[(c, kd, kh, kw), (od, oh, ow)] = x[c, od*sd - pd + kd*dd, ...], 0 in the padding.
  void im2col(const ConvShape& s, const float* x, float* cols) const {
    const Axes& in = s.in;
    const Axes& out = s.out;
    float* dst = cols;
    for (int64_t c = 0; c < s.inChannels; ++c) {
      const float* xc = x + c * s.inPlane();
      for (int64_t kd = 0; kd < s.kernel[0]; ++kd)
        for (int64_t kh = 0; kh < s.kernel[1]; ++kh)
          for (int64_t kw = 0; kw < s.kernel[2]; ++kw) {
            int64_t offW = kw * p_.dilation[2];
            // Output columns whose input column lies inside the row: [lo, hi).
            int64_t lo = firstAtOrAbove(0, p_.stride[2], p_.pre[2], offW, out[2]);
            int64_t hi = std::max(lo, firstAtOrAbove(in[2], p_.stride[2], p_.pre[2], offW, out[2]));
            for (int64_t od = 0; od < out[0]; ++od) {
              int64_t id = od * p_.stride[0] - p_.pre[0] + kd * p_.dilation[0];
              for (int64_t oh = 0; oh < out[1]; ++oh, dst += out[2]) {
                int64_t ih = oh * p_.stride[1] - p_.pre[1] + kh * p_.dilation[1];
                if (id < 0 || id >= in[0] || ih < 0 || ih >= in[1]) {
                  std::fill(dst, dst + out[2], 0.0f);
                  continue;
                }
                const float* src = xc + (id * in[1] + ih) * in[2];
                int64_t shift = offW - p_.pre[2];
                std::fill(dst, dst + lo, 0.0f);
                for (int64_t ow = lo; ow < hi; ++ow) dst[ow] = src[ow * p_.stride[2] + shift];
                std::fill(dst + hi, dst + out[2], 0.0f);
              }
            }
          }
    }
  }

  std::string step_;
  ConvParams p_;
};

// Transposed convolution, per image and group: cols (K/groups x kernel, inPlane) = W_g^T x X_g by SGEMM, then every
// column scatters into the output (col2im): input position i and tap t land on output i * stride - pre + t * dilation.
class Deconvolution {
 public:
  Deconvolution(std::string step, ConvParams p) : step_(std::move(step)), p_(std::move(p)) {}

  // Channel counts per group: inChannels of the input, outChannels of the output.
  ConvShape shapeOf(const KernelArgs& a) const {
    ConvShape s;
    const Dims& x = a.in(0).shape;
    const Dims& w = a.in(1).shape;
    s.batch = x.d[0];
    s.inChannels = x.d[1] / p_.groups;
    s.outChannels = w.d[1];
    s.in = trailingDims3(x, p_.nbSpatial);
    s.kernel = trailingDims3(w, p_.nbSpatial);
    s.out = trailingDims3(a.out(0).shape, p_.nbSpatial);
    return s;
  }

  size_t workspaceBytes(const KernelArgs& a) const {
    ConvShape s = shapeOf(a);
    return static_cast<size_t>(s.outChannels * s.kernelVolume() * s.inPlane()) * sizeof(float);
  }

  void operator()(const KernelArgs& a) const {
    ConvShape s = shapeOf(a);
    if (a.in(0).shape.d[1] != a.in(1).shape.d[0]) failStep(step_, "input channels do not match the kernel");
    int64_t rows = s.outChannels * s.kernelVolume();
    if (std::max({rows, s.inPlane(), s.inChannels}) > INT_MAX)
      failStep(step_, "a group's matrices are too large for BLAS");
    size_t columnBytes = workspaceBytes(a);
    if (columnBytes > 0 && (!a.workspace || a.workspaceSize < columnBytes))
      failStep(step_, "the workspace (" + std::to_string(a.workspaceSize) + " bytes) is smaller than the " +
                          std::to_string(columnBytes) + " bytes the columns need");
    const auto* x = static_cast<const float*>(a.in(0).data);
    const auto* w = static_cast<const float*>(a.in(1).data);
    const auto* bias = a.hasInput(2) ? static_cast<const float*>(a.in(2).data) : nullptr;
    auto* y = static_cast<float*>(a.out(0).data);
    auto* cols = static_cast<float*>(a.workspace);
    int64_t outPlane = s.outPlane();
    for (int64_t n = 0; n < s.batch; ++n) {
      for (int64_t g = 0; g < p_.groups; ++g) {
        const float* xg = x + (n * p_.groups + g) * s.inChannels * s.inPlane();
        const float* wg = w + g * s.inChannels * rows;
        float* yg = y + (n * p_.groups + g) * s.outChannels * outPlane;
        for (int64_t k = 0; k < s.outChannels; ++k)
          std::fill(yg + k * outPlane, yg + (k + 1) * outPlane, bias ? bias[g * s.outChannels + k] : 0.0f);
        if (rows == 0 || s.inPlane() == 0 || s.inChannels == 0) continue;
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, blasInt(rows), blasInt(s.inPlane()), blasInt(s.inChannels),
                    1.0f, wg, blasInt(rows), xg, blasInt(s.inPlane()), 0.0f, cols, blasInt(s.inPlane()));
        col2im(s, cols, yg);
      }
    }
  }

 private:
  // y[k, i * stride - pre + t * dilation] += cols[(k, t), i] wherever that output position exists.
  void col2im(const ConvShape& s, const float* cols, float* y) const {
    const Axes& in = s.in;
    const Axes& out = s.out;
    const float* src = cols;
    for (int64_t k = 0; k < s.outChannels; ++k) {
      float* yk = y + k * s.outPlane();
      for (int64_t kd = 0; kd < s.kernel[0]; ++kd)
        for (int64_t kh = 0; kh < s.kernel[1]; ++kh)
          for (int64_t kw = 0; kw < s.kernel[2]; ++kw) {
            int64_t offW = kw * p_.dilation[2];
            // Input columns whose output column lies inside the row: [lo, hi).
            int64_t lo = firstAtOrAbove(0, p_.stride[2], p_.pre[2], offW, in[2]);
            int64_t hi = std::max(lo, firstAtOrAbove(out[2], p_.stride[2], p_.pre[2], offW, in[2]));
            for (int64_t id = 0; id < in[0]; ++id) {
              int64_t od = id * p_.stride[0] - p_.pre[0] + kd * p_.dilation[0];
              for (int64_t ih = 0; ih < in[1]; ++ih, src += in[2]) {
                int64_t oh = ih * p_.stride[1] - p_.pre[1] + kh * p_.dilation[1];
                if (od < 0 || od >= out[0] || oh < 0 || oh >= out[1]) continue;
                int64_t base = (od * out[1] + oh) * out[2] + offW - p_.pre[2];
                for (int64_t iw = lo; iw < hi; ++iw) yk[base + iw * p_.stride[2]] += src[iw];
              }
            }
          }
    }
  }

  std::string step_;
  ConvParams p_;
};

// Geometry attributes shared by convolution and deconvolution.
ConvParams slidingParams(const KernelSpec& spec, const char* what) {
  if (spec.inputType(0) != DataType::kFLOAT || spec.inputType(1) != DataType::kFLOAT)
    spec.unsupported(std::string("the CPU ") + what + " supports fp32 only");
  const ops::Attrs& attrs = spec.step.attrs;
  ConvParams p;
  p.nbSpatial = spec.inputRank(0) - 2;
  if (p.nbSpatial < 1 || p.nbSpatial > 3)
    spec.unsupported(std::string("the CPU ") + what + " supports 1-D, 2-D and 3-D only");
  p.groups = attrs.getInt("groups", 1);
  if (p.groups < 1) spec.unsupported("invalid number of groups " + std::to_string(p.groups));
  p.stride = spatialAttr3(attrs, "stride", p.nbSpatial, 1);
  p.dilation = spatialAttr3(attrs, "dilation", p.nbSpatial, 1);
  p.pre = spatialAttr3(attrs, "pre_padding", p.nbSpatial, 0);
  p.post = spatialAttr3(attrs, "post_padding", p.nbSpatial, 0);
  return p;
}

std::unique_ptr<Kernel> makeConvolution(const KernelSpec& spec) {
  const ops::Attrs& attrs = spec.step.attrs;
  if (ops::isChannelsLast(attrs)) return makeChannelsFirstAdapter(spec, {0, 1, ops::kResidualInput}, makeConvolution);
  ConvParams p = slidingParams(spec, "convolution");
  p.groups = convolutionGroups(attrs);
  p.same = SamePadding(attrs);
  p.fusedActivation = checkedPostActivation(spec);
  if (spec.hasInput(ops::kResidualInput) && (spec.inputType(ops::kResidualInput) != DataType::kFLOAT ||
                                             spec.inputRank(ops::kResidualInput) != spec.inputRank(0)))
    spec.unsupported("the CPU convolution's fused residual must be fp32 of the output's rank");
  return std::make_unique<WorkspaceKernel<Convolution>>(spec, Convolution(spec.step.name, p));
}

std::unique_ptr<Kernel> makeDeconvolution(const KernelSpec& spec) {
  if (ops::isChannelsLast(spec.step.attrs)) spec.unsupported("a deconvolution has no channels-last form");
  if (ops::postActivation(spec.step.attrs) || spec.hasInput(ops::kResidualInput))
    spec.unsupported("the CPU deconvolution has no fused activation or residual");
  ConvParams p = slidingParams(spec, "deconvolution");
  return std::make_unique<WorkspaceKernel<Deconvolution>>(spec, Deconvolution(spec.step.name, p));
}

}  // namespace

void registerConvolutionKernels(KernelTable& table) {
  table.add(LayerType::kCONVOLUTION, makeConvolution);
  table.add(LayerType::kDECONVOLUTION, makeDeconvolution);
}

}  // namespace kiln::cpu
