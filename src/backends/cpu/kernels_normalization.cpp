// CPU kernels: normalization (fp32, fp64; with a fused residual input) and local response normalization (fp32,
// fp64).
#include <algorithm>
#include <cmath>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "backends/common/strided_iteration.h"
#include "backends/cpu/cpu_kernel.h"
#include "ops/fused_prologue.h"
#include "ops/normalization.h"

namespace kiln::cpu {

using backend::broadcastStrides;

namespace {

// Calls f(T{}) for fp32 and fp64, and returns its result.
template <typename F>
auto dispatchFloat(const KernelSpec& spec, const char* what, F&& f) {
  DataType type = spec.inputType(0);
  if (type == DataType::kDOUBLE) return f(double{});
  if (type != DataType::kFLOAT)
    spec.unsupported(std::string("the CPU ") + what + " supports fp32 and fp64, not " + dataTypeName(type));
  return f(float{});
}

// ---- Normalization ----------------------------------------------------------------------------------------------

// The input viewed with the channel axis split into [groups, channels / groups] when grouped, so that every
// statistic is taken over the reduced axes of the view. Strides are in elements; a reduced axis has stat stride 0.
struct NormView {
  static constexpr int32_t kMaxRank = Dims::MAX_DIMS + 1;
  int32_t rank = 0;
  int64_t dims[kMaxRank] = {}, stat[kMaxRank] = {}, scale[kMaxRank] = {}, bias[kMaxRank] = {};
  int64_t nbStats = 1, total = 1;

  // Calls f(element, stat, scale, bias offsets) for every element in row-major order.
  template <typename F>
  void forEach(F&& f) const {
    if (total == 0) return;
    int64_t idx[kMaxRank] = {};
    int64_t st = 0, sc = 0, bi = 0;
    int32_t last = rank - 1;
    int64_t inner = rank > 0 ? dims[last] : 1;
    int64_t dSt = rank > 0 ? stat[last] : 0, dSc = rank > 0 ? scale[last] : 0, dBi = rank > 0 ? bias[last] : 0;
    for (int64_t e = 0; e < total; e += inner) {
      for (int64_t j = 0; j < inner; ++j) f(e + j, st + j * dSt, sc + j * dSc, bi + j * dBi);
      for (int32_t d = last - 1; d >= 0; --d) {
        st += stat[d];
        sc += scale[d];
        bi += bias[d];
        if (++idx[d] < dims[d]) break;
        st -= stat[d] * dims[d];
        sc -= scale[d] * dims[d];
        bi -= bias[d] * dims[d];
        idx[d] = 0;
      }
    }
  }
};

class Normalization {
 public:
  Normalization(uint32_t mask, int64_t groups, double epsilon, bool residual, std::string step)
      : mask_(mask), groups_(groups), epsilon_(epsilon), residual_(residual), step_(std::move(step)) {}

  NormView view(const KernelArgs& a) const {
    const Dims& x = a.in(0).shape;
    int64_t scale[Dims::MAX_DIMS], bias[Dims::MAX_DIMS];
    broadcastStrides(a.in(1).shape, x, scale);
    broadcastStrides(a.in(2).shape, x, bias);
    NormView v;
    bool reduced[NormView::kMaxRank] = {};
    auto push = [&](int64_t dim, bool isReduced, int64_t scaleStride, int64_t biasStride) {
      v.dims[v.rank] = dim;
      reduced[v.rank] = isReduced;
      v.scale[v.rank] = scaleStride;
      v.bias[v.rank] = biasStride;
      ++v.rank;
    };
    for (int32_t i = 0; i < x.nbDims; ++i) {
      bool inMask = (mask_ >> i) & 1;
      if (i == 1 && groups_ > 1) {
        // The channels of one group are always normalized together.
        int64_t perGroup = x.d[1] / groups_;
        push(groups_, inMask, scale[1] * perGroup, bias[1] * perGroup);
        push(perGroup, true, scale[1], bias[1]);
      } else {
        push(x.d[i], inMask, scale[i], bias[i]);
      }
    }
    for (int32_t i = v.rank - 1; i >= 0; --i) {
      v.stat[i] = reduced[i] ? 0 : v.nbStats;
      if (!reduced[i]) v.nbStats *= v.dims[i];
      v.total *= v.dims[i];
    }
    return v;
  }

  // Mean and inverse standard deviation of every statistic, in double.
  size_t workspaceBytes(const KernelArgs& a) const { return 2 * static_cast<size_t>(view(a).nbStats) * sizeof(double); }

  template <typename T>
  void run(const KernelArgs& a) const {
    NormView v = view(a);
    if (a.workspaceSize < workspaceBytes(a) || (v.nbStats > 0 && !a.workspace))
      throw Error(ErrorCode::kRUNTIME,
                  "normalization needs " + std::to_string(workspaceBytes(a)) + " bytes of workspace");
    const T* x = static_cast<const T*>(a.in(0).data);
    // The fused residual (plan/fused_prologue.h) is added in T, as the element-wise sum it replaces did.
    const T* residual = nullptr;
    if (residual_) {
      if (!(a.in(ops::kNormalizationResidualInput).shape == a.in(0).shape))
        failStep(step_, "the normalization's residual input must have the shape of its input");
      residual = static_cast<const T*>(a.in(ops::kNormalizationResidualInput).data);
    }
    auto input = [&](int64_t e) { return static_cast<double>(residual ? x[e] + residual[e] : x[e]); };
    const T* scale = static_cast<const T*>(a.in(1).data);
    const T* bias = static_cast<const T*>(a.in(2).data);
    T* y = static_cast<T*>(a.out(0).data);
    auto* mean = static_cast<double*>(a.workspace);
    double* inv = mean + v.nbStats;
    std::fill(mean, mean + 2 * v.nbStats, 0.0);
    // Two passes (mean, then squared deviations) stay accurate where E[x^2] - E[x]^2 would cancel.
    v.forEach([&](int64_t e, int64_t s, int64_t, int64_t) { mean[s] += input(e); });
    double count = v.nbStats > 0 ? static_cast<double>(v.total / v.nbStats) : 1.0;
    for (int64_t s = 0; s < v.nbStats; ++s) mean[s] /= count;
    v.forEach([&](int64_t e, int64_t s, int64_t, int64_t) {
      double d = input(e) - mean[s];
      inv[s] += d * d;
    });
    for (int64_t s = 0; s < v.nbStats; ++s) inv[s] = 1.0 / std::sqrt(inv[s] / count + epsilon_);
    v.forEach([&](int64_t e, int64_t s, int64_t sc, int64_t bi) {
      double normalized = (input(e) - mean[s]) * inv[s];
      y[e] = static_cast<T>(normalized * static_cast<double>(scale[sc]) + static_cast<double>(bias[bi]));
    });
  }

 private:
  uint32_t mask_;
  int64_t groups_;
  double epsilon_;
  bool residual_;  // input 3 is added to x first
  std::string step_;
};

// The type-erased body WorkspaceKernel runs.
template <typename T>
struct NormalizationBody {
  Normalization norm;
  size_t workspaceBytes(const KernelArgs& a) const { return norm.workspaceBytes(a); }
  void operator()(const KernelArgs& a) const { norm.run<T>(a); }
};

std::unique_ptr<Kernel> makeNormalization(const KernelSpec& spec) {
  ops::OpAttrs attrs = spec.step.opAttrs();
  bool residual = spec.hasInput(ops::kNormalizationResidualInput);
  if (residual && (spec.inputType(ops::kNormalizationResidualInput) != spec.inputType(0) ||
                   spec.inputRank(ops::kNormalizationResidualInput) != spec.inputRank(0)))
    spec.unsupported("the normalization's residual input must have the type and rank of its input");
  Normalization norm(static_cast<uint32_t>(attrs.get(ops::Normalization::kAxes)),
                     attrs.get(ops::Normalization::kGroups), attrs.get(ops::Normalization::kEpsilon), residual,
                     spec.step.name);
  return dispatchFloat(spec, "normalization", [&](auto tag) -> std::unique_ptr<Kernel> {
    using T = decltype(tag);
    return std::make_unique<WorkspaceKernel<NormalizationBody<T>>>(spec, NormalizationBody<T>{norm});
  });
}

// ---- LRN --------------------------------------------------------------------------------------------------------

// "square_sum[n, c, d1, ..., dk] = sum(X[n, i, d1, ..., dk] ^ 2), where max(0, c - floor((size - 1) / 2)) <= i <=
// min(C - 1, c + ceil((size - 1) / 2)). Y = X / (bias + alpha / size * square_sum) ^ beta"
struct LRNParams {
  int64_t size = 1;
  double alpha = 1e-4, beta = 0.75, k = 1.0;
};

template <typename T>
void lrn(const KernelArgs& a, const LRNParams& p) {
  const Dims& shape = a.in(0).shape;
  int64_t batch = shape.d[0], channels = shape.d[1];
  int64_t plane = channels > 0 && batch > 0 ? shape.volume() / (batch * channels) : 0;
  int64_t before = (p.size - 1) / 2, after = p.size - 1 - before;
  const T* x = static_cast<const T*>(a.in(0).data);
  T* y = static_cast<T*>(a.out(0).data);
  for (int64_t n = 0; n < batch; ++n)
    for (int64_t c = 0; c < channels; ++c) {
      int64_t lo = std::max<int64_t>(0, c - before), hi = std::min(channels - 1, c + after);
      const T* xc = x + (n * channels + c) * plane;
      T* yc = y + (n * channels + c) * plane;
      for (int64_t i = 0; i < plane; ++i) {
        double sum = 0;
        for (int64_t j = lo; j <= hi; ++j) {
          double v = static_cast<double>(x[(n * channels + j) * plane + i]);
          sum += v * v;
        }
        yc[i] = static_cast<T>(static_cast<double>(xc[i]) /
                               std::pow(p.k + p.alpha / static_cast<double>(p.size) * sum, p.beta));
      }
    }
}

std::unique_ptr<Kernel> makeLRN(const KernelSpec& spec) {
  ops::OpAttrs attrs = spec.step.opAttrs();
  LRNParams p{attrs.get(ops::LRN::kWindow), attrs.get(ops::LRN::kAlpha), attrs.get(ops::LRN::kBeta),
              attrs.get(ops::LRN::kK)};
  if (p.size < 1) spec.unsupported("the LRN window must be >= 1");
  return dispatchFloat(spec, "LRN", [&](auto tag) {
    using T = decltype(tag);
    return makeKernel(spec, [p](const KernelArgs& a) { lrn<T>(a, p); });
  });
}

}  // namespace

void registerNormalizationKernels(KernelTable& table) {
  table.add(LayerType::kNORMALIZATION, makeNormalization);
  table.add(LayerType::kLRN, makeLRN);
}

}  // namespace kiln::cpu
