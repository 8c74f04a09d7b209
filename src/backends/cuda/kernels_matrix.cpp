// CUDA kernels: matrix multiply through cuBLASLt (fp32 with TF32 off, fp16 and bf16 accumulating in fp32), batched
// with numpy batch broadcasting: each innermost broadcast run is one strided-batched call (stride 0 broadcasts).
#include <algorithm>

#include "backends/cpu/strided_iteration.h"
#include "backends/matrix_view.h"
#include "backends/cuda/cuda_kernel.h"

namespace kiln::cuda {

using backend::matrixView;
using backend::MatrixView;

namespace {

// cuBLASLt scratch: enough for its fastest Hopper algorithms.
constexpr size_t kMatmulWorkspace = size_t{32} << 20;

// Owns the cuBLASLt descriptors of one call (host objects: no device memory, no synchronization).
struct LtDescriptors {
  cublasLtMatmulDesc_t op = nullptr;
  cublasLtMatrixLayout_t a = nullptr, b = nullptr, c = nullptr;
  cublasLtMatmulPreference_t preference = nullptr;
  ~LtDescriptors() {
    if (preference) cublasLtMatmulPreferenceDestroy(preference);
    if (c) cublasLtMatrixLayoutDestroy(c);
    if (b) cublasLtMatrixLayoutDestroy(b);
    if (a) cublasLtMatrixLayoutDestroy(a);
    if (op) cublasLtMatmulDescDestroy(op);
  }
};

void setBatch(cublasLtMatrixLayout_t layout, int32_t count, int64_t stride, const std::string& step) {
  KILN_CUBLAS_CHECK(cublasLtMatrixLayoutSetAttribute(layout, CUBLASLT_MATRIX_LAYOUT_BATCH_COUNT, &count, sizeof(count)),
                    step);
  KILN_CUBLAS_CHECK(
      cublasLtMatrixLayoutSetAttribute(layout, CUBLASLT_MATRIX_LAYOUT_STRIDED_BATCH_OFFSET, &stride, sizeof(stride)),
      step);
}

struct MatmulShape {
  bool ta = false, tb = false;
  MatrixView a, b;
  int64_t m = 0, n = 0, k = 0;
};

// Row-major C = op(A) op(B) is column-major C^T = op(B)^T op(A)^T: cuBLASLt sees B first, A second.
void gemmBatch(const MatmulShape& s, cudaDataType_t dataType, const void* pa, const void* pb, void* pc, int32_t count,
               int64_t strideA, int64_t strideB, const KernelArgs& args, const std::string& step) {
  LtDescriptors d;
  KILN_CUBLAS_CHECK(cublasLtMatmulDescCreate(&d.op, CUBLAS_COMPUTE_32F, CUDA_R_32F), step);  // never TF32
  cublasOperation_t opB = s.tb ? CUBLAS_OP_T : CUBLAS_OP_N, opA = s.ta ? CUBLAS_OP_T : CUBLAS_OP_N;
  KILN_CUBLAS_CHECK(cublasLtMatmulDescSetAttribute(d.op, CUBLASLT_MATMUL_DESC_TRANSA, &opB, sizeof(opB)), step);
  KILN_CUBLAS_CHECK(cublasLtMatmulDescSetAttribute(d.op, CUBLASLT_MATMUL_DESC_TRANSB, &opA, sizeof(opA)), step);
  // Column-major views of the row-major operands: rows and columns swap, the leading dimension is the stored width.
  KILN_CUBLAS_CHECK(cublasLtMatrixLayoutCreate(&d.b, dataType, s.b.cols, s.b.rows, s.b.cols), step);
  KILN_CUBLAS_CHECK(cublasLtMatrixLayoutCreate(&d.a, dataType, s.a.cols, s.a.rows, s.a.cols), step);
  KILN_CUBLAS_CHECK(cublasLtMatrixLayoutCreate(&d.c, dataType, s.n, s.m, s.n), step);
  setBatch(d.b, count, strideB, step);
  setBatch(d.a, count, strideA, step);
  setBatch(d.c, count, s.m * s.n, step);
  KILN_CUBLAS_CHECK(cublasLtMatmulPreferenceCreate(&d.preference), step);
  size_t workspace = std::min(args.workspaceSize, kMatmulWorkspace);
  KILN_CUBLAS_CHECK(cublasLtMatmulPreferenceSetAttribute(d.preference, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES,
                                                         &workspace, sizeof(workspace)),
                    step);
  cublasLtMatmulHeuristicResult_t heuristic{};
  int found = 0;
  KILN_CUBLAS_CHECK(cublasLtMatmulAlgoGetHeuristic(cublasLtHandle(), d.op, d.b, d.a, d.c, d.c, d.preference, 1,
                                                   &heuristic, &found),
                    step);
  if (found == 0)
    throw Error(ErrorCode::kUNSUPPORTED, "cuBLASLt has no algorithm for this matrix multiply (" + std::to_string(s.m) +
                                             "x" + std::to_string(s.k) + " by " + std::to_string(s.k) + "x" +
                                             std::to_string(s.n) + ")");
  float alpha = 1.0f, beta = 0.0f;
  KILN_CUBLAS_CHECK(cublasLtMatmul(cublasLtHandle(), d.op, &alpha, pb, d.b, pa, d.a, &beta, pc, d.c, pc, d.c,
                                   &heuristic.algo, args.workspace, workspace, streamOf(args)),
                    step);
}

std::unique_ptr<Kernel> makeMatrixMultiply(const KernelSpec& spec) {
  DataType type = spec.inputType(0);
  cudaDataType_t dataType = CUDA_R_32F;
  switch (type) {
    case DataType::kFLOAT: dataType = CUDA_R_32F; break;
    case DataType::kHALF: dataType = CUDA_R_16F; break;
    case DataType::kBF16: dataType = CUDA_R_16BF; break;
    default: spec.unsupported(std::string("the CUDA matrix multiply supports fp32, fp16 and bf16, not ") + dataTypeName(type));
  }
  if (spec.inputType(1) != type) spec.unsupported("the matrix multiply operands have different types");
  struct Body {
    bool ta, tb;
    cudaDataType_t dataType;
    size_t elementSize;
    std::string step;
    size_t workspaceBytes(const KernelArgs&) const { return kMatmulWorkspace; }
    void operator()(const KernelArgs& args) const {
      MatmulShape s;
      s.ta = ta;
      s.tb = tb;
      s.a = matrixView(args.in(0).shape, true);
      s.b = matrixView(args.in(1).shape, false);
      s.m = ta ? s.a.cols : s.a.rows;
      s.k = ta ? s.a.rows : s.a.cols;
      s.n = tb ? s.b.rows : s.b.cols;
      int64_t total = args.out(0).volume();
      if (total == 0) return;
      if (s.k == 0) {  // an empty sum: zeros
        KILN_CUDA_CHECK(cudaMemsetAsync(args.out(0).data, 0, total * elementSize, streamOf(args)), step);
        return;
      }
      auto* pa = static_cast<const uint8_t*>(args.in(0).data);
      auto* pb = static_cast<const uint8_t*>(args.in(1).data);
      auto* pc = static_cast<uint8_t*>(args.out(0).data);
      int64_t sizeA = s.a.rows * s.a.cols, sizeB = s.b.rows * s.b.cols, sizeC = s.m * s.n;
      Dims outBatch;
      outBatch.nbDims = std::max(s.a.batch.nbDims, s.b.batch.nbDims);
      for (int32_t i = 0; i < outBatch.nbDims; ++i) outBatch.d[i] = args.out(0).shape.d[i];
      cpu::forEachBroadcastRun(outBatch, s.a.batch, s.b.batch,
                               [&](int64_t o, int64_t ai, int64_t bi, int64_t count, int64_t as, int64_t bs) {
                                 gemmBatch(s, dataType, pa + ai * sizeA * elementSize, pb + bi * sizeB * elementSize,
                                           pc + o * sizeC * elementSize, static_cast<int32_t>(count), as * sizeA,
                                           bs * sizeB, args, step);
                               });
    }
  };
  bool ta = spec.step.attrs.getInt("op0") == static_cast<int64_t>(MatrixOperation::kTRANSPOSE);
  bool tb = spec.step.attrs.getInt("op1") == static_cast<int64_t>(MatrixOperation::kTRANSPOSE);
  return std::make_unique<backend::WorkspaceKernel<Body>>(spec, Body{ta, tb, dataType, dataTypeSize(type), spec.step.name});
}

}  // namespace

void registerMatrixKernels(KernelTable& table) { table.add(LayerType::kMATRIX_MULTIPLY, makeMatrixMultiply); }

}  // namespace kiln::cuda
