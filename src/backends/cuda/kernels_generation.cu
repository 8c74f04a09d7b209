// CUDA kernels of the generation family: select (the CPU's kernels_generation.cpp holds the reference).
#include "backends/cuda/cuda_kernel.h"
#include "backends/cuda/device_tensor.cuh"

namespace kiln::cuda {

namespace {

// out[i] = condition ? a : b, each operand read through its broadcast walk into the output's shape.
template <typename T>
__global__ void selectKernel(const uint8_t* condition, const T* a, const T* b, T* out, int64_t n, StridedWalk wc,
                             StridedWalk wa, StridedWalk wb) {
  KILN_GRID_LOOP(i, n) { out[i] = condition[wc.offset(i)] ? a[wa.offset(i)] : b[wb.offset(i)]; }
}

std::unique_ptr<Kernel> makeSelect(const KernelSpec& spec) {
  if (spec.inputType(0) != DataType::kBOOL) spec.unsupported("the select condition must be bool");
  size_t elementSize = dataTypeSize(spec.outputType(0));
  return makeKernel(spec, [elementSize, step = spec.step.name](const KernelArgs& a) {
    int64_t n = a.out(0).volume();
    if (n == 0) return;
    const Dims& shape = a.out(0).shape;
    StridedWalk wc = broadcastWalk(a.in(0).shape, shape), wa = broadcastWalk(a.in(1).shape, shape),
                wb = broadcastWalk(a.in(2).shape, shape);
    // Selecting moves bits: dispatch on the element size only.
    dispatchBySize(elementSize, [&](auto tag) {
      using T = decltype(tag);
      selectKernel<T><<<blocksFor(n), kThreads, 0, streamOf(a)>>>(
          static_cast<const uint8_t*>(a.in(0).data), static_cast<const T*>(a.in(1).data),
          static_cast<const T*>(a.in(2).data), static_cast<T*>(a.out(0).data), n, wc, wa, wb);
    });
    checkLaunch(step);
  });
}

}  // namespace

void registerGenerationKernels(KernelTable& table) { table.add(LayerType::kSELECT, makeSelect); }

}  // namespace kiln::cuda
