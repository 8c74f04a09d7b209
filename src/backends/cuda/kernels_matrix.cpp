// CUDA kernels: matrix multiply through cuBLASLt (fp32 with TF32 off unless the builder allows it, fp16 and bf16
// accumulating in fp32), batched with numpy batch broadcasting: each innermost broadcast run is one strided-batched
// call (stride 0 broadcasts). A fused bias (input 2, one value per output column) and ReLU run in cuBLASLt's epilogue
// (plan/fused_epilogue.h); other fused activations run after it.
//
// Descriptors and the algorithm are made once per concrete call shape and kept (backend::PreparedCalls), so a
// repeated shape costs one cublasLtMatmul. The builder times cuBLASLt's best heuristic candidates at each profile's
// opt shape; the winner comes back as the kernel's tactic, with the size of the product it was timed on, and is used
// for the shapes near that size (within kTacticRange): an algorithm timed on 3072 rows tiles 128 rows into a handful
// of blocks on a GPU of 132 multiprocessors, so far from the timed size cuBLASLt's heuristic choice for the shape
// itself runs instead.
#include <algorithm>
#include <climits>
#include <cstring>
#include <map>
#include <optional>
#include <tuple>

#include "backends/common/matrix_view.h"
#include "backends/common/prepared_calls.h"
#include "backends/common/strided_iteration.h"
#include "backends/cuda/activation_launch.h"
#include "backends/cuda/cuda_kernel.h"
#include "ops/fused_epilogue.h"

namespace kiln::cuda {

using backend::matrixView;
using backend::MatrixView;

namespace {

// cuBLASLt scratch: enough for its fastest Hopper algorithms.
constexpr size_t kMatmulWorkspace = size_t{32} << 20;
// Heuristic candidates the builder times.
constexpr int kCandidates = 8;
// How far (as a factor of the product's output elements) from the size it was timed on a tactic still applies.
constexpr int64_t kTacticRange = 4;

// Owns the cuBLASLt descriptors of one call shape (host objects: no device memory, no synchronization).
struct LtDescriptors {
  cublasLtMatmulDesc_t op = nullptr;
  cublasLtMatrixLayout_t a = nullptr, b = nullptr, c = nullptr;
  LtDescriptors() = default;
  LtDescriptors(const LtDescriptors&) = delete;
  LtDescriptors& operator=(const LtDescriptors&) = delete;
  ~LtDescriptors() {
    if (c) cublasLtMatrixLayoutDestroy(c);
    if (b) cublasLtMatrixLayoutDestroy(b);
    if (a) cublasLtMatrixLayoutDestroy(a);
    if (op) cublasLtMatmulDescDestroy(op);
  }
};

struct Preference {
  cublasLtMatmulPreference_t p = nullptr;
  explicit Preference(const std::string& step) {
    KILN_CUBLAS_CHECK(cublasLtMatmulPreferenceCreate(&p), step);
    size_t workspace = kMatmulWorkspace;
    KILN_CUBLAS_CHECK(cublasLtMatmulPreferenceSetAttribute(p, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &workspace,
                                                           sizeof(workspace)),
                      step);
  }
  ~Preference() { cublasLtMatmulPreferenceDestroy(p); }
};

// One strided-batched call: everything its descriptors depend on.
struct CallShape {
  int64_t m = 0, n = 0, k = 0;
  int32_t count = 1;
  int64_t strideA = 0, strideB = 0;
  const void* bias = nullptr;
  auto tie() const { return std::tie(m, n, k, count, strideA, strideB, bias); }
  bool operator<(const CallShape& o) const { return tie() < o.tie(); }
};

// What a step asks of every call.
struct MatmulConfig {
  bool ta = false, tb = false;
  cudaDataType_t dataType = CUDA_R_32F;
  cublasComputeType_t computeType = CUBLAS_COMPUTE_32F;
  size_t elementSize = 4;
  bool bias = false, relu = false;           // in cuBLASLt's epilogue
  std::optional<ops::PostActivation> after;  // another activation, applied by our kernel after the product
  std::string step;
};

void setBatch(cublasLtMatrixLayout_t layout, int32_t count, int64_t stride, const std::string& step) {
  KILN_CUBLAS_CHECK(cublasLtMatrixLayoutSetAttribute(layout, CUBLASLT_MATRIX_LAYOUT_BATCH_COUNT, &count, sizeof(count)),
                    step);
  KILN_CUBLAS_CHECK(
      cublasLtMatrixLayoutSetAttribute(layout, CUBLASLT_MATRIX_LAYOUT_STRIDED_BATCH_OFFSET, &stride, sizeof(stride)),
      step);
}

// Row-major C = op(A) op(B) is column-major C^T = op(B)^T op(A)^T: cuBLASLt sees B first, A second. The bias, one
// value per column of C, is one per row of C^T: what cuBLASLt's epilogue adds (the same for every batch).
void describe(LtDescriptors& d, const MatmulConfig& c, const CallShape& s) {
  const std::string& step = c.step;
  KILN_CUBLAS_CHECK(cublasLtMatmulDescCreate(&d.op, c.computeType, CUDA_R_32F), step);
  cublasOperation_t opB = c.tb ? CUBLAS_OP_T : CUBLAS_OP_N, opA = c.ta ? CUBLAS_OP_T : CUBLAS_OP_N;
  KILN_CUBLAS_CHECK(cublasLtMatmulDescSetAttribute(d.op, CUBLASLT_MATMUL_DESC_TRANSA, &opB, sizeof(opB)), step);
  KILN_CUBLAS_CHECK(cublasLtMatmulDescSetAttribute(d.op, CUBLASLT_MATMUL_DESC_TRANSB, &opA, sizeof(opA)), step);
  cublasLtEpilogue_t epilogue = c.bias ? (c.relu ? CUBLASLT_EPILOGUE_RELU_BIAS : CUBLASLT_EPILOGUE_BIAS)
                                       : (c.relu ? CUBLASLT_EPILOGUE_RELU : CUBLASLT_EPILOGUE_DEFAULT);
  KILN_CUBLAS_CHECK(cublasLtMatmulDescSetAttribute(d.op, CUBLASLT_MATMUL_DESC_EPILOGUE, &epilogue, sizeof(epilogue)),
                    step);
  if (c.bias)
    KILN_CUBLAS_CHECK(cublasLtMatmulDescSetAttribute(d.op, CUBLASLT_MATMUL_DESC_BIAS_POINTER, &s.bias, sizeof(s.bias)),
                      step);
  // Column-major views of the row-major operands: rows and columns swap, the leading dimension is the stored width.
  int64_t bRows = c.tb ? s.n : s.k, bCols = c.tb ? s.k : s.n;  // B as stored (row-major)
  int64_t aRows = c.ta ? s.k : s.m, aCols = c.ta ? s.m : s.k;  // A as stored
  KILN_CUBLAS_CHECK(cublasLtMatrixLayoutCreate(&d.b, c.dataType, bCols, bRows, bCols), step);
  KILN_CUBLAS_CHECK(cublasLtMatrixLayoutCreate(&d.a, c.dataType, aCols, aRows, aCols), step);
  KILN_CUBLAS_CHECK(cublasLtMatrixLayoutCreate(&d.c, c.dataType, s.n, s.m, s.n), step);
  setBatch(d.b, s.count, s.strideB, step);
  setBatch(d.a, s.count, s.strideA, step);
  setBatch(d.c, s.count, s.m * s.n, step);
}

std::vector<cublasLtMatmulHeuristicResult_t> heuristics(const LtDescriptors& d, const MatmulConfig& c,
                                                        const CallShape& s, int count) {
  Preference preference(c.step);
  std::vector<cublasLtMatmulHeuristicResult_t> results(count);
  int found = 0;
  KILN_CUBLAS_CHECK(cublasLtMatmulAlgoGetHeuristic(cublasLtHandle(), d.op, d.b, d.a, d.c, d.c, preference.p, count,
                                                   results.data(), &found),
                    c.step);
  if (found == 0)
    throw Error(ErrorCode::kUNSUPPORTED, "cuBLASLt has no algorithm for this matrix multiply (" + std::to_string(s.m) +
                                             "x" + std::to_string(s.k) + " by " + std::to_string(s.k) + "x" +
                                             std::to_string(s.n) + ")");
  results.resize(found);
  return results;
}

int32_t algoAttribute(const cublasLtMatmulAlgo_t& algo, cublasLtMatmulAlgoConfigAttributes_t attribute) {
  int32_t value = 0;  // every attribute named below fits 32 bits
  size_t written = 0;
  if (cublasLtMatmulAlgoConfigGetAttribute(&algo, attribute, &value, sizeof(value), &written) != CUBLAS_STATUS_SUCCESS)
    return -1;
  return value;
}

// The output elements of a call: the size a tactic is timed on and compared with.
int64_t callSize(const CallShape& s) { return s.m * s.n * s.count; }

// A builder's tactic: the algorithm and the size of the product it was timed on (0 in plans made before the size was
// recorded: every size).
struct MatmulTactic {
  cublasLtMatmulAlgo_t algo{};
  int64_t timedSize = 0;
  bool appliesTo(const CallShape& s) const {
    if (timedSize == 0) return true;
    int64_t size = callSize(s);
    return size * kTacticRange >= timedSize && size <= timedSize * kTacticRange;
  }
};

plan::Tactic toTactic(const cublasLtMatmulAlgo_t& algo, int64_t timedSize) {
  std::string name = "cublasLt algo " + std::to_string(algoAttribute(algo, CUBLASLT_ALGO_CONFIG_ID)) + " tile " +
                     std::to_string(algoAttribute(algo, CUBLASLT_ALGO_CONFIG_TILE_ID)) + " stages " +
                     std::to_string(algoAttribute(algo, CUBLASLT_ALGO_CONFIG_STAGES_ID)) + " split-k " +
                     std::to_string(algoAttribute(algo, CUBLASLT_ALGO_CONFIG_SPLITK_NUM));
  MatmulTactic tactic{algo, timedSize};
  return {name, std::string(reinterpret_cast<const char*>(&tactic), sizeof(tactic))};
}

// A call shape's descriptors and the algorithm chosen for it.
struct PreparedCall {
  LtDescriptors d;
  cublasLtMatmulAlgo_t algo{};
};

class MatmulBody {
 public:
  MatmulBody(MatmulConfig config, std::optional<MatmulTactic> tactic)
      : config_(std::move(config)),
        tactic_(tactic),
        calls_(std::make_shared<backend::PreparedCalls<CallShape, PreparedCall>>()) {}

  void operator()(const KernelArgs& args) const {
    int64_t total = args.out(0).volume();
    if (total == 0) return;
    const void* bias = config_.bias ? args.in(2).data : nullptr;
    forEachCall(args, bias, [&](const CallShape& s, const void* pa, const void* pb, void* pc) {
      if (s.k == 0) {  // an empty sum: zeros (plus the bias, which the epilogue of a zero product still adds)
        if (config_.bias)
          throw Error(ErrorCode::kUNSUPPORTED, "a fused bias on an empty (k = 0) matrix multiply", config_.step);
        KILN_CUDA_CHECK(cudaMemsetAsync(pc, 0, s.count * s.m * s.n * config_.elementSize, streamOf(args)),
                        config_.step);
        return;
      }
      auto call = prepared(s);
      float alpha = 1.0f, beta = 0.0f;
      KILN_CUBLAS_CHECK(cublasLtMatmul(cublasLtHandle(), call->d.op, &alpha, pb, call->d.b, pa, call->d.a, &beta, pc,
                                       call->d.c, pc, call->d.c, &call->algo, args.workspace,
                                       std::min(args.workspaceSize, kMatmulWorkspace), streamOf(args)),
                        config_.step);
    });
    if (config_.after)
      launchActivation(args.out(0).type, config_.after->type, config_.after->alpha, config_.after->beta,
                       args.out(0).data, args.out(0).data, total, streamOf(args), config_.step);
  }

  // cuBLASLt's best few algorithms for the first call of these shapes (a broadcast batch is one call in practice).
  std::vector<plan::Tactic> candidates(const KernelArgs& args) const {
    std::vector<plan::Tactic> out;
    if (args.out(0).volume() == 0) return out;
    bool first = true;
    const void* bias = config_.bias ? reinterpret_cast<const void*>(256) : nullptr;  // any aligned address describes it
    forEachCall(args, bias, [&](const CallShape& s, const void*, const void*, void*) {
      if (!first || s.k == 0) return;
      first = false;
      LtDescriptors d;
      describe(d, config_, s);
      for (const auto& h : heuristics(d, config_, s, kCandidates)) out.push_back(toTactic(h.algo, callSize(s)));
    });
    return out;
  }

 private:
  template <typename F>
  void forEachCall(const KernelArgs& args, const void* bias, F f) const {
    MatrixView a = matrixView(args.in(0).shape, true), b = matrixView(args.in(1).shape, false);
    CallShape s;
    s.m = config_.ta ? a.cols : a.rows;
    s.k = config_.ta ? a.rows : a.cols;
    s.n = config_.tb ? b.rows : b.cols;
    s.bias = bias;
    if (config_.bias && args.in(2).volume() != s.n)
      throw Error(ErrorCode::kINVALID_ARGUMENT,
                  "the fused bias has " + std::to_string(args.in(2).volume()) + " values for " + std::to_string(s.n) +
                      " output columns",
                  config_.step);
    auto* pa = static_cast<const uint8_t*>(args.in(0).data);
    auto* pb = static_cast<const uint8_t*>(args.in(1).data);
    auto* pc = static_cast<uint8_t*>(args.out(0).data);
    int64_t sizeA = a.rows * a.cols, sizeB = b.rows * b.cols, sizeC = s.m * s.n;
    size_t e = config_.elementSize;
    // B shared by every batch and A not transposed (a Linear layer on [batch, sequence, features]): the batches
    // of A are consecutive rows, so one GEMM over all of them does the work with a better shape than a batch of
    // small ones.
    if (b.batch.volume() == 1 && !config_.ta && a.batch.volume() > 1) {
      s.m *= a.batch.volume();
      f(s, pa, pb, pc);
      return;
    }
    Dims outBatch;
    outBatch.nbDims = std::max(a.batch.nbDims, b.batch.nbDims);
    for (int32_t i = 0; i < outBatch.nbDims; ++i) outBatch.d[i] = args.out(0).shape.d[i];
    // Each operand either has the output's whole batch or one matrix for all of it (attention's [B, heads] batches):
    // one strided-batched call over the flattened batch, not one call per run of the innermost batch axis.
    if (wholeOrSingle(a.batch, outBatch) && wholeOrSingle(b.batch, outBatch)) {
      int64_t count = outBatch.volume();
      if (count == 0) return;
      if (count <= INT32_MAX) {
        s.count = static_cast<int32_t>(count);
        s.strideA = a.batch.volume() == 1 ? 0 : sizeA;
        s.strideB = b.batch.volume() == 1 ? 0 : sizeB;
        f(s, pa, pb, pc);
        return;
      }
    }
    backend::forEachBroadcastRun(outBatch, a.batch, b.batch,
                                 [&](int64_t o, int64_t ai, int64_t bi, int64_t count, int64_t as, int64_t bs) {
                                   s.count = static_cast<int32_t>(count);
                                   s.strideA = as * sizeA;
                                   s.strideB = bs * sizeB;
                                   f(s, pa ? pa + ai * sizeA * e : nullptr, pb ? pb + bi * sizeB * e : nullptr,
                                     pc ? pc + o * sizeC * e : nullptr);
                                 });
  }

  // Whether `batch` (right-aligned against `out`) is all of `out`'s batch, or a single matrix.
  static bool wholeOrSingle(const Dims& batch, const Dims& out) {
    if (batch.volume() == 1) return true;
    int32_t skip = out.nbDims - batch.nbDims;
    if (skip < 0) return false;
    for (int32_t i = 0; i < out.nbDims; ++i)
      if (out.d[i] != (i < skip ? 1 : batch.d[i - skip])) return false;
    return true;
  }

  // The call's descriptors and algorithm: the builder's tactic where this shape is near the size it was timed on and
  // cuBLASLt accepts it, else cuBLASLt's first heuristic choice for the shape. Made on first use (host work only,
  // allowed inside enqueue and graph capture).
  std::shared_ptr<const PreparedCall> prepared(const CallShape& s) const {
    return calls_->get(s, [&] {
      auto call = std::make_shared<PreparedCall>();
      describe(call->d, config_, s);
      cublasLtMatmulHeuristicResult_t check{};
      if (tactic_ && tactic_->appliesTo(s) &&
          cublasLtMatmulAlgoCheck(cublasLtHandle(), call->d.op, call->d.b, call->d.a, call->d.c, call->d.c,
                                  &tactic_->algo, &check) == CUBLAS_STATUS_SUCCESS &&
          check.workspaceSize <= kMatmulWorkspace)
        call->algo = tactic_->algo;
      else
        call->algo = heuristics(call->d, config_, s, 1)[0].algo;
      return call;
    });
  }

  MatmulConfig config_;
  std::optional<MatmulTactic> tactic_;
  std::shared_ptr<backend::PreparedCalls<CallShape, PreparedCall>> calls_;  // shared by copies of the body
};

class MatmulKernel final : public backend::FunctionKernel<MatmulBody> {
 public:
  MatmulKernel(const KernelSpec& spec, const MatmulBody& body)
      : backend::FunctionKernel<MatmulBody>(spec.step.name, body), body_(body) {}
  size_t workspaceSize(const KernelArgs&) const override { return kMatmulWorkspace; }
  std::vector<plan::Tactic> candidateTactics(const KernelArgs& args) const override { return body_.candidates(args); }

 private:
  MatmulBody body_;
};

std::unique_ptr<Kernel> makeMatrixMultiply(const KernelSpec& spec) {
  DataType type = spec.inputType(0);
  MatmulConfig c;
  switch (type) {
    case DataType::kFLOAT: c.dataType = CUDA_R_32F; break;
    case DataType::kHALF: c.dataType = CUDA_R_16F; break;
    case DataType::kBF16: c.dataType = CUDA_R_16BF; break;
    default:
      spec.unsupported(std::string("the CUDA matrix multiply supports fp32, fp16 and bf16, not ") + dataTypeName(type));
  }
  if (spec.inputType(1) != type) spec.unsupported("the matrix multiply operands have different types");
  c.elementSize = dataTypeSize(type);
  // TF32 only where the user allowed it; fp16 and bf16 accumulate in fp32 either way.
  bool tf32 = spec.plan.has(plan::PlanFlag::kTF32);
  c.computeType = type == DataType::kFLOAT && tf32 ? CUBLAS_COMPUTE_32F_FAST_TF32 : CUBLAS_COMPUTE_32F;
  c.ta = spec.step.attrs.getInt("op0") == static_cast<int64_t>(MatrixOperation::kTRANSPOSE);
  c.tb = spec.step.attrs.getInt("op1") == static_cast<int64_t>(MatrixOperation::kTRANSPOSE);
  c.bias = spec.hasInput(2);
  if (c.bias && spec.inputType(2) != type) spec.unsupported("the fused bias has another type than the operands");
  if (auto post = ops::postActivation(spec.step.attrs)) {
    if (!post->known()) spec.unsupported("unknown fused activation " + std::to_string(static_cast<int>(post->type)));
    if (post->type == ActivationType::kRELU)
      c.relu = true;
    else
      c.after = post;  // cuBLASLt's GELU is the tanh form only: ours applies every type exactly
  }
  c.step = spec.step.name;
  std::optional<MatmulTactic> tactic;
  if (spec.hasTactic()) {
    MatmulTactic decoded;
    size_t bytes = spec.tactic->data.size();
    bool known = bytes == sizeof(decoded) || bytes == sizeof(decoded.algo);  // with its timed size, or without
    if (known) std::memcpy(&decoded, spec.tactic->data.data(), bytes);
    if (!known || decoded.timedSize < 0)
      throw Error(
          ErrorCode::kINVALID_PLAN,
          "tactic '" + spec.tactic->name + "' is not a cuBLASLt algorithm (" + std::to_string(bytes) + " bytes)",
          spec.step.name);
    tactic = decoded;
  }
  return std::make_unique<MatmulKernel>(spec, MatmulBody(std::move(c), tactic));
}

}  // namespace

void registerMatrixKernels(KernelTable& table) { table.add(LayerType::kMATRIX_MULTIPLY, makeMatrixMultiply); }

}  // namespace kiln::cuda
