// CUDA kernels that copy a tensor whole: identity, cast, and materialized shape values.
#include <algorithm>

#include "backends/cuda/device_tensor.cuh"
#include "backends/cuda/strided_copy.cuh"
#include "ops/copy.h"

namespace kiln::cuda {

namespace {

std::unique_ptr<Kernel> makeIdentity(const KernelSpec& spec) {
  return makeKernel(spec, [step = spec.step.name](const KernelArgs& a) {
    copyDeviceAsync(a, a.out(0).data, a.in(0).data, a.out(0).volume() * dataTypeSize(a.out(0).type), step);
  });
}

// ---- Cast ---------------------------------------------------------------------------------------------------------

__global__ void castKernel(const void* in, DataType inType, void* out, DataType outType, int64_t n, bool integers) {
  KILN_GRID_LOOP(i, n) {
    if (integers)
      storeInteger(out, outType, i, loadInteger(in, inType, i));
    else
      storeFromDouble(out, outType, i, loadAsDouble(in, inType, i));
  }
}

std::unique_ptr<Kernel> makeCast(const KernelSpec& spec) {
  return makeKernel(spec, [step = spec.step.name](const KernelArgs& a) {
    const TensorArg& in = a.in(0);
    const TensorArg& out = a.out(0);
    int64_t n = out.volume();
    if (n == 0) return;
    if (in.type == out.type) {
      KILN_CUDA_CHECK(
          cudaMemcpyAsync(out.data, in.data, n * dataTypeSize(in.type), cudaMemcpyDeviceToDevice, streamOf(a)), step);
      return;
    }
    bool integers = !isFloatingPoint(in.type) && !isFloatingPoint(out.type);
    castKernel<<<blocksFor(n), kThreads, 0, streamOf(a)>>>(in.data, in.type, out.data, out.type, n, integers);
    checkLaunch(step);
  });
}

// ---- Shape values: host-evaluated expressions written by a kernel, passed by value (no host buffer to copy from) ---

constexpr int kValuesPerLaunch = 16;
struct ShapeValueBatch {
  int64_t v[kValuesPerLaunch];
};

__global__ void writeShapeValues(void* out, DataType type, int64_t first, int32_t count, ShapeValueBatch batch) {
  int32_t i = threadIdx.x;
  if (i >= count) return;
  if (type == DataType::kINT32)
    static_cast<int32_t*>(out)[first + i] = static_cast<int32_t>(batch.v[i]);
  else
    static_cast<int64_t*>(out)[first + i] = batch.v[i];
}

std::unique_ptr<Kernel> makeShapeValues(const KernelSpec& spec) {
  auto ids = spec.step.opAttrs().get(ops::ShapeValues::kValues);
  DataType type = spec.outputType(0);
  if (type != DataType::kINT32 && type != DataType::kINT64)
    spec.unsupported(std::string("shape values as ") + dataTypeName(type) +
                     " (the CUDA backend writes int32 or int64)");
  return makeKernel(spec, [ids, type, step = spec.step.name](const KernelArgs& a) {
    for (size_t first = 0; first < ids.size(); first += kValuesPerLaunch) {
      ShapeValueBatch batch{};
      auto count = static_cast<int32_t>(std::min<size_t>(kValuesPerLaunch, ids.size() - first));
      for (int32_t i = 0; i < count; ++i) batch.v[i] = a.value(ids[first + i]);
      writeShapeValues<<<1, kValuesPerLaunch, 0, streamOf(a)>>>(a.out(0).data, type, static_cast<int64_t>(first), count,
                                                                batch);
    }
    checkLaunch(step);
  });
}

}  // namespace

void registerCopyKernels(KernelTable& table) {
  table.add(LayerType::kIDENTITY, makeIdentity);
  table.add(LayerType::kCAST, makeCast);
  table.add(LayerType::kSHAPE_VALUES, makeShapeValues);
}

}  // namespace kiln::cuda
