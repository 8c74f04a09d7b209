// CUDA determinant and einsum, the matrix family's kernels written as plain loops (matrix multiply, through cuBLASLt,
// is kernels_matrix.cpp), with the CPU kernels' semantics (cpu/kernels_matrix.cpp). Determinant: one thread per
// matrix runs the LU decomposition with partial pivoting that determinant.h shares with the CPU, in fp64, on a copy of
// its matrix in the workspace. Einsum: the loops einsum_loops.h plans for both backends,
// one thread per output element summing over the summed loops, accumulating in fp64 for fp32 and fp64 (as the CPU),
// in fp32 for fp16 and bf16, and in int64 for int32 and int64 (as the CPU). fp32, fp64, fp16 and bf16 (and int32,
// int64 for einsum).
#include "backends/common/determinant.h"
#include "backends/common/einsum_loops.h"
#include "backends/cuda/device_tensor.cuh"

namespace kiln::cuda {

namespace {

// ---- Determinant --------------------------------------------------------------------------------------------------

// x [count, n, n] gives y [count]. Matrix b's scratch copy is interleaved with the others' (its element i at
// lu[i * count + b]) so that neighbouring threads touch neighbouring addresses.
template <typename N>
__global__ void determinantKernel(const typename N::Storage* x, typename N::Storage* y, double* lu, int64_t count,
                                  int64_t n) {
  KILN_GRID_LOOP(b, count) {
    const typename N::Storage* matrix = x + b * n * n;
    double* scratch = lu + b;
    for (int64_t i = 0; i < n * n; ++i) scratch[i * count] = static_cast<double>(N::load(matrix[i]));
    y[b] = N::store(static_cast<typename N::Compute>(backend::luDeterminant(scratch, n, count)));
  }
}

class Determinant {
 public:
  Determinant(const KernelSpec& spec, DataType type) : type_(type), step_(spec.step.name) {}

  // One fp64 copy of every matrix.
  size_t workspaceBytes(const KernelArgs& a) const { return static_cast<size_t>(a.in(0).volume()) * sizeof(double); }

  void operator()(const KernelArgs& a) const {
    const Dims& shape = a.in(0).shape;
    int64_t n = shape.d[shape.nbDims - 1];
    int64_t count = a.out(0).volume();
    if (count == 0) return;
    size_t needed = workspaceBytes(a);
    if (a.workspaceSize < needed || (needed > 0 && !a.workspace))
      throw Error(ErrorCode::kRUNTIME, "determinant needs " + std::to_string(needed) + " bytes of workspace, got " +
                                           std::to_string(a.workspaceSize));
    dispatchElement(type_, [&](auto tag) {
      using N = decltype(tag);
      using S = typename N::Storage;
      if constexpr (kFloating<N>)
        determinantKernel<N><<<blocksFor(count), kThreads, 0, streamOf(a)>>>(
            static_cast<const S*>(a.in(0).data), static_cast<S*>(a.out(0).data), static_cast<double*>(a.workspace),
            count, n);
    });
    checkLaunch(step_);
  }

 private:
  DataType type_;
  std::string step_;
};

std::unique_ptr<Kernel> makeDeterminant(const KernelSpec& spec) {
  DataType type = spec.inputType(0);
  if (type != DataType::kFLOAT && type != DataType::kDOUBLE && type != DataType::kHALF && type != DataType::kBF16)
    spec.unsupported(std::string("the CUDA determinant supports fp32, fp64, fp16 and bf16, not ") + dataTypeName(type));
  return std::make_unique<backend::WorkspaceKernel<Determinant>>(spec, Determinant(spec, type));
}

// ---- Einsum -------------------------------------------------------------------------------------------------------

// The loops of one run, passed by value to the kernel (about 2.4 KB of the 4 KB parameter space).
struct EinsumParams {
  static constexpr int32_t kMaxOperands = 8;
  static constexpr int32_t kMaxLoops = 32;
  int32_t nbOperands = 0, nbLoops = 0, nbOutput = 0;
  const void* operands[kMaxOperands] = {};
  int64_t extent[kMaxLoops] = {};
  int64_t strides[kMaxOperands][kMaxLoops] = {};
};

// Output element o: the output loops' coordinates are o's row-major index over them; an odometer over the summed loops
// (the last fastest, as on the CPU) accumulates the products in Acc.
template <typename N, typename Acc>
__global__ void einsumKernel(EinsumParams p, typename N::Storage* y, int64_t total) {
  using S = typename N::Storage;
  int64_t terms = 1;
  for (int32_t j = p.nbOutput; j < p.nbLoops; ++j) terms *= p.extent[j];
  KILN_GRID_LOOP(o, total) {
    int64_t offset[EinsumParams::kMaxOperands] = {};
    int64_t rest = o;
    for (int32_t j = p.nbOutput - 1; j >= 0; --j) {
      int64_t c = rest % p.extent[j];
      rest /= p.extent[j];
      for (int32_t k = 0; k < p.nbOperands; ++k) offset[k] += c * p.strides[k][j];
    }
    int64_t idx[EinsumParams::kMaxLoops] = {};
    Acc acc = 0;
    for (int64_t t = 0; t < terms; ++t) {
      Acc product = 1;
      for (int32_t k = 0; k < p.nbOperands; ++k)
        product *= static_cast<Acc>(N::load(static_cast<const S*>(p.operands[k])[offset[k]]));
      acc += product;
      for (int32_t j = p.nbLoops - 1; j >= p.nbOutput; --j) {
        for (int32_t k = 0; k < p.nbOperands; ++k) offset[k] += p.strides[k][j];
        if (++idx[j] < p.extent[j]) break;
        for (int32_t k = 0; k < p.nbOperands; ++k) offset[k] -= p.strides[k][j] * p.extent[j];
        idx[j] = 0;
      }
    }
    y[o] = N::store(static_cast<typename N::Compute>(acc));
  }
}

class Einsum {
 public:
  Einsum(const KernelSpec& spec, DataType type) : equation_(spec), type_(type), step_(spec.step.name) {}

  void operator()(const KernelArgs& a) const {
    int64_t total = a.out(0).volume();
    if (total == 0) return;
    backend::EinsumLoops loops = equation_.loops(a);
    EinsumParams p;
    p.nbOperands = a.nbInputs;
    p.nbLoops = static_cast<int32_t>(loops.nbLoops());
    p.nbOutput = static_cast<int32_t>(loops.nbOutput);
    if (p.nbOperands > EinsumParams::kMaxOperands || p.nbLoops > EinsumParams::kMaxLoops)
      throw Error(ErrorCode::kRUNTIME, "einsum has more operands or labels than planned", step_);
    int64_t outputs = 1;
    auto nbLoops = static_cast<size_t>(p.nbLoops), nbOutput = static_cast<size_t>(p.nbOutput);
    for (size_t j = 0; j < nbLoops; ++j) {
      p.extent[j] = loops.extent[j];
      if (j < nbOutput) outputs *= p.extent[j];
      for (size_t k = 0; k < static_cast<size_t>(p.nbOperands); ++k) p.strides[k][j] = loops.strides[k * nbLoops + j];
    }
    if (outputs != total)
      throw Error(
          ErrorCode::kRUNTIME,
          "einsum output of " + std::to_string(total) + " elements where its labels span " + std::to_string(outputs),
          step_);
    for (int32_t k = 0; k < p.nbOperands; ++k) p.operands[k] = a.in(k).data;
    auto launch = [&](auto tag, auto accumulator) {
      using N = decltype(tag);
      using S = typename N::Storage;
      einsumKernel<N, decltype(accumulator)>
          <<<blocksFor(total), kThreads, 0, streamOf(a)>>>(p, static_cast<S*>(a.out(0).data), total);
    };
    switch (type_) {
      case DataType::kFLOAT: launch(Plain<float>{}, double{}); break;
      case DataType::kDOUBLE: launch(Plain<double>{}, double{}); break;
      case DataType::kHALF: launch(Half{}, float{}); break;
      case DataType::kBF16: launch(Bf16{}, float{}); break;
      case DataType::kINT32: launch(Plain<int32_t>{}, int64_t{}); break;
      default: launch(Plain<int64_t>{}, int64_t{}); break;  // int64 (makeEinsum admits no other type)
    }
    checkLaunch(step_);
  }

 private:
  backend::EinsumEquation equation_;
  DataType type_;
  std::string step_;
};

std::unique_ptr<Kernel> makeEinsum(const KernelSpec& spec) {
  DataType type = spec.inputType(0);
  if (type != DataType::kFLOAT && type != DataType::kDOUBLE && type != DataType::kHALF && type != DataType::kBF16 &&
      type != DataType::kINT32 && type != DataType::kINT64)
    spec.unsupported(std::string("the CUDA einsum supports fp32, fp64, fp16, bf16, int32 and int64, not ") +
                     dataTypeName(type));
  backend::EinsumEquation equation(spec);
  if (equation.nbOperands() > EinsumParams::kMaxOperands)
    spec.unsupported("the CUDA einsum takes at most " + std::to_string(EinsumParams::kMaxOperands) + " operands, not " +
                     std::to_string(equation.nbOperands()));
  if (equation.nbLoops() > EinsumParams::kMaxLoops)
    spec.unsupported("the CUDA einsum takes at most " + std::to_string(EinsumParams::kMaxLoops) +
                     " distinct labels, not " + std::to_string(equation.nbLoops()));
  return makeKernel(spec, Einsum(spec, type));
}

}  // namespace

void registerMatrixLoopKernels(KernelTable& table) {
  table.add(LayerType::kDETERMINANT, makeDeterminant);
  table.add(LayerType::kEINSUM, makeEinsum);
}

}  // namespace kiln::cuda
