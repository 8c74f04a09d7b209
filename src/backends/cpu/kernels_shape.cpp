// CPU kernels: shuffle (transpose/reshape/transpose), concatenation, resize.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "backends/cpu/cpu_kernel.h"
#include "backends/cpu/strided_iteration.h"

namespace kiln::cpu {

namespace {

bool isIdentity(const std::vector<int64_t>& perm) {
  for (size_t i = 0; i < perm.size(); ++i)
    if (perm[i] != static_cast<int64_t>(i)) return false;
  return true;
}

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

// Shape of the tensor between the reshape and the second transpose: the output shape un-permuted.
Dims unpermute(const Dims& out, const std::vector<int64_t>& perm) {
  Dims d = out;
  for (size_t i = 0; i < perm.size(); ++i) d.d[perm[i]] = out.d[i];
  return d;
}

class ShuffleKernel : public Kernel {
 public:
  ShuffleKernel(const KernelSpec& spec)
      : name_(spec.step.name),
        first_(spec.step.attrs.getInts("first_perm")),
        second_(spec.step.attrs.getInts("second_perm")) {
    if (isIdentity(first_)) first_.clear();
    if (isIdentity(second_)) second_.clear();
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
      transpose(in, out, unpermute(a.out(0).shape, second_), second_, es);
    } else {
      if (a.workspaceSize < bytes) return Error(ErrorCode::kRUNTIME, "workspace too small", name_);
      auto* mid = static_cast<uint8_t*>(a.workspace);
      transpose(in, mid, a.in(0).shape, first_, es);
      transpose(mid, out, unpermute(a.out(0).shape, second_), second_, es);
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
    const Dims& out = a.out(0).shape;
    int32_t axis = static_cast<int32_t>(axisAttr < 0 ? axisAttr + out.nbDims : axisAttr);
    size_t es = dataTypeSize(a.out(0).type);
    int64_t outer = 1, inner = 1;
    for (int32_t i = 0; i < axis; ++i) outer *= out.d[i];
    for (int32_t i = axis + 1; i < out.nbDims; ++i) inner *= out.d[i];
    size_t outRow = static_cast<size_t>(out.d[axis] * inner) * es;
    size_t offset = 0;
    auto* dst = static_cast<uint8_t*>(a.out(0).data);
    for (int32_t t = 0; t < a.nbInputs; ++t) {
      size_t row = static_cast<size_t>(a.in(t).shape.d[axis] * inner) * es;
      auto* src = static_cast<const uint8_t*>(a.in(t).data);
      for (int64_t o = 0; o < outer; ++o) std::memcpy(dst + o * outRow + offset, src + o * row, row);
      offset += row;
    }
  });
}

// Input coordinate of output coordinate `x` along one axis (ONNX Resize coordinate_transformation_mode).
double sourceCoordinate(ResizeCoordinateTransformation mode, int64_t x, int64_t inLen, int64_t outLen, double scale) {
  switch (mode) {
    case ResizeCoordinateTransformation::kHALF_PIXEL: return (x + 0.5) / scale - 0.5;
    case ResizeCoordinateTransformation::kPYTORCH_HALF_PIXEL: return outLen > 1 ? (x + 0.5) / scale - 0.5 : 0.0;
    case ResizeCoordinateTransformation::kALIGN_CORNERS:
      return outLen > 1 ? static_cast<double>(x) * (inLen - 1) / (outLen - 1) : 0.0;
    case ResizeCoordinateTransformation::kASYMMETRIC: return x / scale;
  }
  return 0.0;
}

int64_t nearestIndex(ResizeRoundMode mode, double c, int64_t inLen) {
  double r;
  switch (mode) {
    case ResizeRoundMode::kHALF_DOWN: r = std::ceil(c - 0.5); break;
    case ResizeRoundMode::kHALF_UP: r = std::floor(c + 0.5); break;
    case ResizeRoundMode::kFLOOR: r = std::floor(c); break;
    case ResizeRoundMode::kCEIL: r = std::ceil(c); break;
    default: r = c;
  }
  return std::clamp<int64_t>(static_cast<int64_t>(r), 0, inLen - 1);
}

// Per output coordinate along one axis: the two source indices and the weight of the second.
struct AxisTap {
  int64_t i0, i1;
  float w1;
};

class ResizeKernel : public Kernel {
 public:
  explicit ResizeKernel(const KernelSpec& spec)
      : mode_(static_cast<ResizeMode>(spec.step.attrs.getInt("mode"))),
        coord_(static_cast<ResizeCoordinateTransformation>(spec.step.attrs.getInt("coord"))),
        round_(static_cast<ResizeRoundMode>(spec.step.attrs.getInt("round"))),
        scales_(spec.step.attrs.getFloats("coordinate_scales")) {
    if (spec.inputType(0) != DataType::kFLOAT) spec.unsupported("resize runs on fp32 on the CPU");
  }
  size_t workspaceSize(const KernelArgs& a) const override {
    int64_t total = 0;
    for (int32_t i = 0; i < a.out(0).shape.nbDims; ++i) total += a.out(0).shape.d[i];
    return static_cast<size_t>(total) * sizeof(AxisTap);
  }
  Status run(const KernelArgs& a) const override {
    const Dims& in = a.in(0).shape;
    const Dims& out = a.out(0).shape;
    if (a.workspaceSize < workspaceSize(a)) return Error(ErrorCode::kRUNTIME, "workspace too small", "resize");
    // Precompute taps per axis; the inner loop then only gathers.
    AxisTap* taps[Dims::MAX_DIMS];
    auto* cursor = static_cast<AxisTap*>(a.workspace);
    for (int32_t d = 0; d < out.nbDims; ++d) {
      taps[d] = cursor;
      double scale = d < static_cast<int32_t>(scales_.size()) ? scales_[d]
                                                              : static_cast<double>(out.d[d]) / static_cast<double>(in.d[d]);
      for (int64_t x = 0; x < out.d[d]; ++x) {
        double c = sourceCoordinate(coord_, x, in.d[d], out.d[d], scale);
        if (mode_ == ResizeMode::kNEAREST) {
          int64_t i = nearestIndex(round_, c, in.d[d]);
          cursor[x] = {i, i, 0.0f};
        } else {
          c = std::clamp(c, 0.0, static_cast<double>(in.d[d] - 1));
          int64_t i0 = static_cast<int64_t>(std::floor(c));
          int64_t i1 = std::min(i0 + 1, in.d[d] - 1);
          cursor[x] = {i0, i1, static_cast<float>(c - i0)};
        }
      }
      cursor += out.d[d];
    }
    int64_t inStrides[Dims::MAX_DIMS];
    contiguousStrides(in, inStrides);
    // Axes whose taps actually blend two sources; the others contribute one index.
    int32_t blendAxes[Dims::MAX_DIMS];
    int32_t nbBlend = 0;
    if (mode_ == ResizeMode::kLINEAR)
      for (int32_t d = 0; d < out.nbDims; ++d)
        if (in.d[d] > 1) blendAxes[nbBlend++] = d;
    const float* src = static_cast<const float*>(a.in(0).data);
    float* dst = static_cast<float*>(a.out(0).data);
    int64_t total = out.volume();
    int64_t idx[Dims::MAX_DIMS] = {};
    for (int64_t o = 0; o < total; ++o) {
      int64_t base = 0;
      for (int32_t d = 0; d < out.nbDims; ++d) base += taps[d][idx[d]].i0 * inStrides[d];
      float value = 0.0f;
      for (int32_t corner = 0; corner < (1 << nbBlend); ++corner) {
        int64_t offset = base;
        float w = 1.0f;
        for (int32_t j = 0; j < nbBlend; ++j) {
          const AxisTap& t = taps[blendAxes[j]][idx[blendAxes[j]]];
          if (corner & (1 << j)) {
            offset += (t.i1 - t.i0) * inStrides[blendAxes[j]];
            w *= t.w1;
          } else {
            w *= 1.0f - t.w1;
          }
        }
        if (w != 0.0f || nbBlend == 0) value += (nbBlend == 0 ? 1.0f : w) * src[offset];
      }
      dst[o] = value;
      for (int32_t d = out.nbDims - 1; d >= 0; --d) {
        if (++idx[d] < out.d[d]) break;
        idx[d] = 0;
      }
    }
    return Status::ok();
  }

 private:
  ResizeMode mode_;
  ResizeCoordinateTransformation coord_;
  ResizeRoundMode round_;
  std::vector<double> scales_;
};

}  // namespace

void registerShapeKernels(KernelTable& table) {
  table.add(LayerType::kSHUFFLE, [](const KernelSpec& s) { return std::make_unique<ShuffleKernel>(s); });
  table.add(LayerType::kCONCATENATION, makeConcatenation);
  table.add(LayerType::kRESIZE, [](const KernelSpec& s) { return std::make_unique<ResizeKernel>(s); });
}

}  // namespace kiln::cpu
