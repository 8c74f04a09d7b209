// An einsum step as nested loops over its labels, planned the same way by every backend's kernel.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "backends/common/backend.h"
#include "ops/matrix.h"

namespace kiln::backend {

// The loops of one run: the output's labels first (in output order, so that output element o is the row-major index
// over them), then the summed labels (those not in the output). strides[k * nbLoops() + j] is operand k's element step
// along loop j: repeated labels add up (a diagonal), and an axis of size 1 that broadcasts (ellipsis axes) steps 0.
// Every output element sums, over the summed loops, the product of the operands at those coordinates.
struct EinsumLoops {
  int64_t nbOutput = 0;
  std::vector<int64_t> extent;   // per loop
  std::vector<int64_t> strides;  // per operand, then per loop
  int64_t nbLoops() const { return static_cast<int64_t>(extent.size()); }
};

// Operand and output axes carry label ids, which shape inference derives (infer_normalization.cpp): kLabels holds
// every operand's axis labels and then the output's, kRanks their ranks.
class EinsumEquation {
 public:
  explicit EinsumEquation(const KernelSpec& spec)
      : labels_(spec.step.opAttrs().get(ops::Einsum::kLabels)), ranks_(spec.step.opAttrs().get(ops::Einsum::kRanks)) {}

  int64_t nbOperands() const { return static_cast<int64_t>(ranks_.size()) - 1; }

  // The number of distinct labels: the loops of every run.
  int64_t nbLoops() const {
    std::vector<int64_t> distinct = labels_;
    std::sort(distinct.begin(), distinct.end());
    return std::unique(distinct.begin(), distinct.end()) - distinct.begin();
  }

  EinsumLoops loops(const KernelArgs& a) const {
    auto nbOperands = static_cast<size_t>(a.nbInputs);
    // Label sizes: an operand axis of size 1 broadcasts (ellipsis axes) unless every operand has 1 there.
    int64_t maxLabel = labels_.empty() ? -1 : *std::max_element(labels_.begin(), labels_.end());
    std::vector<int64_t> size(static_cast<size_t>(maxLabel + 1), 0);
    std::vector<bool> inOutput(size.size(), false), used(size.size(), false);
    size_t at = 0;
    for (size_t k = 0; k < nbOperands; ++k)
      for (int64_t i = 0; i < ranks_[k]; ++i, ++at) {
        int64_t l = labels_[at], d = a.in(static_cast<int32_t>(k)).shape.d[i];
        size[l] = size[l] == 0 || size[l] == 1 ? d : size[l];
        used[l] = true;
      }
    size_t outStart = at;
    for (size_t i = at; i < labels_.size(); ++i) inOutput[labels_[i]] = true;
    std::vector<int64_t> order(labels_.begin() + static_cast<std::ptrdiff_t>(outStart), labels_.end());
    EinsumLoops loops;
    loops.nbOutput = static_cast<int64_t>(order.size());
    for (size_t l = 0; l < size.size(); ++l)
      if (used[l] && !inOutput[l]) order.push_back(static_cast<int64_t>(l));
    for (int64_t l : order) loops.extent.push_back(size[l]);
    loops.strides.assign(nbOperands * order.size(), 0);
    at = 0;
    for (size_t k = 0; k < nbOperands; ++k) {
      const Dims& shape = a.in(static_cast<int32_t>(k)).shape;
      int64_t contiguous = 1;  // the element stride of axis i, walking from the last axis
      size_t first = at;
      at += static_cast<size_t>(ranks_[k]);
      for (int64_t i = ranks_[k] - 1; i >= 0; --i) {
        int64_t l = labels_[first + static_cast<size_t>(i)];
        if (!(shape.d[i] == 1 && size[l] != 1)) {  // not a broadcast axis
          auto j = std::find(order.begin(), order.end(), l) - order.begin();
          loops.strides[k * order.size() + static_cast<size_t>(j)] += contiguous;
        }
        contiguous *= shape.d[i];
      }
    }
    return loops;
  }

 private:
  std::vector<int64_t> labels_, ranks_;
};

}  // namespace kiln::backend
