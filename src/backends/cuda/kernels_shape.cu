// CUDA kernels that rearrange a tensor's layout: shuffle (transpose/reshape/transpose) and concatenation.
#include <vector>

#include "backends/common/layout_geometry.h"
#include "backends/common/shuffle_kernel.h"
#include "backends/cuda/device_tensor.cuh"
#include "backends/cuda/strided_copy.cuh"
#include "ops/shape.h"

namespace kiln::cuda {

namespace {

// ---- Shuffle ------------------------------------------------------------------------------------------------------

// The walk that reads `inShape` permuted by `perm` in the output's row-major order.
StridedWalk transposeWalk(const Dims& inShape, const std::vector<int64_t>& perm) {
  StridedWalk w;
  w.rank = inShape.nbDims;
  int64_t strides[Dims::MAX_DIMS];
  int64_t s = 1;
  for (int32_t i = inShape.nbDims - 1; i >= 0; --i) {
    strides[i] = s;
    s *= inShape.d[i];
  }
  for (int32_t i = 0; i < w.rank; ++i) {
    w.dims[i] = inShape.d[perm[i]];
    w.strides[i] = strides[perm[i]];
  }
  return w;
}

class ShuffleKernel final : public backend::ShuffleKernel {
 public:
  using backend::ShuffleKernel::ShuffleKernel;

 private:
  void copy(const KernelArgs& a, const void* in, void* out, size_t bytes) const override {
    copyDeviceAsync(a, out, in, bytes, step());
  }
  void transpose(const KernelArgs& a, const void* in, void* out, const Dims& inShape,
                 const std::vector<int64_t>& perm) const override {
    launchStrided(a, in, out, a.in(0).volume(), 0, transposeWalk(inShape, perm), dataTypeSize(a.in(0).type), step());
  }
};

// ---- Concatenation: one 2-D copy per input (rows = the axes before the concatenation axis) ------------------------

std::unique_ptr<Kernel> makeConcatenation(const KernelSpec& spec) {
  int64_t axisAttr = spec.step.opAttrs().get(ops::Concatenation::kAxis);
  return makeKernel(spec, [axisAttr, step = spec.step.name](const KernelArgs& a) {
    auto* dst = static_cast<uint8_t*>(a.out(0).data);
    backend::forEachConcatInput(a, axisAttr, [&](int32_t t, size_t offset, size_t row, size_t outRow, int64_t outer) {
      if (row && outer)
        KILN_CUDA_CHECK(cudaMemcpy2DAsync(dst + offset, outRow, a.in(t).data, row, row, outer, cudaMemcpyDeviceToDevice,
                                          streamOf(a)),
                        step);
    });
  });
}

}  // namespace

void registerShapeKernels(KernelTable& table) {
  table.add(LayerType::kSHUFFLE, [](const KernelSpec& s) { return std::make_unique<ShuffleKernel>(s); });
  table.add(LayerType::kCONCATENATION, makeConcatenation);
}

}  // namespace kiln::cuda
