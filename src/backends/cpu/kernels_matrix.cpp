// CPU kernels: batched matrix multiply through BLAS (sgemm), with numpy batch broadcasting; determinant; einsum (fp32,
// fp64, int32, int64).
#include <cblas.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "backends/common/activation_function.h"
#include "backends/common/determinant.h"
#include "backends/common/einsum_loops.h"
#include "backends/common/matrix_view.h"
#include "backends/common/strided_iteration.h"
#include "backends/cpu/cpu_kernel.h"
#include "ops/matrix.h"

namespace kiln::cpu {

using backend::applyPostActivation;
using backend::checkedPostActivation;
using backend::forEachBroadcastRun;

using backend::matrixView;
using backend::MatrixView;

namespace {

// The fused bias (plan/fused_epilogue.h): y[..., j] += bias[j] along the output's last axis.
void addBias(const KernelArgs& args, const std::string& step) {
  const Dims& shape = args.out(0).shape;
  int64_t n = shape.nbDims > 0 ? shape.d[shape.nbDims - 1] : 1;
  if (args.in(2).volume() != n)
    failStep(step, "the fused bias has " + std::to_string(args.in(2).volume()) + " values for a last axis of " +
                       std::to_string(n));
  if (n == 0) return;
  const float* bias = static_cast<const float*>(args.in(2).data);
  float* y = static_cast<float*>(args.out(0).data);
  int64_t rows = args.out(0).volume() / n;
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t j = 0; j < n; ++j) y[r * n + j] += bias[j];
}

std::unique_ptr<Kernel> makeMatrixMultiply(const KernelSpec& spec) {
  if (spec.inputType(0) != DataType::kFLOAT) spec.unsupported("matrix multiply runs on fp32 on the CPU");
  bool ta = spec.step.opAttrs().get(ops::MatrixMultiply::kOp0) == MatrixOperation::kTRANSPOSE;
  bool tb = spec.step.opAttrs().get(ops::MatrixMultiply::kOp1) == MatrixOperation::kTRANSPOSE;
  if (spec.hasInput(2) && spec.inputType(2) != DataType::kFLOAT) spec.unsupported("the fused bias must be fp32");
  auto post = checkedPostActivation(spec);
  return makeKernel(spec, [ta, tb, post, step = spec.step.name](const KernelArgs& args) {
    MatrixView a = matrixView(args.in(0).shape, true);
    MatrixView b = matrixView(args.in(1).shape, false);
    int64_t m = ta ? a.cols : a.rows;
    int64_t k = ta ? a.rows : a.cols;
    int64_t n = tb ? b.rows : b.cols;
    const float* pa = static_cast<const float*>(args.in(0).data);
    const float* pb = static_cast<const float*>(args.in(1).data);
    float* pc = static_cast<float*>(args.out(0).data);
    int64_t sizeA = a.rows * a.cols, sizeB = b.rows * b.cols, sizeC = m * n;
    auto gemm = [&](const float* x, const float* y, float* z, int64_t rowsM) {
      if (rowsM == 0 || n == 0) return;
      if (k == 0) {
        std::fill(z, z + rowsM * n, 0.0f);
        return;
      }
      cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
                  static_cast<int>(rowsM), static_cast<int>(n), static_cast<int>(k), 1.0f, x, static_cast<int>(a.cols),
                  y, static_cast<int>(b.cols), 0.0f, z, static_cast<int>(n));
    };
    // B shared by every batch and A not transposed: one GEMM over all rows of A.
    if (b.batch.volume() == 1 && !ta) {
      gemm(pa, pb, pc, m * a.batch.volume());
    } else {
      Dims outBatch;
      outBatch.nbDims = std::max(a.batch.nbDims, b.batch.nbDims);
      for (int32_t i = 0; i < outBatch.nbDims; ++i) outBatch.d[i] = args.out(0).shape.d[i];
      forEachBroadcastRun(outBatch, a.batch, b.batch,
                          [&](int64_t o, int64_t ai, int64_t bi, int64_t count, int64_t as, int64_t bs) {
                            for (int64_t i = 0; i < count; ++i)
                              gemm(pa + (ai + i * as) * sizeA, pb + (bi + i * bs) * sizeB, pc + (o + i) * sizeC, m);
                          });
    }
    if (args.hasInput(2)) addBias(args, step);
    if (post) applyPostActivation(*post, pc, args.out(0).volume());
  });
}

template <typename T>
void determinants(const KernelArgs& args) {
  const Dims& shape = args.in(0).shape;
  int64_t n = shape.d[shape.nbDims - 1];
  int64_t count = args.out(0).volume();
  const T* x = static_cast<const T*>(args.in(0).data);
  T* y = static_cast<T*>(args.out(0).data);
  std::vector<double> lu(static_cast<size_t>(n * n));
  for (int64_t b = 0; b < count; ++b, x += n * n) {
    for (int64_t i = 0; i < n * n; ++i) lu[i] = static_cast<double>(x[i]);
    y[b] = static_cast<T>(backend::luDeterminant(lu.data(), n));
  }
}

std::unique_ptr<Kernel> makeDeterminant(const KernelSpec& spec) {
  DataType type = spec.inputType(0);
  if (type == DataType::kDOUBLE) return makeKernel(spec, determinants<double>);
  if (type != DataType::kFLOAT)
    spec.unsupported(std::string("determinant supports fp32 and fp64, not ") + dataTypeName(type));
  return makeKernel(spec, determinants<float>);
}

// ---- Einsum -----------------------------------------------------------------------------------------------------

// Every output element sums the product of the operands over the summed loops (backend::EinsumLoops); one odometer
// walks all loops and writes the output sequentially.
template <typename T>
void einsum(const backend::EinsumEquation& equation, const KernelArgs& a) {
  auto nbOperands = static_cast<size_t>(a.nbInputs);
  backend::EinsumLoops loops = equation.loops(a);
  const std::vector<int64_t>& extent = loops.extent;
  auto nbLoops = static_cast<size_t>(loops.nbLoops());
  T* y = static_cast<T*>(a.out(0).data);
  std::vector<const T*> x(nbOperands);
  for (size_t k = 0; k < nbOperands; ++k) x[k] = static_cast<const T*>(a.in(static_cast<int32_t>(k)).data);
  if (std::count(extent.begin(), extent.end(), 0) != 0) {
    // Empty output, or empty sums: zeros.
    std::fill(y, y + a.out(0).volume(), T{});
    return;
  }
  // The output advances each time a summed block completes.
  using Acc = std::conditional_t<std::is_floating_point_v<T>, double, int64_t>;
  std::vector<int64_t> idx(nbLoops, 0), off(nbOperands, 0);
  auto stride = [&](size_t k, size_t d) { return loops.strides[k * nbLoops + d]; };
  Acc acc = 0;
  for (bool done = false; !done;) {
    Acc product = 1;
    for (size_t k = 0; k < nbOperands; ++k) product *= static_cast<Acc>(x[k][off[k]]);
    acc += product;
    size_t d = nbLoops;
    done = true;
    while (d > 0) {
      --d;
      for (size_t k = 0; k < nbOperands; ++k) off[k] += stride(k, d);
      if (++idx[d] < extent[d]) {
        done = false;
        break;
      }
      for (size_t k = 0; k < nbOperands; ++k) off[k] -= stride(k, d) * extent[d];
      idx[d] = 0;
    }
    if (done || d < static_cast<size_t>(loops.nbOutput)) {
      *y++ = static_cast<T>(acc);
      acc = 0;
    }
  }
}

std::unique_ptr<Kernel> makeEinsum(const KernelSpec& spec) {
  backend::EinsumEquation equation(spec);
  auto make = [&](auto tag) {
    using T = decltype(tag);
    return makeKernel(spec, [equation](const KernelArgs& a) { einsum<T>(equation, a); });
  };
  switch (spec.inputType(0)) {
    case DataType::kFLOAT: return make(float{});
    case DataType::kDOUBLE: return make(double{});
    case DataType::kINT32: return make(int32_t{});
    case DataType::kINT64: return make(int64_t{});
    default: spec.unsupported(std::string("the CPU einsum does not support ") + dataTypeName(spec.inputType(0)));
  }
}

}  // namespace

void registerMatrixKernels(KernelTable& table) {
  table.add(LayerType::kMATRIX_MULTIPLY, makeMatrixMultiply);
  table.add(LayerType::kDETERMINANT, makeDeterminant);
  table.add(LayerType::kEINSUM, makeEinsum);
}

}  // namespace kiln::cpu
