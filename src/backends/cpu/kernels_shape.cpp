// CPU kernels: shuffle (transpose/reshape/transpose), concatenation.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "backends/cpu/cpu_kernel.h"
#include "backends/cpu/strided_iteration.h"
#include "backends/layout_geometry.h"

namespace kiln::cpu {

namespace {

// out[...] = in[permuted ...] for elements of `elementSize` bytes; `inShape` is the shape before permuting.
void transpose(const uint8_t* in, uint8_t* out, const Dims& inShape, const std::vector<int64_t>& perm, size_t elementSize) {
  int32_t rank = inShape.nbDims;
  int64_t inStrides[Dims::MAX_DIMS], outDims[Dims::MAX_DIMS], srcStride[Dims::MAX_DIMS];
  contiguousStrides(inShape, inStrides);
  for (int32_t i = 0; i < rank; ++i) {
    outDims[i] = inShape.d[perm[i]];
    srcStride[i] = inStrides[perm[i]];
  }
  int64_t o = 0;
  forEachOffset(rank, outDims, srcStride, [&](int64_t src) {
    std::memcpy(out + o * elementSize, in + src * elementSize, elementSize);
    ++o;
  });
}

class ShuffleKernel : public Kernel {
 public:
  ShuffleKernel(const KernelSpec& spec)
      : name_(spec.step.name),
        first_(spec.step.attrs.getInts("first_perm")),
        second_(spec.step.attrs.getInts("second_perm")) {
    if (backend::isIdentityPermutation(first_)) first_.clear();
    if (backend::isIdentityPermutation(second_)) second_.clear();
  }
  size_t workspaceSize(const KernelArgs& a) const override {
    return (!first_.empty() && !second_.empty()) ? a.in(0).volume() * dataTypeSize(a.in(0).type) : 0;
  }
  Status run(const KernelArgs& a) const override {
    size_t es = dataTypeSize(a.in(0).type);
    size_t bytes = a.in(0).volume() * es;
    auto* in = static_cast<const uint8_t*>(a.in(0).data);
    auto* out = static_cast<uint8_t*>(a.out(0).data);
    if (first_.empty() && second_.empty()) {
      if (bytes && in != out) std::memmove(out, in, bytes);
    } else if (second_.empty()) {
      transpose(in, out, a.in(0).shape, first_, es);
    } else if (first_.empty()) {
      transpose(in, out, backend::unpermute(a.out(0).shape, second_), second_, es);
    } else {
      if (a.workspaceSize < bytes) return Error(ErrorCode::kRUNTIME, "workspace too small", name_);
      auto* mid = static_cast<uint8_t*>(a.workspace);
      transpose(in, mid, a.in(0).shape, first_, es);
      transpose(mid, out, backend::unpermute(a.out(0).shape, second_), second_, es);
    }
    return Status::ok();
  }

 private:
  std::string name_;
  std::vector<int64_t> first_, second_;
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
