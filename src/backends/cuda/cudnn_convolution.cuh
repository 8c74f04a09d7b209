// The cuDNN side of convolution and deconvolution, shared by their passes and tactics (kernels_convolution.cu) and
// the cuDNN plumbing (kernels_convolution_cudnn.cu): error checks, the per-device handle, descriptors, the step's
// parameters, and the workspace staging of asymmetric padding.
#pragma once

#include <cudnn.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "backends/common/window_geometry.h"
#include "backends/cuda/activation_launch.h"
#include "backends/cuda/device_tensor.cuh"
#include "backends/cuda/vector_access.cuh"
#include "ops/fused_epilogue.h"

namespace kiln::cuda::convolution {

using backend::Axes;

void cudnnCheck(cudnnStatus_t status, const char* call, const std::string& step);
#define KILN_CUDNN_CHECK(call, step) cudnnCheck((call), #call, (step))

// A cuDNN handle of one device, shared by the convolution kernels of every engine on it and destroyed with the last
// of them: a handle kept for the process would outlive the CUDA context at exit (and count as a leak). The handle
// holds the stream it queues on, so a run sets its stream and issues its calls under the lock (host-side only:
// nothing waits for the GPU).
struct DeviceHandle {
  DeviceHandle() = default;
  DeviceHandle(const DeviceHandle&) = delete;
  DeviceHandle& operator=(const DeviceHandle&) = delete;
  ~DeviceHandle();
  std::mutex lock;
  cudnnHandle_t handle = nullptr;
};

// The handle of the current device: the one in use, or a new one.
std::shared_ptr<DeviceHandle> sharedCudnnHandle(const std::string& step);

// Owns the descriptors of one call: cuDNN's problem (x, w, conv, y) and, for a bias, the step's output (which y is
// not when a deconvolution's output is cropped), the bias and the fused ReLU.
struct Descriptors {
  cudnnTensorDescriptor_t x = nullptr, y = nullptr, out = nullptr, bias = nullptr;
  cudnnFilterDescriptor_t w = nullptr;
  cudnnConvolutionDescriptor_t conv = nullptr;
  cudnnActivationDescriptor_t activation = nullptr;
  Descriptors() = default;
  Descriptors(const Descriptors&) = delete;
  Descriptors& operator=(const Descriptors&) = delete;
  ~Descriptors() {
    if (activation) cudnnDestroyActivationDescriptor(activation);
    if (conv) cudnnDestroyConvolutionDescriptor(conv);
    if (w) cudnnDestroyFilterDescriptor(w);
    if (bias) cudnnDestroyTensorDescriptor(bias);
    if (out) cudnnDestroyTensorDescriptor(out);
    if (y) cudnnDestroyTensorDescriptor(y);
    if (x) cudnnDestroyTensorDescriptor(x);
  }
};

int cudnnInt(int64_t v, const std::string& step);

// N, C and the spatial axes cuDNN sees (the last two of the normalized three, or all three for 3-D).

std::vector<int> cudnnDims(int64_t n, int64_t c, const Axes& spatial, size_t cudnnSpatial, const std::string& step);

// A contiguous tensor descriptor of `dims` (N, C, spatial...) in `format` (NCHW or NHWC).

void setTensor(cudnnTensorDescriptor_t& desc, cudnnTensorFormat_t format, cudnnDataType_t type,
               const std::vector<int>& dims, const std::string& step);

// The arguments of a channels-last step as the channels-first step they compute: input 0, the kernel, the residual
// and the output with their shapes permuted to channels-first (the data pointers unchanged). `ins` and `outs` hold
// them.

KernelArgs channelsFirstView(const KernelArgs& a, std::vector<TensorArg>& ins, std::vector<TensorArg>& outs);

const char* mathName(cudnnMathType_t math);

// y += bias[map] where map = (i / inner) % maps: planes of `inner` elements per map (channels-first), or maps
// innermost (channels-last, kLast) with V maps per thread, 16 bytes at a time. cudnnAddTensor's generic kernel took
// several times as long on ResNet-50's bias-only convolutions.
template <typename N, bool kLast, int V>
__global__ void addBiasKernel(typename N::Storage* y, const typename N::Storage* bias, uint32_t count, uint32_t maps,
                              uint32_t inner) {
  for (uint32_t i = blockIdx.x * blockDim.x + threadIdx.x; i < count; i += gridDim.x * blockDim.x) {
    Packed<typename N::Storage, V> packed = loadPacked<V>(y + i * V);
    uint32_t first = kLast ? i * V % maps : i / inner % maps;
    for (int k = 0; k < V; ++k) packed.e[k] = N::store(N::load(packed.e[k]) + N::load(bias[first + (kLast ? k : 0)]));
    storePacked<V>(y + i * V, packed);
  }
}

struct ConvParams {
  size_t nbSpatial = 0;
  int64_t groups = 1;
  Axes stride, dilation, pre, post;
  backend::SamePadding same;
  cudnnDataType_t dataType = CUDNN_DATA_FLOAT;
  DataType type = DataType::kFLOAT;
  size_t elementSize = 4;
  bool tf32 = false;          // fp32 may run on TF32 tensor cores (PlanFlag::kTF32)
  bool channelsLast = false;  // NHWC activations and a KRSC kernel (plan/channels_last.h)
  std::string step;
  std::optional<ops::PostActivation> activation;  // fused (convolution only)

  size_t cudnnSpatial() const { return nbSpatial == 3 ? 3 : 2; }
  cudnnTensorFormat_t format() const { return channelsLast ? CUDNN_TENSOR_NHWC : CUDNN_TENSOR_NCHW; }
  bool fp32() const { return dataType == CUDNN_DATA_FLOAT; }

  // The math type cuDNN ranks algorithms under: tensor cores for fp16; FMA for fp32, or with TF32 allowed the
  // default math, which lets cuDNN rank TF32 tensor-core kernels beside the FMA ones.
  cudnnMathType_t rankingMath() const {
    if (!fp32()) return CUDNN_TENSOR_OP_MATH;
    return tf32 ? CUDNN_DEFAULT_MATH : CUDNN_FMA_MATH;
  }

  // The math type an algorithm that cuDNN ranked with `reported` runs with; none where this step's precision forbids
  // it (a conversion to fp16, or tensor cores for fp32 without TF32).
  std::optional<cudnnMathType_t> runMath(cudnnMathType_t reported) const {
    if (reported == CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION) return std::nullopt;
    if (fp32() && !tf32) return reported == CUDNN_TENSOR_OP_MATH ? std::nullopt : std::optional(CUDNN_FMA_MATH);
    return reported;
  }

  // This run's padding: SAME modes resolved from the shape program.
  void padding(const KernelArgs& a, Axes& preOut, Axes& postOut) const {
    preOut = pre;
    postOut = post;
    same.resolve(a, preOut, postOut);
  }

  // The convolution descriptor with symmetric padding `pad`, under the ranking math type.
  void setConvolution(Descriptors& d, const Axes& pad) const {
    KILN_CUDNN_CHECK(cudnnCreateConvolutionDescriptor(&d.conv), step);
    std::vector<int> padA, strideA, dilationA;
    for (size_t i = 3 - cudnnSpatial(); i < 3; ++i) {
      padA.push_back(cudnnInt(pad[i], step));
      strideA.push_back(cudnnInt(stride[i], step));
      dilationA.push_back(cudnnInt(dilation[i], step));
    }
    KILN_CUDNN_CHECK(cudnnSetConvolutionNdDescriptor(d.conv, static_cast<int>(padA.size()), padA.data(), strideA.data(),
                                                     dilationA.data(), CUDNN_CROSS_CORRELATION, CUDNN_DATA_FLOAT),
                     step);
    KILN_CUDNN_CHECK(cudnnSetConvolutionGroupCount(d.conv, cudnnInt(groups, step)), step);
    KILN_CUDNN_CHECK(cudnnSetConvolutionMathType(d.conv, rankingMath()), step);
  }

  // The descriptors of cuDNN's problem: x [batch, xChannels, xSpatial], y [batch, yChannels, ySpatial], the kernel
  // `w` and the convolution padded by `pad` on both sides.
  void describe(Descriptors& d, const Dims& w, int64_t batch, int64_t xChannels, const Axes& xSpatial,
                int64_t yChannels, const Axes& ySpatial, const Axes& pad) const {
    setTensor(d.x, format(), dataType, cudnnDims(batch, xChannels, xSpatial, cudnnSpatial(), step), step);
    setTensor(d.y, format(), dataType, cudnnDims(batch, yChannels, ySpatial, cudnnSpatial(), step), step);
    std::vector<int> dims = cudnnDims(w.d[0], w.d[1], backend::trailingDims3(w, nbSpatial), cudnnSpatial(), step);
    KILN_CUDNN_CHECK(cudnnCreateFilterDescriptor(&d.w), step);
    KILN_CUDNN_CHECK(cudnnSetFilterNdDescriptor(d.w, dataType, format(), static_cast<int>(dims.size()), dims.data()),
                     step);
    setConvolution(d, pad);
  }

  // The bias descriptors of a run with a bias: the output and the bias, 1 x C x 1 x 1 (x 1), broadcast over the
  // batch and the spatial axes; and the activation of the fused call.
  void describeBias(Descriptors& d, const KernelArgs& a) const {
    if (!a.hasInput(2)) return;
    const Dims& y = a.out(0).shape;
    setTensor(d.out, format(), dataType,
              cudnnDims(y.d[0], y.d[1], backend::trailingDims3(y, nbSpatial), cudnnSpatial(), step), step);
    std::vector<int> dims(2 + cudnnSpatial(), 1);
    dims[1] = cudnnInt(y.d[1], step);
    setTensor(d.bias, format(), dataType, dims, step);
    std::optional<cudnnActivationMode_t> mode = fusedMode(a);
    if (!mode) return;
    KILN_CUDNN_CHECK(cudnnCreateActivationDescriptor(&d.activation), step);
    KILN_CUDNN_CHECK(cudnnSetActivationDescriptor(d.activation, *mode, CUDNN_PROPAGATE_NAN, 0.0), step);
  }

  // The workspace left to cuDNN after the first `staged` bytes, which hold `what`.
  size_t cudnnWorkspace(const KernelArgs& a, size_t staged, const char* what) const {
    if (a.workspaceSize < staged || (staged > 0 && !a.workspace))
      throw Error(ErrorCode::kRUNTIME,
                  "the workspace (" + std::to_string(a.workspaceSize) + " bytes) is smaller than the " +
                      std::to_string(staged) + " bytes " + what + " needs",
                  step);
    return a.workspaceSize - staged;
  }

  // y += bias per output map (`a` seen channels-first).
  void addBias(cudnnHandle_t handle, const KernelArgs& a, const Descriptors& d) const {
    if (!a.hasInput(2)) return;
    const Dims& y = a.out(0).shape;
    int64_t total = a.out(0).volume(), maps = y.d[1];
    if (total >= (int64_t{1} << 31) || maps == 0) {
      float one = 1.0f;
      KILN_CUDNN_CHECK(cudnnAddTensor(handle, &one, d.bias, a.in(2).data, &one, d.out, a.out(0).data), step);
      return;
    }
    dispatchElement(type, [&](auto tag) {
      using N = decltype(tag);
      using S = typename N::Storage;
      if constexpr (std::is_same_v<N, Half> || std::is_same_v<N, Plain<float>>) {
        auto* out = static_cast<S*>(a.out(0).data);
        auto* b = static_cast<const S*>(a.in(2).data);
        auto count = static_cast<uint32_t>(total), m = static_cast<uint32_t>(maps);
        constexpr int kVector = kVectorWidth<S>;
        if (!channelsLast) {
          auto inner = static_cast<uint32_t>(total / std::max<int64_t>(1, y.d[0] * maps));
          addBiasKernel<N, false, 1><<<blocksFor(count), kThreads, 0, streamOf(a)>>>(out, b, count, m, inner);
        } else if (maps % kVector == 0 && alignedTo(out, kVectorBytes)) {
          addBiasKernel<N, true, kVector>
              <<<blocksFor(count / kVector), kThreads, 0, streamOf(a)>>>(out, b, count / kVector, m, 1);
        } else {
          addBiasKernel<N, true, 1><<<blocksFor(count), kThreads, 0, streamOf(a)>>>(out, b, count, m, 1);
        }
      }
    });
    checkLaunch(step);
  }

  // What follows the convolution itself: the bias, then the fused residual and activation in place.
  void finish(cudnnHandle_t handle, const KernelArgs& a, const Descriptors& d) const {
    addBias(handle, a, d);
    if (a.hasInput(ops::kResidualInput))
      launchResidualActivation(type, activation, a.in(ops::kResidualInput).data, a.out(0).data, a.out(0).volume(),
                               streamOf(a), step);
    else if (activation)
      launchActivation(type, activation->type, activation->alpha, activation->beta, a.out(0).data, a.out(0).data,
                       a.out(0).volume(), streamOf(a), step);
  }

  // The activation cudnnConvolutionBiasActivationForward runs this step's epilogue with, which needs a bias: a ReLU
  // (NaN propagating, as the activation kernel), or the identity for a residual without an activation.
  std::optional<cudnnActivationMode_t> fusedMode(const KernelArgs& a) const {
    if (!a.hasInput(2)) return std::nullopt;
    if (activation)
      return activation->type == ActivationType::kRELU ? std::optional(CUDNN_ACTIVATION_RELU) : std::nullopt;
    return a.hasInput(ops::kResidualInput) ? std::optional(CUDNN_ACTIVATION_IDENTITY) : std::nullopt;
  }

  // Whether the fused call takes the epilogue with `algo`: cuDNN allows the identity with IMPLICIT_PRECOMP_GEMM only.
  bool fusesEpilogue(const KernelArgs& a, cudnnConvolutionFwdAlgo_t algo) const {
    std::optional<cudnnActivationMode_t> mode = fusedMode(a);
    return mode && (*mode != CUDNN_ACTIVATION_IDENTITY || algo == CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM);
  }
};

// An algorithm of one pass, the math type it runs with, and the cuDNN workspace it takes at a call's shapes.
template <typename Algo>
struct Choice {
  Algo algo{};
  cudnnMathType_t math = CUDNN_DEFAULT_MATH;
  size_t bytes = 0;
};

// A concrete shape's descriptors (the convolution's math type set for the algorithm) and algorithm.
template <typename Algo>
struct PreparedCall {
  Descriptors d;
  Choice<Algo> choice;
  mutable std::atomic<bool> fusedRefused{false};  // cuDNN refused the fused bias and ReLU for these descriptors
};

// A tactic's bytes: the pass it belongs to, cuDNN's algorithm and the math type it runs with.
struct TacticBytes {
  int32_t pass = 0, algo = 0, math = 0;
};

size_t align256(size_t n);

// dst[plane, p] = src[plane, p - offset] inside src, 0 elsewhere (over the three normalized spatial axes): pads the
// input of a convolution (offset >= 0) or crops the output of a deconvolution (offset <= 0).
void shiftCopy(const KernelArgs& a, const ConvParams& p, const void* in, void* out, int64_t planes, const Axes& src,
               const Axes& dst, const Axes& offset);

// The symmetric part cuDNN pads (the smaller side) and what is left before and after it.
struct SplitPadding {
  Axes symmetric{}, before{}, after{};
  bool asymmetric = false;
  SplitPadding(const Axes& pre, const Axes& post) {
    for (size_t i = 0; i < 3; ++i) {
      symmetric[i] = std::min(pre[i], post[i]);
      before[i] = pre[i] - symmetric[i];
      after[i] = post[i] - symmetric[i];
      asymmetric = asymmetric || before[i] != 0 || after[i] != 0;
    }
  }
  Axes grow(const Axes& dims) const {
    return {dims[0] + before[0] + after[0], dims[1] + before[1] + after[1], dims[2] + before[2] + after[2]};
  }
};

// The shapes of one run as cuDNN sees them: x [batch, xChannels, xSpatial] and y [batch, yChannels, ySpatial], padded
// symmetrically; `staged` bytes of the workspace hold the padded input or the uncropped output.
struct Problem {
  int64_t batch = 0, xChannels = 0, yChannels = 0;
  Axes xSpatial{}, ySpatial{};
  SplitPadding pad;
  size_t staged = 0;
};

// What tells one cuDNN pass from the other: its tag in a tactic's bytes, the step it runs, what its staged workspace
// holds, its tactics' name prefix and its ranking call.
struct PassNames {
  int32_t pass;
  const char* name;
  const char* staged;
  const char* tacticPrefix;
  const char* ranking;
};

// Throws unless the input has the channels the kernel takes.

void checkInputChannels(const ConvParams& p, const KernelArgs& a, int64_t channels);

size_t planeBytes(const ConvParams& p, int64_t planes, const Axes& spatial);

}  // namespace kiln::cuda::convolution
