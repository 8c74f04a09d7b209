// CPU kernels: slice and gather. Both move elements without looking at them, so any type works.
#include <algorithm>
#include <cstring>

#include "backends/cpu/cpu_kernel.h"
#include "backends/cpu/strided_iteration.h"

namespace kiln::cpu {

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
std::unique_ptr<Kernel> makeSlice(const KernelSpec& spec) {
  auto starts = spec.step.attrs.getExprs("start").ids;
  auto strides = spec.step.attrs.getExprs("stride").ids;
  if (starts.size() != spec.inputRank(0) || strides.size() != spec.inputRank(0))
    spec.unsupported("the slice step lacks its start/stride expressions");
  return makeKernel(spec, [starts, strides, step = spec.step.name](const KernelArgs& a) {
    const TensorArg& in = a.in(0);
    const TensorArg& out = a.out(0);
    if (out.volume() == 0) return;
    int32_t rank = in.shape.nbDims;
    int64_t inStrides[Dims::MAX_DIMS], steps[Dims::MAX_DIMS];
    contiguousStrides(in.shape, inStrides);
    int64_t base = 0;
    for (int32_t i = 0; i < rank; ++i) {
      int64_t start = a.value(starts[i]), stride = a.value(strides[i]);
      // Shape inference asserts this; checked again because a wrong index here would read outside the tensor.
      int64_t last = start + (out.shape.d[i] - 1) * stride;
      if (std::min(start, last) < 0 || std::max(start, last) >= in.shape.d[i])
        failStep(step, "axis " + std::to_string(i) + ": slice reads [" + std::to_string(start) + ", " +
                           std::to_string(last) + "] of a dimension of " + std::to_string(in.shape.d[i]));
      base += start * inStrides[i];
      steps[i] = stride * inStrides[i];
    }
    // The innermost axis is a plain loop (a memcpy when contiguous).
    int64_t rowLength = rank ? out.shape.d[rank - 1] : 1;
    int64_t rowStep = rank ? steps[rank - 1] : 0;
    size_t elementSize = dataTypeSize(in.type);
    dispatchBySize(elementSize, [&](auto tag) {
      using T = decltype(tag);
      const T* src = static_cast<const T*>(in.data) + base;
      T* dst = static_cast<T*>(out.data);
      forEachOffset(std::max(rank - 1, 0), out.shape.d, steps, [&](int64_t offset) {
        if (rowStep == 1) std::memcpy(dst, src + offset, rowLength * sizeof(T));
        else
          for (int64_t j = 0; j < rowLength; ++j) dst[j] = src[offset + j * rowStep];
        dst += rowLength;
      });
    });
  });
}

// ---- Gather -----------------------------------------------------------------------------------------------------

int64_t loadIndex(const TensorArg& indices, int64_t i) {
  return indices.type == DataType::kINT32 ? static_cast<const int32_t*>(indices.data)[i]
                                          : static_cast<const int64_t*>(indices.data)[i];
}

// ONNX Gather: out[o, j, i] = data[o, indices[j], i]; negative indices count from the end of the axis.
std::unique_ptr<Kernel> makeGather(const KernelSpec& spec) {
  auto rank = static_cast<int64_t>(spec.inputRank(0));
  int64_t axis = spec.step.attrs.getInt("axis");
  if (axis < -rank || axis >= rank) spec.unsupported("gather axis " + std::to_string(axis) + " is out of range");
  if (axis < 0) axis += rank;
  DataType indexType = spec.inputType(1);
  if (indexType != DataType::kINT32 && indexType != DataType::kINT64)
    spec.unsupported(std::string("gather indices must be int32 or int64, not ") + dataTypeName(indexType));
  return makeKernel(spec, [axis, step = spec.step.name](const KernelArgs& a) {
    const TensorArg& data = a.in(0);
    const TensorArg& indices = a.in(1);
    int64_t outer = 1, inner = 1, n = data.shape.d[axis];
    for (int32_t i = 0; i < data.shape.nbDims; ++i) {
      if (i < axis) outer *= data.shape.d[i];
      if (i > axis) inner *= data.shape.d[i];
    }
    int64_t count = indices.volume();
    // Every index is checked before anything is written.
    for (int64_t j = 0; j < count; ++j) {
      int64_t k = loadIndex(indices, j);
      if (k < -n || k >= n)
        failStep(step, "index " + std::to_string(k) + " (element " + std::to_string(j) +
                           ") is out of range for axis " + std::to_string(axis) + " of size " + std::to_string(n));
    }
    dispatchBySize(dataTypeSize(data.type), [&](auto tag) {
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
  });
}

}  // namespace

void registerIndexingKernels(KernelTable& table) {
  table.add(LayerType::kSLICE, makeSlice);
  table.add(LayerType::kGATHER, makeGather);
}

}  // namespace kiln::cpu
