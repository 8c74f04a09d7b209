// CPU kernels: shuffle (transpose/reshape/transpose), concatenation.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "backends/common/layout_geometry.h"
#include "backends/common/shuffle_kernel.h"
#include "backends/common/strided_iteration.h"
#include "backends/common/transpose.h"
#include "backends/cpu/cpu_kernel.h"

namespace kiln::cpu {

using backend::transpose;

namespace {

class ShuffleKernel final : public backend::ShuffleKernel {
 public:
  using backend::ShuffleKernel::ShuffleKernel;

 private:
  void copy(const KernelArgs&, const void* in, void* out, size_t bytes) const override {
    if (bytes && in != out) std::memmove(out, in, bytes);
  }
  void transpose(const KernelArgs& a, const void* in, void* out, const Dims& inShape,
                 const std::vector<int64_t>& perm) const override {
    backend::transpose(static_cast<const uint8_t*>(in), static_cast<uint8_t*>(out), inShape, perm,
                       dataTypeSize(a.in(0).type));
  }
};

std::unique_ptr<Kernel> makeConcatenation(const KernelSpec& spec) {
  int64_t axisAttr = spec.step.attrs.getInt("axis");
  return makeKernel(spec, [axisAttr](const KernelArgs& a) {
    auto* dst = static_cast<uint8_t*>(a.out(0).data);
    backend::forEachConcatInput(a, axisAttr, [&](int32_t t, size_t offset, size_t row, size_t outRow, int64_t outer) {
      auto* src = static_cast<const uint8_t*>(a.in(t).data);
      for (int64_t o = 0; o < outer; ++o) std::memcpy(dst + o * outRow + offset, src + o * row, row);
    });
  });
}

}  // namespace

void registerShapeKernels(KernelTable& table) {
  table.add(LayerType::kSHUFFLE, [](const KernelSpec& s) { return std::make_unique<ShuffleKernel>(s); });
  table.add(LayerType::kCONCATENATION, makeConcatenation);
}

}  // namespace kiln::cpu
