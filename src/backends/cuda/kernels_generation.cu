// CUDA kernels of the generation family: select and fill (the CPU's kernels_generation.cpp holds the reference).
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

// ---- Fill ---------------------------------------------------------------------------------------------------------

// Where alpha and beta come from: inputs 1 and 2 (device memory, any numeric type) override the attributes.
struct FillSource {
  const void* alpha = nullptr;
  DataType alphaType = DataType::kFLOAT;
  bool alphaFloat = true;  // decided on the host (isFloatingPoint is host code)
  double alphaAttr = 0.0;
  const void* beta = nullptr;
  DataType betaType = DataType::kFLOAT;
  bool betaFloat = true;
  double betaAttr = 1.0;
};

// Element i of a fill parameter in the accumulator type A: double, or int64 (floating-point values truncated).
template <typename A>
__device__ A fillParameter(const void* p, DataType type, bool isFloat, int64_t i) {
  if constexpr (std::is_floating_point_v<A>) return loadAsDouble(p, type, i);
  else return isFloat ? static_cast<int64_t>(loadAsDouble(p, type, i)) : loadInteger(p, type, i);
}

// The CPU kernel's rules: kCONSTANT writes alpha (exactly, between integer types); kLINSPACE writes
// alpha + sum over axes of c[axis] * beta[axis], accumulated in A: double for floating-point outputs, int64 for
// integer ones.
template <typename A>
__global__ void fillKernel(void* out, DataType type, int64_t total, StridedWalk coords, FillSource src, bool linspace) {
  KILN_GRID_LOOP(e, total) {
    A v = src.alpha ? fillParameter<A>(src.alpha, src.alphaType, src.alphaFloat, 0) : static_cast<A>(src.alphaAttr);
    if (linspace) {
      int64_t rest = e;
      for (int32_t d = coords.rank - 1; d >= 0; --d) {
        int64_t c = rest % coords.dims[d];
        rest /= coords.dims[d];
        A beta = src.beta ? fillParameter<A>(src.beta, src.betaType, src.betaFloat, d) : static_cast<A>(src.betaAttr);
        v += static_cast<A>(c) * beta;
      }
    }
    if constexpr (std::is_floating_point_v<A>) storeFromDouble(out, type, e, v);
    else storeInteger(out, type, e, v);
  }
}

std::unique_ptr<Kernel> makeFill(const KernelSpec& spec) {
  const auto& attrs = spec.step.attrs;
  auto op = static_cast<FillOperation>(attrs.getInt("op"));
  if (op != FillOperation::kCONSTANT && op != FillOperation::kLINSPACE) spec.unsupported("unknown fill operation");
  DataType type = spec.outputType(0);
  bool linspace = op == FillOperation::kLINSPACE;
  if (linspace && (type == DataType::kBOOL || type == DataType::kHALF || type == DataType::kBF16))
    spec.unsupported(std::string("kLINSPACE fills of ") + dataTypeName(type) + " (fp32, fp64 and integers only)");
  FillSource base;
  // Defaults as TensorRT's fill layer: alpha 0, beta 1.
  base.alphaAttr = attrs.getFloat("alpha", 0.0);
  base.betaAttr = attrs.getFloat("beta", 1.0);
  bool integer = !isFloatingPoint(type) && type != DataType::kBOOL;
  return makeKernel(spec, [type, linspace, integer, base, step = spec.step.name](const KernelArgs& a) {
    int64_t total = a.out(0).volume();
    if (total == 0) return;
    FillSource src = base;
    if (a.hasInput(1)) {
      src.alpha = a.in(1).data;
      src.alphaType = a.in(1).type;
      src.alphaFloat = isFloatingPoint(a.in(1).type);
    }
    if (a.hasInput(2)) {
      src.beta = a.in(2).data;
      src.betaType = a.in(2).type;
      src.betaFloat = isFloatingPoint(a.in(2).type);
    }
    StridedWalk coords;
    coords.rank = a.out(0).shape.nbDims;
    for (int32_t d = 0; d < coords.rank; ++d) coords.dims[d] = a.out(0).shape.d[d];
    if (integer)
      fillKernel<int64_t><<<blocksFor(total), kThreads, 0, streamOf(a)>>>(a.out(0).data, type, total, coords, src,
                                                                         linspace);
    else
      fillKernel<double><<<blocksFor(total), kThreads, 0, streamOf(a)>>>(a.out(0).data, type, total, coords, src,
                                                                        linspace);
    checkLaunch(step);
  });
}

}  // namespace

void registerGenerationKernels(KernelTable& table) {
  table.add(LayerType::kSELECT, makeSelect);
  table.add(LayerType::kFILL, makeFill);
}

}  // namespace kiln::cuda
