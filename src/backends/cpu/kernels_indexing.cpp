// CPU kernels: slice and gather. Both move elements without looking at them, so any type works.
#include <algorithm>
#include <cstring>

#include "backends/common/gather_spec.h"
#include "backends/common/slice_sampling.h"
#include "backends/common/strided_iteration.h"
#include "backends/cpu/cpu_kernel.h"
#include "ops/indexing.h"

namespace kiln::cpu {

using backend::forEachOffset;

namespace {

// Calls f(T{}) with an unsigned type of `bytes` bytes: copies move bits, whatever the element type.
template <typename F>
void dispatchBySize(size_t bytes, F&& f) {
  switch (bytes) {
    case 1: f(uint8_t{}); return;
    case 2: f(uint16_t{}); return;
    case 4: f(uint32_t{}); return;
    case 8: f(uint64_t{}); return;
  }
  throw Error(ErrorCode::kUNSUPPORTED, "elements of " + std::to_string(bytes) + " bytes");
}

// ---- Slice ------------------------------------------------------------------------------------------------------

// output[i] = input[start + i * stride] per axis; start and stride are run-time expressions from shape inference.
// Strict bounds walk the input with strides; the other modes map each axis' coordinates through a table first.
class SliceKernel : public Kernel {
 public:
  explicit SliceKernel(const KernelSpec& spec)
      : step_(spec.step.name),
        starts_(spec.step.opAttrs().get(ops::Slice::kDerivedStart)),
        strides_(spec.step.opAttrs().get(ops::Slice::kDerivedStride)),
        mode_(spec.step.opAttrs().get(ops::Slice::kMode)) {
    if (starts_.size() != spec.inputRank(0) || strides_.size() != spec.inputRank(0))
      spec.unsupported("the slice step lacks its start/stride expressions");
    if (mode_ < SampleMode::kSTRICT_BOUNDS || mode_ > SampleMode::kREFLECT) spec.unsupported("unknown sample mode");
  }

  // One table entry per output coordinate of every axis: the input offset read there, or -1 for the fill value.
  size_t workspaceSize(const KernelArgs& a) const override {
    if (mode_ == SampleMode::kSTRICT_BOUNDS) return 0;
    int64_t entries = 0;
    for (int32_t i = 0; i < a.out(0).shape.nbDims; ++i) entries += a.out(0).shape.d[i];
    return static_cast<size_t>(entries) * sizeof(int64_t);
  }

  Status run(const KernelArgs& a) const override {
    try {
      if (a.out(0).volume() == 0) return Status::ok();
      dispatchBySize(dataTypeSize(a.in(0).type), [&](auto tag) {
        if (mode_ == SampleMode::kSTRICT_BOUNDS)
          runStrict<decltype(tag)>(a);
        else
          runMapped<decltype(tag)>(a);
      });
      return Status::ok();
    } catch (const Error& e) {
      return Error(e.code(), e.message(), step_);
    } catch (const std::exception& e) {
      return Error(ErrorCode::kRUNTIME, e.what(), step_);
    }
  }

 private:
  template <typename T>
  void runStrict(const KernelArgs& a) const {
    const TensorArg& in = a.in(0);
    const TensorArg& out = a.out(0);
    int32_t rank = in.shape.nbDims;
    // Zero-filled: newer compilers cannot see that the loop below sets the first `rank` entries it reads.
    int64_t inStrides[Dims::MAX_DIMS], steps[Dims::MAX_DIMS] = {};
    contiguousStrides(in.shape, inStrides);
    int64_t base = 0;
    for (int32_t i = 0; i < rank; ++i) {
      int64_t start = a.value(starts_[i]), stride = a.value(strides_[i]);
      // Shape inference asserts this; checked again because a wrong index here would read outside the tensor.
      int64_t last = start + (out.shape.d[i] - 1) * stride;
      if (std::min(start, last) < 0 || std::max(start, last) >= in.shape.d[i])
        failStep(step_, "axis " + std::to_string(i) + ": slice reads [" + std::to_string(start) + ", " +
                            std::to_string(last) + "] of a dimension of " + std::to_string(in.shape.d[i]));
      base += start * inStrides[i];
      steps[i] = stride * inStrides[i];
    }
    // The innermost axis is a plain loop (a memcpy when contiguous).
    int64_t rowLength = rank ? out.shape.d[rank - 1] : 1;
    int64_t rowStep = rank ? steps[rank - 1] : 0;
    const T* src = static_cast<const T*>(in.data) + base;
    T* dst = static_cast<T*>(out.data);
    forEachOffset(std::max(rank - 1, 0), out.shape.d, steps, [&](int64_t offset) {
      if (rowStep == 1)
        std::memcpy(dst, src + offset, rowLength * sizeof(T));
      else
        for (int64_t j = 0; j < rowLength; ++j) dst[j] = src[offset + j * rowStep];
      dst += rowLength;
    });
  }

  template <typename T>
  void runMapped(const KernelArgs& a) const {
    const TensorArg& in = a.in(0);
    const TensorArg& out = a.out(0);
    int32_t rank = out.shape.nbDims;
    T fill{};
    if (a.hasInput(4)) std::memcpy(&fill, a.in(4).data, sizeof(T));
    const T* src = static_cast<const T*>(in.data);
    T* dst = static_cast<T*>(out.data);
    if (rank == 0) {
      *dst = *src;
      return;
    }
    if (a.workspaceSize < workspaceSize(a)) failStep(step_, "workspace too small");
    int64_t inStrides[Dims::MAX_DIMS];
    contiguousStrides(in.shape, inStrides);
    int64_t* table[Dims::MAX_DIMS];
    auto* next = static_cast<int64_t*>(a.workspace);
    for (int32_t i = 0; i < rank; ++i) {
      int64_t n = in.shape.d[i], start = a.value(starts_[i]), stride = a.value(strides_[i]);
      if (n == 0 && mode_ != SampleMode::kFILL)
        failStep(step_, "axis " + std::to_string(i) + ": cannot sample an empty axis");
      table[i] = next;
      next += out.shape.d[i];
      for (int64_t j = 0; j < out.shape.d[i]; ++j) {
        int64_t c = backend::sampleCoordinate(mode_, start + j * stride, n);
        table[i][j] = c < 0 ? -1 : c * inStrides[i];
      }
    }
    // Odometer over the outer axes; a fill coordinate on any of them fills the whole row.
    int64_t coord[Dims::MAX_DIMS] = {};
    int64_t rowLength = out.shape.d[rank - 1];
    const int64_t* row = table[rank - 1];
    for (int64_t rows = out.volume() / rowLength; rows > 0; --rows) {
      int64_t base = 0;
      bool filled = false;
      for (int32_t i = 0; i + 1 < rank; ++i) {
        filled |= table[i][coord[i]] < 0;
        base += table[i][coord[i]];
      }
      for (int64_t j = 0; j < rowLength; ++j) dst[j] = filled || row[j] < 0 ? fill : src[base + row[j]];
      dst += rowLength;
      for (int32_t i = rank - 2; i >= 0; --i) {
        if (++coord[i] < out.shape.d[i]) break;
        coord[i] = 0;
      }
    }
  }

  std::string step_;
  std::vector<core::ExprId> starts_, strides_;
  SampleMode mode_;
};

// ---- Gather -----------------------------------------------------------------------------------------------------

int64_t loadIndex(const TensorArg& indices, int64_t i) {
  return indices.type == DataType::kINT32 ? static_cast<const int32_t*>(indices.data)[i]
                                          : static_cast<const int64_t*>(indices.data)[i];
}

// Fails the step unless every index lies in [-n, n - 1]; checked before anything is written.
void checkIndex(const std::string& step, int64_t k, int64_t element, int64_t n, int64_t axis) {
  if (k < -n || k >= n)
    failStep(step, "index " + std::to_string(k) + " (element " + std::to_string(element) +
                       ") is out of range for axis " + std::to_string(axis) + " of size " + std::to_string(n));
}

// ONNX Gather: out[o, j, i] = data[o, indices[j], i]; negative indices count from the end of the axis.
void gatherDefault(const std::string& step, const KernelArgs& a, int64_t axis, size_t elementSize) {
  const TensorArg& data = a.in(0);
  const TensorArg& indices = a.in(1);
  int64_t outer = 1, inner = 1, n = data.shape.d[axis];
  for (int32_t i = 0; i < data.shape.nbDims; ++i) {
    if (i < axis) outer *= data.shape.d[i];
    if (i > axis) inner *= data.shape.d[i];
  }
  int64_t count = indices.volume();
  for (int64_t j = 0; j < count; ++j) checkIndex(step, loadIndex(indices, j), j, n, axis);
  dispatchBySize(elementSize, [&](auto tag) {
    using T = decltype(tag);
    const T* src = static_cast<const T*>(data.data);
    T* dst = static_cast<T*>(a.out(0).data);
    for (int64_t o = 0; o < outer; ++o) {
      for (int64_t j = 0; j < count; ++j) {
        int64_t k = loadIndex(indices, j);
        dst = std::copy_n(src + (o * n + (k < 0 ? k + n : k)) * inner, inner, dst);
      }
    }
  });
}

// ONNX GatherElements: out[c] = data[c with c[axis] replaced by indices[c]] over the coordinates c of indices.
void gatherElements(const std::string& step, const KernelArgs& a, int64_t axis, size_t elementSize) {
  const TensorArg& data = a.in(0);
  const TensorArg& indices = a.in(1);
  int32_t rank = data.shape.nbDims;
  int64_t n = data.shape.d[axis], count = indices.volume();
  for (int32_t d = 0; d < rank; ++d)
    if (d != axis && indices.shape.d[d] > data.shape.d[d])
      failStep(step, "indices are larger than data on axis " + std::to_string(d));
  for (int64_t j = 0; j < count; ++j) checkIndex(step, loadIndex(indices, j), j, n, axis);
  // Offsets into data of the indices' coordinates with the gather axis left out; the index adds that axis.
  int64_t strides[Dims::MAX_DIMS], walk[Dims::MAX_DIMS];
  contiguousStrides(data.shape, strides);
  std::copy_n(strides, rank, walk);
  walk[axis] = 0;
  dispatchBySize(elementSize, [&](auto tag) {
    using T = decltype(tag);
    const T* src = static_cast<const T*>(data.data);
    T* dst = static_cast<T*>(a.out(0).data);
    int64_t j = 0;
    forEachOffset(rank, indices.shape.d, walk, [&](int64_t offset) {
      int64_t k = loadIndex(indices, j++);
      *dst++ = src[offset + (k < 0 ? k + n : k) * strides[axis]];
    });
  });
}

// ONNX GatherND: per batch (the first b axes, shared by data and indices), each index tuple of length k picks
// data[batch, tuple..., :], a slice of the trailing axes, copied to the output in tuple order.
void gatherND(const std::string& step, const KernelArgs& a, int32_t b, size_t elementSize) {
  const TensorArg& data = a.in(0);
  const TensorArg& indices = a.in(1);
  int32_t r = data.shape.nbDims, q = indices.shape.nbDims;
  int64_t k = indices.shape.d[q - 1];
  int64_t batches = 1, tuples = 1, slice = 1;
  for (int32_t d = 0; d < b; ++d) batches *= data.shape.d[d];
  for (int32_t d = b; d < q - 1; ++d) tuples *= indices.shape.d[d];
  for (int32_t d = b + static_cast<int32_t>(k); d < r; ++d) slice *= data.shape.d[d];
  int64_t strides[Dims::MAX_DIMS];
  contiguousStrides(data.shape, strides);
  int64_t batchStride = b > 0 ? strides[b - 1] : 0;
  for (int64_t j = 0; j < batches * tuples * k; ++j) {
    int32_t axis = b + static_cast<int32_t>(j % k);
    checkIndex(step, loadIndex(indices, j), j, data.shape.d[axis], axis);
  }
  dispatchBySize(elementSize, [&](auto tag) {
    using T = decltype(tag);
    const T* src = static_cast<const T*>(data.data);
    T* dst = static_cast<T*>(a.out(0).data);
    for (int64_t t = 0; t < batches * tuples; ++t) {
      int64_t offset = (t / tuples) * batchStride;
      for (int64_t i = 0; i < k; ++i) {
        int64_t n = data.shape.d[b + i], v = loadIndex(indices, t * k + i);
        offset += (v < 0 ? v + n : v) * strides[b + i];
      }
      dst = std::copy_n(src + offset, slice, dst);
    }
  });
}

std::unique_ptr<Kernel> makeGather(const KernelSpec& spec) {
  backend::GatherSpec g = backend::readGatherSpec(spec);
  return makeKernel(spec, [mode = g.mode, axis = g.axis, batchDims = g.batchDims, elementSize = g.elementSize,
                           step = spec.step.name](const KernelArgs& a) {
    switch (mode) {
      case GatherMode::kDEFAULT: return gatherDefault(step, a, axis, elementSize);
      case GatherMode::kELEMENT: return gatherElements(step, a, axis, elementSize);
      case GatherMode::kND: return gatherND(step, a, batchDims, elementSize);
    }
  });
}

}  // namespace

void registerIndexingKernels(KernelTable& table) {
  table.add(LayerType::kSLICE, [](const KernelSpec& spec) { return std::make_unique<SliceKernel>(spec); });
  table.add(LayerType::kGATHER, makeGather);
}

}  // namespace kiln::cpu
