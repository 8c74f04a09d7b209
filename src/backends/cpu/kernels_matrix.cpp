// CPU kernel: batched matrix multiply through BLAS (sgemm), with numpy batch broadcasting.
#include <cblas.h>

#include "backends/cpu/strided_iteration.h"
#include "backends/cpu/cpu_kernel.h"

namespace kiln::cpu {

namespace {

struct MatrixView {
  Dims batch;       // batch axes
  int64_t rows = 0;  // as stored
  int64_t cols = 0;
};

// Splits a shape into batch axes and a stored matrix; rank-1 operands become a row (left) or a column (right).
MatrixView view(const Dims& shape, bool left) {
  MatrixView v;
  if (shape.nbDims == 1) {
    v.rows = left ? 1 : shape.d[0];
    v.cols = left ? shape.d[0] : 1;
    return v;
  }
  v.batch.nbDims = shape.nbDims - 2;
  for (int32_t i = 0; i < v.batch.nbDims; ++i) v.batch.d[i] = shape.d[i];
  v.rows = shape.d[shape.nbDims - 2];
  v.cols = shape.d[shape.nbDims - 1];
  return v;
}

std::unique_ptr<Kernel> makeMatrixMultiply(const KernelSpec& spec) {
  if (spec.inputType(0) != DataType::kFLOAT) spec.unsupported("matrix multiply runs on fp32 on the CPU");
  bool ta = spec.step.attrs.getInt("op0") == static_cast<int64_t>(MatrixOperation::kTRANSPOSE);
  bool tb = spec.step.attrs.getInt("op1") == static_cast<int64_t>(MatrixOperation::kTRANSPOSE);
  return makeKernel(spec, [ta, tb](const KernelArgs& args) {
    MatrixView a = view(args.in(0).shape, true);
    MatrixView b = view(args.in(1).shape, false);
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
      cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, static_cast<int>(rowsM),
                  static_cast<int>(n), static_cast<int>(k), 1.0f, x, static_cast<int>(a.cols), y,
                  static_cast<int>(b.cols), 0.0f, z, static_cast<int>(n));
    };
    // B shared by every batch and A not transposed: one GEMM over all rows of A.
    if (b.batch.volume() == 1 && !ta) {
      gemm(pa, pb, pc, m * a.batch.volume());
      return;
    }
    Dims outBatch;
    outBatch.nbDims = std::max(a.batch.nbDims, b.batch.nbDims);
    for (int32_t i = 0; i < outBatch.nbDims; ++i) outBatch.d[i] = args.out(0).shape.d[i];
    forEachBroadcastRun(outBatch, a.batch, b.batch,
                        [&](int64_t o, int64_t ai, int64_t bi, int64_t count, int64_t as, int64_t bs) {
                          for (int64_t i = 0; i < count; ++i)
                            gemm(pa + (ai + i * as) * sizeA, pb + (bi + i * bs) * sizeB, pc + (o + i) * sizeC, m);
                        });
  });
}

}  // namespace

void registerMatrixKernels(KernelTable& table) { table.add(LayerType::kMATRIX_MULTIPLY, makeMatrixMultiply); }

}  // namespace kiln::cpu
