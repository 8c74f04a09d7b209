// CUDA convolution and deconvolution through cuDNN's legacy API (cudnnConvolutionForward and, for the transpose,
// cudnnConvolutionBackwardData). Math modes: fp16 on tensor cores accumulating in fp32; fp32 with FMA math only,
// unless the plan allows TF32 (PlanFlag::kTF32), then CUDNN_DEFAULT_MATH, which permits TF32 tensor cores (never
// CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION: that computes fp32 data in fp16). 1-D problems run as 2-D with a leading
// spatial axis of 1.
//
// Tactics: the builder times the algorithms cuDNN's heuristic (cudnnGet*Algorithm_v7) ranks as usable at each
// profile's opt shapes, each with the math type it runs with. Descriptors and the algorithm are prepared once per
// concrete shape and kept (a bounded cache per kernel, shared by the contexts): the builder's algorithm wherever cuDNN
// accepts it for the shape within the workspace, else the heuristic's first choice that fits. The workspace, planned
// at the profile's largest shapes, covers both and the staged padding below.
//
// A fused ReLU with a bias (plan/fused_epilogue.h) runs as cudnnConvolutionBiasActivationForward (which takes any
// algorithm with a ReLU) where cuDNN accepts the configuration, a fused residual as its z input (scaled by 1); a
// residual with a bias and no activation runs the same call with the identity activation where the algorithm is
// IMPLICIT_PRECOMP_GEMM (the only one cuDNN allows it with). Every other fused activation or residual (and a
// refused configuration) runs one element-wise kernel over the output after the bias.
//
// A channels-last convolution (plan/channels_last.h: NHWC activations, KRSC kernel; 2-D, symmetric padding) runs the
// same calls with NHWC descriptors: the kernel sees its shapes permuted to channels-first, the data stays in place.
//
// cuDNN pads symmetrically: asymmetric padding (explicit, or SAME with an even window) pads the input into the
// workspace first (convolution) or computes a larger output there and crops it (deconvolution).

#include <algorithm>
#include <cstring>
#include <iterator>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "backends/common/activation_function.h"
#include "backends/common/prepared_calls.h"
#include "backends/cuda/cudnn_convolution.cuh"
#include "ops/channels_last.h"
#include "ops/convolution.h"

namespace kiln::cuda {

namespace {

using namespace convolution;

// The most workspace one cuDNN algorithm may take: the heuristic's choices and the builder's candidates beyond it are
// passed over (FFT algorithms over large inputs can ask for gigabytes).
constexpr size_t kMaxCudnnWorkspace = size_t{1} << 30;

// Convolution: cudnnConvolutionForward on the input, padded into the workspace first when the padding is asymmetric.
struct ForwardPass {
  using Algo = cudnnConvolutionFwdAlgo_t;
  using Perf = cudnnConvolutionFwdAlgoPerf_t;
  static constexpr PassNames kNames{1, "convolution", "the padded input", "cudnn fwd ",
                                    "cudnnGetConvolutionForwardAlgorithm_v7"};
  static constexpr const char* kAlgoNames[] = {
      "IMPLICIT_GEMM", "IMPLICIT_PRECOMP_GEMM", "GEMM", "DIRECT", "FFT", "FFT_TILING", "WINOGRAD", "WINOGRAD_NONFUSED"};
  static_assert(std::size(kAlgoNames) == CUDNN_CONVOLUTION_FWD_ALGO_COUNT);

  static cudnnStatus_t maxCount(cudnnHandle_t h, int* count) {
    return cudnnGetConvolutionForwardAlgorithmMaxCount(h, count);
  }
  static cudnnStatus_t rank(cudnnHandle_t h, const Descriptors& d, int requested, int* returned, Perf* perfs) {
    return cudnnGetConvolutionForwardAlgorithm_v7(h, d.x, d.w, d.conv, d.y, requested, returned, perfs);
  }
  static cudnnStatus_t workspace(cudnnHandle_t h, const Descriptors& d, Algo algo, size_t* bytes) {
    return cudnnGetConvolutionForwardWorkspaceSize(h, d.x, d.w, d.conv, d.y, algo, bytes);
  }

  static Problem problem(const ConvParams& p, const KernelArgs& a) {
    checkInputChannels(p, a, a.in(1).shape.d[1] * p.groups);
    const Dims& x = a.in(0).shape;
    Axes pre, post;
    p.padding(a, pre, post);
    Problem r{x.d[0], x.d[1], a.in(1).shape.d[0], {}, {}, {pre, post}, 0};
    r.xSpatial = r.pad.grow(backend::trailingDims3(x, p.nbSpatial));
    // The output cuDNN computes from the padded input, so the descriptors always agree with each other (the
    // workspace is planned from bounds of each shape, which need not be one consistent configuration).
    Axes kernel = backend::trailingDims3(a.in(1).shape, p.nbSpatial);
    for (size_t i = 0; i < 3; ++i)
      r.ySpatial[i] = (r.xSpatial[i] + 2 * r.pad.symmetric[i] - p.dilation[i] * (kernel[i] - 1) - 1) / p.stride[i] + 1;
    r.staged = r.pad.asymmetric ? planeBytes(p, r.batch * r.xChannels, r.xSpatial) : 0;
    return r;
  }

  // The staged bytes any shape up to these may need: SAME padding is asymmetric by at most one element per axis,
  // depending on the run's sizes, so the bound pads every spatial axis by one more.
  static size_t stagedBound(const ConvParams& p, const KernelArgs& a, const Problem& r) {
    if (p.same.empty()) return r.staged;
    Axes grown = backend::trailingDims3(a.in(0).shape, p.nbSpatial);
    for (size_t i = 3 - p.nbSpatial; i < 3; ++i) ++grown[i];
    return planeBytes(p, r.batch * r.xChannels, grown);
  }

  // Returns whether the bias and activation were applied too.
  static bool run(const ConvParams& p, const KernelArgs& a, const Problem& r, const PreparedCall<Algo>& call,
                  cudnnHandle_t h, void* scratch, size_t scratchBytes) {
    if (backend::trailingDims3(a.out(0).shape, p.nbSpatial) != r.ySpatial)
      throw Error(ErrorCode::kRUNTIME, "the output shape differs from the convolution's geometry", p.step);
    bool residual = a.hasInput(ops::kResidualInput);
    if (residual && !(a.in(ops::kResidualInput).shape == a.out(0).shape))
      throw Error(ErrorCode::kRUNTIME, "the fused residual's shape differs from the output's", p.step);
    const void* x = a.in(0).data;
    if (r.pad.asymmetric) {
      shiftCopy(a, p, x, a.workspace, r.batch * r.xChannels, backend::trailingDims3(a.in(0).shape, p.nbSpatial),
                r.xSpatial, r.pad.before);
      x = a.workspace;
    }
    const Descriptors& d = call.d;
    Algo algo = call.choice.algo;
    float one = 1.0f, zero = 0.0f;
    if (p.fusesEpilogue(a, algo) && !call.fusedRefused.load(std::memory_order_relaxed)) {
      // y = act(conv(x) + z + bias) with z the residual (of y's shape and type, never sharing y's memory); without
      // one, y = relu(conv(x) + 0 * z + bias), z aliasing y (its scale is 0, so it is not read).
      const void* z = residual ? a.in(ops::kResidualInput).data : a.out(0).data;
      cudnnStatus_t status = cudnnConvolutionBiasActivationForward(
          h, &one, d.x, x, d.w, a.in(1).data, d.conv, algo, scratch, scratchBytes, residual ? &one : &zero, d.y, z,
          d.bias, a.in(2).data, d.activation, d.y, a.out(0).data);
      if (status == CUDNN_STATUS_SUCCESS) return true;
      // cuDNN supports the fused call for some data types and configurations only; the rest runs unfused (and this
      // shape no longer tries).
      int category = static_cast<int>(CUDNN_STATUS_CATEGORY(static_cast<int>(status)));
      bool refused = category == static_cast<int>(CUDNN_STATUS_NOT_SUPPORTED) ||
                     category == static_cast<int>(CUDNN_STATUS_BAD_PARAM);
      if (!refused) cudnnCheck(status, "cudnnConvolutionBiasActivationForward", p.step);
      call.fusedRefused.store(true, std::memory_order_relaxed);
    }
    KILN_CUDNN_CHECK(cudnnConvolutionForward(h, &one, d.x, x, d.w, a.in(1).data, d.conv, algo, scratch, scratchBytes,
                                             &zero, d.y, a.out(0).data),
                     p.step);
    return false;
  }
};

// Deconvolution: cuDNN's backward data pass with our input as its output gradient (x) and our output as its input
// gradient (y). Output o collects input i and tap t where o = i * stride - pre + t * dilation; with the symmetric
// part of the padding cuDNN computes the output extended by the asymmetric rest, which is then cropped.
struct BackwardDataPass {
  using Algo = cudnnConvolutionBwdDataAlgo_t;
  using Perf = cudnnConvolutionBwdDataAlgoPerf_t;
  static constexpr PassNames kNames{2, "deconvolution", "the uncropped output", "cudnn bwd-data ",
                                    "cudnnGetConvolutionBackwardDataAlgorithm_v7"};
  static constexpr const char* kAlgoNames[] = {"ALGO_0",     "ALGO_1",   "FFT",
                                               "FFT_TILING", "WINOGRAD", "WINOGRAD_NONFUSED"};
  static_assert(std::size(kAlgoNames) == CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT);

  static cudnnStatus_t maxCount(cudnnHandle_t h, int* count) {
    return cudnnGetConvolutionBackwardDataAlgorithmMaxCount(h, count);
  }
  static cudnnStatus_t rank(cudnnHandle_t h, const Descriptors& d, int requested, int* returned, Perf* perfs) {
    return cudnnGetConvolutionBackwardDataAlgorithm_v7(h, d.w, d.x, d.conv, d.y, requested, returned, perfs);
  }
  static cudnnStatus_t workspace(cudnnHandle_t h, const Descriptors& d, Algo algo, size_t* bytes) {
    return cudnnGetConvolutionBackwardDataWorkspaceSize(h, d.w, d.x, d.conv, d.y, algo, bytes);
  }

  static Problem problem(const ConvParams& p, const KernelArgs& a) {
    checkInputChannels(p, a, a.in(1).shape.d[0]);
    const Dims& x = a.in(0).shape;
    Problem r{x.d[0], x.d[1], a.out(0).shape.d[1], backend::trailingDims3(x, p.nbSpatial), {}, {p.pre, p.post}, 0};
    r.ySpatial = r.pad.grow(backend::trailingDims3(a.out(0).shape, p.nbSpatial));
    r.staged = r.pad.asymmetric ? planeBytes(p, r.batch * r.yChannels, r.ySpatial) : 0;
    return r;
  }

  // The padding is fixed, so the largest shapes stage the most.
  static size_t stagedBound(const ConvParams&, const KernelArgs&, const Problem& r) { return r.staged; }

  // Returns false: the bias comes after.
  static bool run(const ConvParams& p, const KernelArgs& a, const Problem& r, const PreparedCall<Algo>& call,
                  cudnnHandle_t h, void* scratch, size_t scratchBytes) {
    const Descriptors& d = call.d;
    void* target = r.pad.asymmetric ? a.workspace : a.out(0).data;
    float one = 1.0f, zero = 0.0f;
    KILN_CUDNN_CHECK(cudnnConvolutionBackwardData(h, &one, d.w, a.in(1).data, d.x, a.in(0).data, d.conv,
                                                  call.choice.algo, scratch, scratchBytes, &zero, d.y, target),
                     p.step);
    if (!r.pad.asymmetric) return false;
    const Axes& before = r.pad.before;
    shiftCopy(a, p, a.workspace, a.out(0).data, r.batch * r.yChannels, r.ySpatial,
              backend::trailingDims3(a.out(0).shape, p.nbSpatial), Axes{-before[0], -before[1], -before[2]});
    return false;
  }
};

// One cuDNN pass, the bias and a fused activation: offers cuDNN's usable algorithms as tactics, plans the workspace at
// the profile's largest shapes, runs each shape with the call prepared for it.
template <typename Pass>
class CudnnConvolution {
 public:
  using Algo = typename Pass::Algo;
  using Call = PreparedCall<Algo>;

  CudnnConvolution(ConvParams p, std::optional<Choice<Algo>> tactic)
      : p_(std::move(p)),
        tactic_(tactic),
        calls_(std::make_shared<backend::PreparedCalls<std::vector<int64_t>, Call>>()),
        device_(sharedCudnnHandle(p_.step)) {}

  // The staged bytes and the most either the tactic or the heuristic's choice takes at these (the largest) shapes;
  // where neither can run, the run reports it.
  size_t workspaceBytes(const KernelArgs& args) const {
    std::vector<TensorArg> ins, outs;
    const KernelArgs a = p_.channelsLast ? channelsFirstView(args, ins, outs) : args;
    Problem r = Pass::problem(p_, a);
    Descriptors d;
    describe(d, a, r);
    DeviceHandle& device = *device_;
    std::lock_guard<std::mutex> guard(device.lock);
    auto perfs = ranking(device.handle, d);
    size_t bytes = 0;
    if (auto tactic = tacticChoice(device.handle, d, perfs, kMaxCudnnWorkspace)) bytes = tactic->bytes;
    if (auto ranked = rankedChoice(device.handle, d, perfs, kMaxCudnnWorkspace)) bytes = std::max(bytes, ranked->bytes);
    return Pass::stagedBound(p_, a, r) + bytes;
  }

  void operator()(const KernelArgs& args) const {
    std::vector<TensorArg> ins, outs;
    const KernelArgs a = p_.channelsLast ? channelsFirstView(args, ins, outs) : args;
    Problem r = Pass::problem(p_, a);
    if (a.out(0).volume() == 0) return;
    size_t available = p_.cudnnWorkspace(a, r.staged, Pass::kNames.staged);
    DeviceHandle& device = *device_;
    std::shared_ptr<const Call> call = prepared(a, r, available, device);
    void* scratch = available > 0 ? static_cast<uint8_t*>(a.workspace) + r.staged : nullptr;
    std::lock_guard<std::mutex> guard(device.lock);
    KILN_CUDNN_CHECK(cudnnSetStream(device.handle, streamOf(a)), p_.step);
    if (!Pass::run(p_, a, r, *call, device.handle, scratch, available)) p_.finish(device.handle, a, call->d);
  }

  // The algorithms cuDNN's heuristic ranks as usable for these shapes, each once with the math type it runs with.
  std::vector<plan::Tactic> candidates(const KernelArgs& args) const {
    std::vector<TensorArg> ins, outs;
    const KernelArgs a = p_.channelsLast ? channelsFirstView(args, ins, outs) : args;
    std::vector<plan::Tactic> out;
    if (a.out(0).volume() == 0) return out;
    Problem r = Pass::problem(p_, a);
    Descriptors d;
    describe(d, a, r);
    DeviceHandle& device = *device_;
    std::lock_guard<std::mutex> guard(device.lock);
    std::set<std::pair<int, int>> seen;
    for (const auto& perf : ranking(device.handle, d)) {
      std::optional<cudnnMathType_t> math = usableMath(perf);
      if (!math || !seen.emplace(perf.algo, *math).second) continue;
      if (!fits(device.handle, d, {perf.algo, *math}, kMaxCudnnWorkspace)) continue;
      TacticBytes bytes{Pass::kNames.pass, static_cast<int32_t>(perf.algo), static_cast<int32_t>(*math)};
      out.push_back({std::string(Pass::kNames.tacticPrefix) + Pass::kAlgoNames[perf.algo] + " " + mathName(*math),
                     std::string(reinterpret_cast<const char*>(&bytes), sizeof(bytes))});
    }
    return out;
  }

 private:
  // cuDNN's problem and, with a bias, the bias descriptors.
  void describe(Descriptors& d, const KernelArgs& a, const Problem& r) const {
    p_.describe(d, a.in(1).shape, r.batch, r.xChannels, r.xSpatial, r.yChannels, r.ySpatial, r.pad.symmetric);
    p_.describeBias(d, a);
  }

  // cuDNN's ranking for the problem `d` describes under the ranking math type (set on `d` first).
  std::vector<typename Pass::Perf> ranking(cudnnHandle_t h, const Descriptors& d) const {
    KILN_CUDNN_CHECK(cudnnSetConvolutionMathType(d.conv, p_.rankingMath()), p_.step);
    int count = 0;
    KILN_CUDNN_CHECK(Pass::maxCount(h, &count), p_.step);
    std::vector<typename Pass::Perf> perfs(static_cast<size_t>(std::max(count, 1)));
    int returned = 0;
    cudnnCheck(Pass::rank(h, d, static_cast<int>(perfs.size()), &returned, perfs.data()), Pass::kNames.ranking,
               p_.step);
    perfs.resize(static_cast<size_t>(std::clamp(returned, 0, static_cast<int>(perfs.size()))));
    return perfs;
  }

  // The math type `perf` runs with where cuDNN ranked it usable and this step's precision allows it.
  std::optional<cudnnMathType_t> usableMath(const typename Pass::Perf& perf) const {
    bool known = static_cast<int>(perf.algo) >= 0 && static_cast<size_t>(perf.algo) < std::size(Pass::kAlgoNames);
    return perf.status == CUDNN_STATUS_SUCCESS && known ? p_.runMath(perf.mathType) : std::nullopt;
  }

  // `choice` with the workspace it takes where cuDNN accepts it for `d`'s shapes within `available` bytes (its math
  // type set on the descriptor for the query).
  std::optional<Choice<Algo>> fits(cudnnHandle_t h, const Descriptors& d, Choice<Algo> choice, size_t available) const {
    KILN_CUDNN_CHECK(cudnnSetConvolutionMathType(d.conv, choice.math), p_.step);
    if (Pass::workspace(h, d, choice.algo, &choice.bytes) != CUDNN_STATUS_SUCCESS || choice.bytes > available)
      return std::nullopt;
    return choice;
  }

  // The builder's tactic where cuDNN's ranking for these shapes lists it as usable and it fits.
  std::optional<Choice<Algo>> tacticChoice(cudnnHandle_t h, const Descriptors& d,
                                           const std::vector<typename Pass::Perf>& perfs, size_t available) const {
    if (!tactic_) return std::nullopt;
    for (const auto& perf : perfs)
      if (perf.algo == tactic_->algo && usableMath(perf) == tactic_->math) return fits(h, d, *tactic_, available);
    return std::nullopt;
  }

  // The heuristic's choice: the first algorithm of the ranking that is usable and fits.
  std::optional<Choice<Algo>> rankedChoice(cudnnHandle_t h, const Descriptors& d,
                                           const std::vector<typename Pass::Perf>& perfs, size_t available) const {
    for (const auto& perf : perfs) {
      std::optional<cudnnMathType_t> math = usableMath(perf);
      if (!math) continue;
      if (auto choice = fits(h, d, {perf.algo, *math}, available)) return choice;
    }
    return std::nullopt;
  }

  // Everything the call's descriptors and algorithm depend on besides the step's attributes.
  static std::vector<int64_t> callKey(const KernelArgs& a, const Problem& r, size_t available) {
    std::vector<int64_t> key{r.batch, r.xChannels, r.yChannels, static_cast<int64_t>(available), a.hasInput(2)};
    for (const Axes* axes : {&r.xSpatial, &r.ySpatial, &r.pad.symmetric, &r.pad.before, &r.pad.after})
      key.insert(key.end(), axes->begin(), axes->end());
    const Dims& w = a.in(1).shape;
    key.insert(key.end(), w.d, w.d + w.nbDims);
    return key;
  }

  // The call's descriptors and algorithm: the builder's tactic where cuDNN accepts it for these shapes within the
  // workspace, else the heuristic's first choice that fits. Made on first use (host work only, allowed inside enqueue
  // and graph capture).
  std::shared_ptr<const Call> prepared(const KernelArgs& a, const Problem& r, size_t available,
                                       DeviceHandle& device) const {
    return calls_->get(callKey(a, r, available), [&] {
      auto call = std::make_shared<Call>();
      describe(call->d, a, r);
      std::optional<Choice<Algo>> choice;
      {
        std::lock_guard<std::mutex> guard(device.lock);
        auto perfs = ranking(device.handle, call->d);
        choice = tacticChoice(device.handle, call->d, perfs, available);
        if (!choice) choice = rankedChoice(device.handle, call->d, perfs, available);
        if (choice) KILN_CUDNN_CHECK(cudnnSetConvolutionMathType(call->d.conv, choice->math), p_.step);
      }
      if (!choice)
        throw Error(ErrorCode::kUNSUPPORTED,
                    std::string("cuDNN has no ") + Pass::kNames.name + " algorithm for these shapes within " +
                        std::to_string(available) + " bytes of workspace" +
                        (p_.fp32() && !p_.tf32 ? " without TF32" : ""),
                    p_.step);
      call->choice = *choice;
      return call;
    });
  }

  ConvParams p_;
  std::optional<Choice<Algo>> tactic_;
  std::shared_ptr<backend::PreparedCalls<std::vector<int64_t>, Call>> calls_;  // shared by copies of the body
  std::shared_ptr<DeviceHandle> device_;  // the device's cuDNN handle, kept while this kernel lives
};

// The builder's tactic for this step (none for the default): an algorithm of this pass with a math type this step's
// precision allows.
template <typename Pass>
std::optional<Choice<typename Pass::Algo>> decodeTactic(const KernelSpec& spec, const ConvParams& p) {
  if (!spec.hasTactic()) return std::nullopt;
  const plan::Tactic& tactic = *spec.tactic;
  TacticBytes bytes;
  if (tactic.data.size() != sizeof(bytes))
    throw Error(
        ErrorCode::kINVALID_PLAN,
        "tactic '" + tactic.name + "' is not a cuDNN algorithm (" + std::to_string(tactic.data.size()) + " bytes)",
        spec.step.name);
  std::memcpy(&bytes, tactic.data.data(), sizeof(bytes));
  auto math = static_cast<cudnnMathType_t>(bytes.math);
  bool knownMath = math == CUDNN_DEFAULT_MATH || math == CUDNN_TENSOR_OP_MATH || math == CUDNN_FMA_MATH;
  bool knownAlgo = bytes.algo >= 0 && bytes.algo < static_cast<int32_t>(std::size(Pass::kAlgoNames));
  if (bytes.pass != Pass::kNames.pass || !knownAlgo || !knownMath || p.runMath(math) != math)
    throw Error(ErrorCode::kINVALID_PLAN,
                "tactic '" + tactic.name + "' is not a cuDNN " + Pass::kNames.name + " algorithm this step's " +
                    dataTypeName(p.type) + (p.tf32 ? " with TF32" : "") + " allows",
                spec.step.name);
  return Choice<typename Pass::Algo>{static_cast<typename Pass::Algo>(bytes.algo), math, 0};
}

template <typename Pass>
std::unique_ptr<Kernel> makeCudnnKernel(const KernelSpec& spec, ConvParams p) {
  auto tactic = decodeTactic<Pass>(spec, p);
  return std::make_unique<backend::WorkspaceKernel<CudnnConvolution<Pass>>>(
      spec, CudnnConvolution<Pass>(std::move(p), tactic));
}

// Geometry attributes shared by convolution and deconvolution.
ConvParams slidingParams(const KernelSpec& spec, const char* what, const ops::IntAttr& groups) {
  ops::OpAttrs attrs = spec.step.opAttrs();
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
  if (spec.inputType(1) != type)
    spec.unsupported(std::string("the ") + what + " kernel's type differs from the input's");
  // TF32 only where the user allowed it.
  p.tf32 = spec.plan.has(plan::PlanFlag::kTF32);
  p.nbSpatial = spec.inputRank(0) - 2;
  if (p.nbSpatial < 1 || p.nbSpatial > 3)
    spec.unsupported(std::string("the CUDA ") + what + " supports 1-D, 2-D and 3-D only");
  p.groups = attrs.get(groups);
  if (p.groups < 1) spec.unsupported("invalid number of groups " + std::to_string(p.groups));
  p.stride = backend::spatialAttr3(attrs, ops::SlidingWindow::kStride, p.nbSpatial, 1);
  p.dilation = backend::spatialAttr3(attrs, ops::SlidingWindow::kDilation, p.nbSpatial, 1);
  p.pre = backend::spatialAttr3(attrs, ops::SlidingWindow::kPrePadding, p.nbSpatial, 0);
  p.post = backend::spatialAttr3(attrs, ops::SlidingWindow::kPostPadding, p.nbSpatial, 0);
  for (size_t i = 0; i < 3; ++i)
    if (p.pre[i] < 0 || p.post[i] < 0)
      spec.unsupported(std::string("the CUDA ") + what + " does not support negative padding");
  return p;
}

std::unique_ptr<Kernel> makeConvolution(const KernelSpec& spec) {
  ops::OpAttrs attrs = spec.step.opAttrs();
  ConvParams p = slidingParams(spec, "convolution", ops::Convolution::kGroups);
  p.groups = backend::convolutionGroups(attrs);
  p.same = backend::SamePadding(attrs);
  p.channelsLast = ops::isChannelsLast(attrs);
  // The staged padding copies planes of NCHW: channels-last runs take the symmetric 2-D geometry only.
  if (p.channelsLast && (p.nbSpatial != 2 || !p.same.empty() || p.pre != p.post))
    spec.unsupported("the CUDA channels-last convolution takes 2-D convolutions with symmetric explicit padding only");
  p.activation = backend::checkedPostActivation(spec);
  if (spec.hasInput(ops::kResidualInput) &&
      (spec.inputType(ops::kResidualInput) != p.type || spec.inputRank(ops::kResidualInput) != spec.inputRank(0)))
    spec.unsupported("the CUDA convolution's fused residual must have the output's type and rank");
  return makeCudnnKernel<ForwardPass>(spec, std::move(p));
}

std::unique_ptr<Kernel> makeDeconvolution(const KernelSpec& spec) {
  ops::OpAttrs attrs = spec.step.opAttrs();
  if (ops::isChannelsLast(attrs)) spec.unsupported("a deconvolution has no channels-last form");
  if (ops::postActivation(attrs) || spec.hasInput(ops::kResidualInput))
    spec.unsupported("the CUDA deconvolution has no fused activation or residual");
  ConvParams p = slidingParams(spec, "deconvolution", ops::Deconvolution::kGroups);
  // cuDNN derives the input size from the output's; output padding of a whole stride or more breaks that relation.
  Axes outputPadding = backend::spatialAttr3(attrs, ops::Deconvolution::kOutputPadding, p.nbSpatial, 0);
  for (size_t i = 0; i < 3; ++i)
    if (outputPadding[i] < 0 || outputPadding[i] >= p.stride[i])
      spec.unsupported("the CUDA deconvolution (cuDNN backward data) needs output padding below the stride, got " +
                       std::to_string(outputPadding[i]) + " with stride " + std::to_string(p.stride[i]));
  return makeCudnnKernel<BackwardDataPass>(spec, std::move(p));
}

}  // namespace

void registerConvolutionKernels(KernelTable& table) {
  table.add(LayerType::kCONVOLUTION, makeConvolution);
  table.add(LayerType::kDECONVOLUTION, makeDeconvolution);
}

}  // namespace kiln::cuda
