// CUDA convolution and deconvolution through cuDNN's legacy API (cudnnConvolutionForward and, for the transpose,
// cudnnConvolutionBackwardData), fp32 with FMA math only (no TF32) and fp16 accumulating in fp32. Descriptors are
// built per run from the concrete shapes (host objects: cheap, no synchronization); the algorithm is cuDNN's
// heuristic choice (cudnnGet*Algorithm_v7) among those that fit the workspace, reserved at the profile's largest
// shapes. 1-D problems run as 2-D with a leading spatial axis of 1.
//
// A fused ReLU with a bias (plan/fused_epilogue.h) runs as cudnnConvolutionBiasActivationForward where cuDNN accepts
// the configuration; every other fused activation (and a refused configuration) runs the element-wise activation
// kernel over the output after the bias.
//
// cuDNN pads symmetrically: asymmetric padding (explicit, or SAME with an even window) pads the input into the
// workspace first (convolution) or computes a larger output there and crops it (deconvolution).
#include <cudnn.h>

#include <algorithm>
#include <climits>
#include <mutex>
#include <optional>
#include <vector>

#include "backends/cpu/activation_function.h"
#include "backends/cpu/window_geometry.h"
#include "backends/cuda/activation_launch.h"
#include "backends/cuda/device_tensor.cuh"

namespace kiln::cuda {

namespace {

using cpu::Axes;

void cudnnCheck(cudnnStatus_t status, const char* call, const std::string& step) {
  if (status != CUDNN_STATUS_SUCCESS)
    throw Error(ErrorCode::kRUNTIME, std::string(call) + " failed: " + cudnnGetErrorString(status), step);
}
#define KILN_CUDNN_CHECK(call, step) cudnnCheck((call), #call, (step))

// One cuDNN handle per device, created on first use. The handle holds the stream it queues on, so a run sets its
// stream and issues its calls under the device's lock (host-side only: nothing waits for the GPU).
struct DeviceHandle {
  std::mutex lock;
  cudnnHandle_t handle = nullptr;
};

DeviceHandle& cudnnHandleOfCurrentDevice(const std::string& step) {
  static std::mutex registryLock;
  static std::vector<std::unique_ptr<DeviceHandle>> handles;
  int device = 0;
  KILN_CUDA_CHECK(cudaGetDevice(&device), step);
  std::lock_guard<std::mutex> guard(registryLock);
  if (handles.size() <= static_cast<size_t>(device)) handles.resize(static_cast<size_t>(device) + 1);
  auto& slot = handles[static_cast<size_t>(device)];
  if (!slot) {
    auto created = std::make_unique<DeviceHandle>();
    KILN_CUDNN_CHECK(cudnnCreate(&created->handle), step);
    slot = std::move(created);
  }
  return *slot;
}

// Owns the descriptors of one call.
struct Descriptors {
  cudnnTensorDescriptor_t x = nullptr, y = nullptr, bias = nullptr;
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
    if (y) cudnnDestroyTensorDescriptor(y);
    if (x) cudnnDestroyTensorDescriptor(x);
  }
};

int cudnnInt(int64_t v, const std::string& step) {
  if (v > INT_MAX) throw Error(ErrorCode::kUNSUPPORTED, "a dimension of " + std::to_string(v) + " exceeds cuDNN's int", step);
  return static_cast<int>(v);
}

// N, C and the spatial axes cuDNN sees (the last two of the normalized three, or all three for 3-D).
std::vector<int> cudnnDims(int64_t n, int64_t c, const Axes& spatial, size_t cudnnSpatial, const std::string& step) {
  std::vector<int> dims{cudnnInt(n, step), cudnnInt(c, step)};
  for (size_t i = 3 - cudnnSpatial; i < 3; ++i) dims.push_back(cudnnInt(spatial[i], step));
  return dims;
}

// A contiguous NCHW / NCDHW tensor descriptor.
void setTensor(cudnnTensorDescriptor_t& desc, cudnnDataType_t type, const std::vector<int>& dims,
               const std::string& step) {
  KILN_CUDNN_CHECK(cudnnCreateTensorDescriptor(&desc), step);
  KILN_CUDNN_CHECK(cudnnSetTensorNdDescriptorEx(desc, CUDNN_TENSOR_NCHW, type, static_cast<int>(dims.size()), dims.data()),
                   step);
}

struct ConvParams {
  size_t nbSpatial = 0;
  int64_t groups = 1;
  Axes stride, dilation, pre, post;
  cpu::SamePadding same;
  cudnnDataType_t dataType = CUDNN_DATA_FLOAT;
  DataType type = DataType::kFLOAT;
  size_t elementSize = 4;
  std::string step;
  std::optional<plan::PostActivation> activation;  // fused (convolution only)

  size_t cudnnSpatial() const { return nbSpatial == 3 ? 3 : 2; }
  bool fp32() const { return dataType == CUDNN_DATA_FLOAT; }

  // This run's padding: SAME modes resolved from the shape program.
  void padding(const KernelArgs& a, Axes& preOut, Axes& postOut) const {
    preOut = pre;
    postOut = post;
    same.resolve(a, preOut, postOut);
  }

  // The convolution descriptor with symmetric padding `pad`, FMA math for fp32 (never TF32), tensor cores for fp16.
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
    KILN_CUDNN_CHECK(cudnnSetConvolutionMathType(d.conv, fp32() ? CUDNN_FMA_MATH : CUDNN_TENSOR_OP_MATH), step);
  }

  // The descriptors of one run: x [batch, xChannels, xSpatial], y [batch, yChannels, ySpatial], the kernel `w` and
  // the convolution padded by `pad` on both sides.
  void describe(Descriptors& d, const Dims& w, int64_t batch, int64_t xChannels, const Axes& xSpatial,
                int64_t yChannels, const Axes& ySpatial, const Axes& pad) const {
    setTensor(d.x, dataType, cudnnDims(batch, xChannels, xSpatial, cudnnSpatial(), step), step);
    setTensor(d.y, dataType, cudnnDims(batch, yChannels, ySpatial, cudnnSpatial(), step), step);
    std::vector<int> dims = cudnnDims(w.d[0], w.d[1], cpu::trailingDims3(w, nbSpatial), cudnnSpatial(), step);
    KILN_CUDNN_CHECK(cudnnCreateFilterDescriptor(&d.w), step);
    KILN_CUDNN_CHECK(
        cudnnSetFilterNdDescriptor(d.w, dataType, CUDNN_TENSOR_NCHW, static_cast<int>(dims.size()), dims.data()), step);
    setConvolution(d, pad);
  }

  // The workspace left to cuDNN after the first `staged` bytes, which hold `what`.
  size_t cudnnWorkspace(const KernelArgs& a, size_t staged, const char* what) const {
    if (a.workspaceSize < staged || (staged > 0 && !a.workspace))
      throw Error(ErrorCode::kRUNTIME, "the workspace (" + std::to_string(a.workspaceSize) +
                                           " bytes) is smaller than the " + std::to_string(staged) + " bytes " + what +
                                           " needs",
                  step);
    return a.workspaceSize - staged;
  }

  // Whether cuDNN's heuristic result may run: it succeeded, fits `available` bytes, and fp32 stays off tensor cores.
  template <typename Perf>
  bool usable(const Perf& perf, size_t available) const {
    if (perf.status != CUDNN_STATUS_SUCCESS || perf.memory > available) return false;
    return !fp32() || (perf.mathType != CUDNN_TENSOR_OP_MATH && perf.mathType != CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION);
  }

  // The first usable algorithm of cuDNN's ranking; its math type goes on the descriptor for fp16.
  template <typename Perf>
  Perf choose(const std::vector<Perf>& ranking, int returned, size_t available, const Descriptors& d,
              const char* what) const {
    for (int i = 0; i < returned; ++i) {
      if (!usable(ranking[static_cast<size_t>(i)], available)) continue;
      if (!fp32()) KILN_CUDNN_CHECK(cudnnSetConvolutionMathType(d.conv, ranking[static_cast<size_t>(i)].mathType), step);
      return ranking[static_cast<size_t>(i)];
    }
    throw Error(ErrorCode::kUNSUPPORTED,
                std::string("cuDNN has no ") + what + " algorithm for these shapes within " + std::to_string(available) +
                    " bytes of workspace" + (fp32() ? " without TF32" : ""),
                step);
  }

  // The largest workspace the ranking's first usable algorithm needs (any that fits runs when less is left).
  template <typename Perf>
  size_t firstUsableMemory(const std::vector<Perf>& ranking, int returned) const {
    for (int i = 0; i < returned; ++i)
      if (usable(ranking[static_cast<size_t>(i)], SIZE_MAX)) return ranking[static_cast<size_t>(i)].memory;
    return 0;
  }

  // The bias descriptor: 1 x C x 1 x 1 (x 1), broadcast over the batch and the spatial axes.
  void setBias(Descriptors& d, int64_t channels) const {
    std::vector<int> dims(2 + cudnnSpatial(), 1);
    dims[1] = cudnnInt(channels, step);
    setTensor(d.bias, dataType, dims, step);
  }

  // y += bias per output map.
  void addBias(cudnnHandle_t handle, const KernelArgs& a) const {
    if (!a.hasInput(2)) return;
    const Dims& y = a.out(0).shape;
    Descriptors d;
    setTensor(d.y, dataType, cudnnDims(y.d[0], y.d[1], cpu::trailingDims3(y, nbSpatial), cudnnSpatial(), step), step);
    setBias(d, y.d[1]);
    float one = 1.0f;
    KILN_CUDNN_CHECK(cudnnAddTensor(handle, &one, d.bias, a.in(2).data, &one, d.y, a.out(0).data), step);
  }

  // What follows the convolution itself: the bias, then the fused activation in place.
  void finish(cudnnHandle_t handle, const KernelArgs& a) const {
    addBias(handle, a);
    if (activation)
      launchActivation(type, activation->type, activation->alpha, activation->beta, a.out(0).data, a.out(0).data,
                       a.out(0).volume(), streamOf(a), step);
  }

  // cudnnConvolutionBiasActivationForward applies a ReLU (NaN propagating, as the activation kernel) and a bias.
  bool fusesBiasRelu(const KernelArgs& a) const {
    return activation && activation->type == ActivationType::kRELU && a.hasInput(2);
  }
};

size_t align256(size_t n) { return (n + 255) / 256 * 256; }

// dst[plane, p] = src[plane, p - offset] inside src, 0 elsewhere (over the three normalized spatial axes): pads the
// input of a convolution (offset >= 0) or crops the output of a deconvolution (offset <= 0).
struct ShiftCopy {
  int64_t src[3], dst[3], offset[3];
};

template <typename T>
__global__ void shiftCopyKernel(const T* in, T* out, int64_t total, ShiftCopy s) {
  int64_t srcPlane = s.src[0] * s.src[1] * s.src[2], dstPlane = s.dst[0] * s.dst[1] * s.dst[2];
  KILN_GRID_LOOP(e, total) {
    int64_t plane = e / dstPlane, r = e % dstPlane;
    int64_t pos[3] = {r / (s.dst[1] * s.dst[2]) - s.offset[0], r / s.dst[2] % s.dst[1] - s.offset[1],
                      r % s.dst[2] - s.offset[2]};
    bool inside = true;
    for (int i = 0; i < 3; ++i) inside = inside && pos[i] >= 0 && pos[i] < s.src[i];
    out[e] = inside ? in[plane * srcPlane + (pos[0] * s.src[1] + pos[1]) * s.src[2] + pos[2]] : T{};
  }
}

void shiftCopy(const KernelArgs& a, const ConvParams& p, const void* in, void* out, int64_t planes, const Axes& src,
               const Axes& dst, const Axes& offset) {
  ShiftCopy s{};
  for (size_t i = 0; i < 3; ++i) {
    s.src[i] = src[i];
    s.dst[i] = dst[i];
    s.offset[i] = offset[i];
  }
  int64_t total = planes * cpu::axesVolume(dst);
  if (total == 0) return;
  dispatchBySize(p.elementSize, [&](auto tag) {
    using T = decltype(tag);
    shiftCopyKernel<T><<<blocksFor(total), kThreads, 0, streamOf(a)>>>(static_cast<const T*>(in), static_cast<T*>(out),
                                                                         total, s);
  });
  checkLaunch(p.step);
}

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

size_t planeBytes(const ConvParams& p, int64_t planes, const Axes& spatial) {
  return align256(static_cast<size_t>(planes * cpu::axesVolume(spatial)) * p.elementSize);
}

// Convolution: cudnnConvolutionForward on the input, padded into the workspace first when the padding is asymmetric.
struct ForwardPass {
  using Perf = cudnnConvolutionFwdAlgoPerf_t;
  static constexpr const char* kName = "convolution";
  static constexpr const char* kStaged = "the padded input";

  static Problem problem(const ConvParams& p, const KernelArgs& a) {
    const Dims& x = a.in(0).shape;
    if (x.d[1] != a.in(1).shape.d[1] * p.groups)
      throw Error(ErrorCode::kRUNTIME, "input channels do not match the kernel", p.step);
    Axes pre, post;
    p.padding(a, pre, post);
    Problem r{x.d[0], x.d[1], a.in(1).shape.d[0], {}, {}, {pre, post}, 0};
    r.xSpatial = r.pad.grow(cpu::trailingDims3(x, p.nbSpatial));
    // The output cuDNN computes from the padded input, so the descriptors always agree with each other (the
    // workspace is planned from bounds of each shape, which need not be one consistent configuration).
    Axes kernel = cpu::trailingDims3(a.in(1).shape, p.nbSpatial);
    for (size_t i = 0; i < 3; ++i)
      r.ySpatial[i] = (r.xSpatial[i] + 2 * r.pad.symmetric[i] - p.dilation[i] * (kernel[i] - 1) - 1) / p.stride[i] + 1;
    r.staged = r.pad.asymmetric ? planeBytes(p, r.batch * r.xChannels, r.xSpatial) : 0;
    return r;
  }

  // The staged bytes any shape up to these may need: SAME padding is asymmetric by at most one element per axis,
  // depending on the run's sizes, so the bound pads every spatial axis by one more.
  static size_t stagedBound(const ConvParams& p, const KernelArgs& a, const Problem& r) {
    if (p.same.empty()) return r.staged;
    Axes grown = cpu::trailingDims3(a.in(0).shape, p.nbSpatial);
    for (size_t i = 3 - p.nbSpatial; i < 3; ++i) ++grown[i];
    return planeBytes(p, r.batch * r.xChannels, grown);
  }

  static void rank(cudnnHandle_t h, const Descriptors& d, std::vector<Perf>& ranking, int& returned,
                   const std::string& step) {
    int count = 0;
    KILN_CUDNN_CHECK(cudnnGetConvolutionForwardAlgorithmMaxCount(h, &count), step);
    ranking.resize(static_cast<size_t>(std::max(count, 1)));
    KILN_CUDNN_CHECK(cudnnGetConvolutionForwardAlgorithm_v7(h, d.x, d.w, d.conv, d.y, count, &returned, ranking.data()),
                     step);
  }

  // Returns whether the bias and activation were applied too.
  static bool run(const ConvParams& p, const KernelArgs& a, const Problem& r, Descriptors& d, cudnnHandle_t h,
                  const Perf& algo, void* scratch, size_t scratchBytes) {
    if (cpu::trailingDims3(a.out(0).shape, p.nbSpatial) != r.ySpatial)
      throw Error(ErrorCode::kRUNTIME, "the output shape differs from the convolution's geometry", p.step);
    const void* x = a.in(0).data;
    if (r.pad.asymmetric) {
      shiftCopy(a, p, x, a.workspace, r.batch * r.xChannels, cpu::trailingDims3(a.in(0).shape, p.nbSpatial),
                r.xSpatial, r.pad.before);
      x = a.workspace;
    }
    float one = 1.0f, zero = 0.0f;
    if (p.fusesBiasRelu(a)) {
      // y = relu(conv(x) + 0 * z + bias), z aliasing y (its scale is 0, so it is not read).
      p.setBias(d, r.yChannels);
      KILN_CUDNN_CHECK(cudnnCreateActivationDescriptor(&d.activation), p.step);
      KILN_CUDNN_CHECK(cudnnSetActivationDescriptor(d.activation, CUDNN_ACTIVATION_RELU, CUDNN_PROPAGATE_NAN, 0.0),
                       p.step);
      cudnnStatus_t status = cudnnConvolutionBiasActivationForward(
          h, &one, d.x, x, d.w, a.in(1).data, d.conv, algo.algo, scratch, scratchBytes, &zero, d.y, a.out(0).data,
          d.bias, a.in(2).data, d.activation, d.y, a.out(0).data);
      if (status == CUDNN_STATUS_SUCCESS) return true;
      // cuDNN supports the fused call for some data types and algorithms only; the rest runs unfused.
      int category = static_cast<int>(CUDNN_STATUS_CATEGORY(static_cast<int>(status)));
      bool refused = category == static_cast<int>(CUDNN_STATUS_NOT_SUPPORTED) ||
                     category == static_cast<int>(CUDNN_STATUS_BAD_PARAM);
      if (!refused) cudnnCheck(status, "cudnnConvolutionBiasActivationForward", p.step);
    }
    KILN_CUDNN_CHECK(cudnnConvolutionForward(h, &one, d.x, x, d.w, a.in(1).data, d.conv, algo.algo, scratch,
                                             scratchBytes, &zero, d.y, a.out(0).data),
                     p.step);
    return false;
  }
};

// Deconvolution: cuDNN's backward data pass with our input as its output gradient (x) and our output as its input
// gradient (y). Output o collects input i and tap t where o = i * stride - pre + t * dilation; with the symmetric
// part of the padding cuDNN computes the output extended by the asymmetric rest, which is then cropped.
struct BackwardDataPass {
  using Perf = cudnnConvolutionBwdDataAlgoPerf_t;
  static constexpr const char* kName = "deconvolution";
  static constexpr const char* kStaged = "the uncropped output";

  static Problem problem(const ConvParams& p, const KernelArgs& a) {
    const Dims& x = a.in(0).shape;
    if (x.d[1] != a.in(1).shape.d[0])
      throw Error(ErrorCode::kRUNTIME, "input channels do not match the kernel", p.step);
    Problem r{x.d[0], x.d[1], a.out(0).shape.d[1], cpu::trailingDims3(x, p.nbSpatial), {}, {p.pre, p.post}, 0};
    r.ySpatial = r.pad.grow(cpu::trailingDims3(a.out(0).shape, p.nbSpatial));
    r.staged = r.pad.asymmetric ? planeBytes(p, r.batch * r.yChannels, r.ySpatial) : 0;
    return r;
  }

  // The padding is fixed, so the largest shapes stage the most.
  static size_t stagedBound(const ConvParams&, const KernelArgs&, const Problem& r) { return r.staged; }

  static void rank(cudnnHandle_t h, const Descriptors& d, std::vector<Perf>& ranking, int& returned,
                   const std::string& step) {
    int count = 0;
    KILN_CUDNN_CHECK(cudnnGetConvolutionBackwardDataAlgorithmMaxCount(h, &count), step);
    ranking.resize(static_cast<size_t>(std::max(count, 1)));
    KILN_CUDNN_CHECK(
        cudnnGetConvolutionBackwardDataAlgorithm_v7(h, d.w, d.x, d.conv, d.y, count, &returned, ranking.data()), step);
  }

  // Returns false: the bias comes after.
  static bool run(const ConvParams& p, const KernelArgs& a, const Problem& r, Descriptors& d, cudnnHandle_t h,
                  const Perf& algo, void* scratch, size_t scratchBytes) {
    void* target = r.pad.asymmetric ? a.workspace : a.out(0).data;
    float one = 1.0f, zero = 0.0f;
    KILN_CUDNN_CHECK(cudnnConvolutionBackwardData(h, &one, d.w, a.in(1).data, d.x, a.in(0).data, d.conv, algo.algo,
                                                  scratch, scratchBytes, &zero, d.y, target),
                     p.step);
    if (!r.pad.asymmetric) return false;
    const Axes& before = r.pad.before;
    shiftCopy(a, p, a.workspace, a.out(0).data, r.batch * r.yChannels, r.ySpatial,
              cpu::trailingDims3(a.out(0).shape, p.nbSpatial), Axes{-before[0], -before[1], -before[2]});
    return false;
  }
};

// One cuDNN pass, the bias and a fused activation: plans the workspace at the profile's largest shapes, runs at the
// run's shapes.
template <typename Pass>
class CudnnConvolution {
 public:
  explicit CudnnConvolution(ConvParams p) : p_(std::move(p)) {}

  size_t workspaceBytes(const KernelArgs& a) const { return plan(a, false); }

  void operator()(const KernelArgs& a) const { plan(a, true); }

 private:
  // Describes this run's problem and ranks cuDNN's algorithms for it; returns the workspace it needs, or runs it.
  size_t plan(const KernelArgs& a, bool run) const {
    Problem r = Pass::problem(p_, a);
    if (run && a.out(0).volume() == 0) return 0;
    Descriptors d;
    p_.describe(d, a.in(1).shape, r.batch, r.xChannels, r.xSpatial, r.yChannels, r.ySpatial, r.pad.symmetric);
    DeviceHandle& device = cudnnHandleOfCurrentDevice(p_.step);
    std::lock_guard<std::mutex> guard(device.lock);
    std::vector<typename Pass::Perf> ranking;
    int returned = 0;
    Pass::rank(device.handle, d, ranking, returned, p_.step);
    if (!run) return Pass::stagedBound(p_, a, r) + p_.firstUsableMemory(ranking, returned);

    size_t available = p_.cudnnWorkspace(a, r.staged, Pass::kStaged);
    typename Pass::Perf algo = p_.choose(ranking, returned, available, d, Pass::kName);
    void* scratch = available > 0 ? static_cast<uint8_t*>(a.workspace) + r.staged : nullptr;
    KILN_CUDNN_CHECK(cudnnSetStream(device.handle, streamOf(a)), p_.step);
    if (!Pass::run(p_, a, r, d, device.handle, algo, scratch, available)) p_.finish(device.handle, a);
    return 0;
  }

  ConvParams p_;
};

// Geometry attributes shared by convolution and deconvolution.
ConvParams slidingParams(const KernelSpec& spec, const char* what) {
  const graph::Attrs& attrs = spec.step.attrs;
  ConvParams p;
  p.step = spec.step.name;
  DataType type = spec.inputType(0);
  p.type = type;
  if (type == DataType::kHALF) {
    p.dataType = CUDNN_DATA_HALF;
    p.elementSize = 2;
  } else if (type != DataType::kFLOAT) {
    spec.unsupported(std::string("the CUDA ") + what + " supports fp32 and fp16, not " + dataTypeName(type));
  }
  if (spec.inputType(1) != type) spec.unsupported(std::string("the ") + what + " kernel's type differs from the input's");
  p.nbSpatial = spec.inputRank(0) - 2;
  if (p.nbSpatial < 1 || p.nbSpatial > 3)
    spec.unsupported(std::string("the CUDA ") + what + " supports 1-D, 2-D and 3-D only");
  p.groups = attrs.getInt("groups", 1);
  if (p.groups < 1) spec.unsupported("invalid number of groups " + std::to_string(p.groups));
  p.stride = cpu::spatialAttr3(attrs, "stride", p.nbSpatial, 1);
  p.dilation = cpu::spatialAttr3(attrs, "dilation", p.nbSpatial, 1);
  p.pre = cpu::spatialAttr3(attrs, "pre_padding", p.nbSpatial, 0);
  p.post = cpu::spatialAttr3(attrs, "post_padding", p.nbSpatial, 0);
  for (size_t i = 0; i < 3; ++i)
    if (p.pre[i] < 0 || p.post[i] < 0) spec.unsupported(std::string("the CUDA ") + what + " does not support negative padding");
  return p;
}

std::unique_ptr<Kernel> makeConvolution(const KernelSpec& spec) {
  const graph::Attrs& attrs = spec.step.attrs;
  ConvParams p = slidingParams(spec, "convolution");
  p.groups = cpu::convolutionGroups(attrs);
  p.same = cpu::SamePadding(attrs);
  p.activation = cpu::checkedPostActivation(spec);
  return std::make_unique<backend::WorkspaceKernel<CudnnConvolution<ForwardPass>>>(
      spec, CudnnConvolution<ForwardPass>(std::move(p)));
}

std::unique_ptr<Kernel> makeDeconvolution(const KernelSpec& spec) {
  if (plan::postActivation(spec.step.attrs)) spec.unsupported("the CUDA deconvolution has no fused activation");
  ConvParams p = slidingParams(spec, "deconvolution");
  // cuDNN derives the input size from the output's; output padding of a whole stride or more breaks that relation.
  Axes outputPadding = cpu::spatialAttr3(spec.step.attrs, "output_padding", p.nbSpatial, 0);
  for (size_t i = 0; i < 3; ++i)
    if (outputPadding[i] < 0 || outputPadding[i] >= p.stride[i])
      spec.unsupported("the CUDA deconvolution (cuDNN backward data) needs output padding below the stride, got " +
                       std::to_string(outputPadding[i]) + " with stride " + std::to_string(p.stride[i]));
  return std::make_unique<backend::WorkspaceKernel<CudnnConvolution<BackwardDataPass>>>(
      spec, CudnnConvolution<BackwardDataPass>(std::move(p)));
}

}  // namespace

void registerConvolutionKernels(KernelTable& table) {
  table.add(LayerType::kCONVOLUTION, makeConvolution);
  table.add(LayerType::kDECONVOLUTION, makeDeconvolution);
}

}  // namespace kiln::cuda
