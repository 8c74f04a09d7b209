// The cuDNN plumbing of convolution and deconvolution (cudnn_convolution.cuh): error checks, the per-device handle,
// descriptors, and the copies that stage asymmetric padding in the workspace.
#include <climits>
#include <memory>

#include "backends/cuda/cudnn_convolution.cuh"
#include "ops/channels_last.h"

namespace kiln::cuda::convolution {

void cudnnCheck(cudnnStatus_t status, const char* call, const std::string& step) {
  if (status != CUDNN_STATUS_SUCCESS)
    throw Error(ErrorCode::kRUNTIME, std::string(call) + " failed: " + cudnnGetErrorString(status), step);
}

DeviceHandle::~DeviceHandle() {
  if (handle) cudnnDestroy(handle);  // an error here (a dead context) has nowhere to go
}

std::shared_ptr<DeviceHandle> sharedCudnnHandle(const std::string& step) {
  static std::mutex registryLock;
  static std::vector<std::weak_ptr<DeviceHandle>> handles;  // by device ordinal
  int device = 0;
  KILN_CUDA_CHECK(cudaGetDevice(&device), step);
  std::lock_guard<std::mutex> guard(registryLock);
  if (handles.size() <= static_cast<size_t>(device)) handles.resize(static_cast<size_t>(device) + 1);
  auto& slot = handles[static_cast<size_t>(device)];
  if (auto existing = slot.lock()) return existing;
  auto created = std::make_shared<DeviceHandle>();
  KILN_CUDNN_CHECK(cudnnCreate(&created->handle), step);
  slot = created;
  return created;
}

int cudnnInt(int64_t v, const std::string& step) {
  if (v > INT_MAX)
    throw Error(ErrorCode::kUNSUPPORTED, "a dimension of " + std::to_string(v) + " exceeds cuDNN's int", step);
  return static_cast<int>(v);
}

// N, C and the spatial axes cuDNN sees (the last two of the normalized three, or all three for 3-D).
std::vector<int> cudnnDims(int64_t n, int64_t c, const Axes& spatial, size_t cudnnSpatial, const std::string& step) {
  std::vector<int> dims{cudnnInt(n, step), cudnnInt(c, step)};
  for (size_t i = 3 - cudnnSpatial; i < 3; ++i) dims.push_back(cudnnInt(spatial[i], step));
  return dims;
}

// A contiguous tensor descriptor of `dims` (N, C, spatial...) in `format` (NCHW or NHWC).
void setTensor(cudnnTensorDescriptor_t& desc, cudnnTensorFormat_t format, cudnnDataType_t type,
               const std::vector<int>& dims, const std::string& step) {
  KILN_CUDNN_CHECK(cudnnCreateTensorDescriptor(&desc), step);
  KILN_CUDNN_CHECK(cudnnSetTensorNdDescriptorEx(desc, format, type, static_cast<int>(dims.size()), dims.data()), step);
}

// The arguments of a channels-last step as the channels-first step they compute: input 0, the kernel, the residual
// and the output with their shapes permuted to channels-first (the data pointers unchanged). `ins` and `outs` hold
// them.
KernelArgs channelsFirstView(const KernelArgs& a, std::vector<TensorArg>& ins, std::vector<TensorArg>& outs) {
  ins.assign(a.inputs, a.inputs + a.nbInputs);
  outs.assign(a.outputs, a.outputs + a.nbOutputs);
  for (int32_t i : {0, 1, ops::kResidualInput})
    if (i < a.nbInputs) ins[static_cast<size_t>(i)].shape = ops::channelsFirstShape(ins[static_cast<size_t>(i)].shape);
  outs[0].shape = ops::channelsFirstShape(outs[0].shape);
  KernelArgs view = a;
  view.bind(ins, outs);
  return view;
}

const char* mathName(cudnnMathType_t math) {
  switch (math) {
    case CUDNN_DEFAULT_MATH: return "default-math";
    case CUDNN_TENSOR_OP_MATH: return "tensor-op";
    case CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION: return "tensor-op-conversion";
    case CUDNN_FMA_MATH: return "fma";
  }
  return "unknown-math";
}

size_t align256(size_t n) { return (n + 255) / 256 * 256; }

namespace {

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

}  // namespace

void shiftCopy(const KernelArgs& a, const ConvParams& p, const void* in, void* out, int64_t planes, const Axes& src,
               const Axes& dst, const Axes& offset) {
  ShiftCopy s{};
  for (size_t i = 0; i < 3; ++i) {
    s.src[i] = src[i];
    s.dst[i] = dst[i];
    s.offset[i] = offset[i];
  }
  int64_t total = planes * backend::axesVolume(dst);
  if (total == 0) return;
  dispatchBySize(p.elementSize, [&](auto tag) {
    using T = decltype(tag);
    shiftCopyKernel<T>
        <<<blocksFor(total), kThreads, 0, streamOf(a)>>>(static_cast<const T*>(in), static_cast<T*>(out), total, s);
  });
  checkLaunch(p.step);
}

// Throws unless the input has the channels the kernel takes.
void checkInputChannels(const ConvParams& p, const KernelArgs& a, int64_t channels) {
  if (a.in(0).shape.d[1] != channels)
    throw Error(ErrorCode::kRUNTIME, "input channels do not match the kernel", p.step);
}

size_t planeBytes(const ConvParams& p, int64_t planes, const Axes& spatial) {
  return align256(static_cast<size_t>(planes * backend::axesVolume(spatial)) * p.elementSize);
}

}  // namespace kiln::cuda::convolution
