// Arithmetic on 1-D int64 shape tensors, shared by the shape, indexing and copy importers.
//
// Shapes are never read as numbers here: every target shape, start and size is computed with layers on 1-D int64
// shape tensors (Shape -> Gather -> ElementWise -> Concat). Shape inference turns those into expressions of the input
// dimensions and the builder folds them away, so the same network serves every input shape at no run-time cost.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "onnx/import_context.h"

// Its own namespace: linear_common.h has a rankOf and a reshapeTo of its own.
namespace kiln::onnx::shape_math {

using EW = ElementWiseOperation;

int32_t rankOf(Tensor& x);

std::vector<int64_t> range(int64_t begin, int64_t end);

// Arithmetic on 1-D int64 shape tensors; see the file comment.
class ShapeMath {
 public:
  explicit ShapeMath(ImportContext& ctx) : ctx_(ctx), net_(ctx.network()) {}

  Tensor* shape(Tensor& x) { return net_.addShape(x)->getOutput(0); }
  Tensor* constant(const std::vector<int64_t>& values) { return ctx_.constantInt64(values); }
  // Elements `indices` of the 1-D tensor `v`.
  Tensor* pick(Tensor& v, const std::vector<int64_t>& indices) {
    if (indices.empty()) return constant({});
    return net_.addGather(v, *constant(indices), 0)->getOutput(0);
  }
  Tensor* pick(Tensor& v, int64_t index) { return pick(v, std::vector<int64_t>{index}); }
  Tensor* op(Tensor& a, Tensor& b, EW operation) { return net_.addElementWise(a, b, operation)->getOutput(0); }
  Tensor* op(Tensor& a, int64_t b, EW operation) { return op(a, *constant({b}), operation); }
  Tensor* op(int64_t a, Tensor& b, EW operation) { return op(*constant({a}), b, operation); }
  // Concatenation of 1-D tensors; empty ones are left out.
  Tensor* concat(const std::vector<Tensor*>& parts) {
    std::vector<Tensor*> kept;
    for (Tensor* p : parts)
      if (p->getDimensions().d[0] != 0) kept.push_back(p);
    if (kept.empty()) return constant({});
    if (kept.size() == 1) return kept[0];
    return net_.addConcatenation(kept, 0)->getOutput(0);
  }
  // The product of the elements of the 1-D tensor `v`, as a 1-element tensor.
  Tensor* product(Tensor& v) {
    Tensor* p = constant({1});
    for (int64_t i = 0; i < v.getDimensions().d[0]; ++i) p = op(*p, *pick(v, i), EW::kPROD);
    return p;
  }
  // 1 where v < 0, else 0 (integers): min(max(-v, 0), 1).
  Tensor* isNegative(Tensor& v) { return op(*op(*op(0, v, EW::kSUB), 0, EW::kMAX), 1, EW::kMIN); }
  // 1 where v == 0, else 0 (integers): 1 - min(|v|, 1).
  Tensor* isZero(Tensor& v) { return op(1, *op(*op(v, *op(0, v, EW::kSUB), EW::kMAX), 1, EW::kMIN), EW::kSUB); }
  // a where `condition` (0 or 1) is 1, else b: b + condition * (a - b).
  Tensor* select(Tensor& condition, Tensor& a, Tensor& b) {
    return op(b, *op(condition, *op(a, b, EW::kSUB), EW::kPROD), EW::kSUM);
  }

 private:
  ImportContext& ctx_;
  NetworkDefinition& net_;
};

// x reshaped to the values of the 1-D shape tensor `shape` (0 is a size, not a placeholder), then permuted.

Tensor* reshapeTo(ImportContext& ctx, Tensor& x, Tensor& shape, const std::vector<int32_t>& secondPermutation = {});

// A shape tensor input (values known at build time) cast to int64, or unsupported naming `what`.

Tensor& shapeInput(ImportContext& ctx, const Node& node, int32_t i, const char* what);

// Integers from an input that must be a build-time constant; nullopt when the input is absent.

std::optional<std::vector<int64_t>> constantInput(ImportContext& ctx, const Node& node, int32_t i, const char* what);

// Axes normalized against `rank`; repeated axes are invalid.

std::vector<int32_t> normalizeAxes(ImportContext& ctx, const Node& node, const std::vector<int64_t>& axes,
                                   int32_t rank);

// A slice of x whose start, size and stride are 1-D shape tensors.

Tensor* slice(ImportContext& ctx, Tensor& x, Tensor& start, Tensor& size, Tensor& stride,
              SampleMode mode = SampleMode::kSTRICT_BOUNDS, Tensor* fill = nullptr);

// x[..., start : start + size, ...] on one axis; start and size are 1-element shape tensors.

Tensor* sliceAxis(ImportContext& ctx, ShapeMath& m, Tensor& x, Tensor& shape, int32_t axis, Tensor& start,
                  Tensor& size);

}  // namespace kiln::onnx::shape_math
