#include <string>
#include <utility>

#include "backends/common/layout_geometry.h"
#include "builder/passes/fusion_helpers.h"
#include "builder/passes/pass.h"
#include "builder/passes/shuffle_form.h"

namespace kiln::builder {

namespace {

// Moves the swap of the last two axes out of a Shuffle and into the matrix multiply that alone reads it, as a
// transposed operand: Shuffle(perm P) -> MatrixMultiply becomes Shuffle(P with its last two entries swapped) ->
// MatrixMultiply with that operand's op toggled between kNONE and kTRANSPOSE. Only where P brings the input's
// innermost axis to the next-to-last place, so that the Shuffle left keeps the innermost axis (a fast copy of
// contiguous rows: attention's K^T, [0, 2, 3, 1], becomes [0, 2, 1, 3]) or disappears when it is the identity.
class FoldTransposeIntoMatrixMultiply : public Pass {
 public:
  const char* name() const override { return "fold-transpose-into-matrix-multiply"; }
  int32_t apply(graph::Graph& graph) const override {
    int32_t changed = 0;
    for (int32_t l = 0; l < static_cast<int32_t>(graph.layers.size()); ++l) {
      if (graph.layers[l].removed || graph.layers[l].type != LayerType::kMATRIX_MULTIPLY) continue;
      for (int32_t i = 0; i < 2; ++i) changed += foldOperand(graph, l, i);
    }
    return changed;
  }

 private:
  // Folds the transpose of operand `i` of matrix multiply `l`; returns the number of layers changed.
  static int32_t foldOperand(graph::Graph& graph, int32_t l, int32_t i) {
    graph::LayerNode& product = graph.layers[l];
    int32_t operand = product.inputs[i];
    int32_t s = graph.tensors[operand].producer;
    if (s < 0 || graph.layers[s].type != LayerType::kSHUFFLE || soleConsumer(graph, operand) != l) return 0;
    std::string opKey = "op" + std::to_string(i);
    auto op = static_cast<MatrixOperation>(product.attrs.getInt(opKey));
    if (op != MatrixOperation::kNONE && op != MatrixOperation::kTRANSPOSE) return 0;
    auto form = shuffleForm(graph.layers[s]);
    if (!form) return 0;
    // The permutation applied last; a reshape last permutes nothing.
    std::vector<int64_t>* last = !form->second.empty() ? &form->second : (form->reshaped ? nullptr : &form->first);
    if (!last) return 0;
    auto n = static_cast<int64_t>(last->size());
    auto& dims = graph.tensors[operand].dims;
    if (n < 2 || (*last)[n - 2] != n - 1 || static_cast<int64_t>(dims.size()) != n) return 0;
    std::swap((*last)[n - 2], (*last)[n - 1]);
    std::swap(dims[n - 2], dims[n - 1]);
    product.attrs.set(opKey, static_cast<int64_t>(op == MatrixOperation::kNONE ? MatrixOperation::kTRANSPOSE
                                                                               : MatrixOperation::kNONE));
    setShuffleForm(graph.layers[s], *form);
    if (!form->reshaped && backend::isIdentityPermutation(form->first)) {
      product.inputs[i] = graph.layers[s].inputs[0];
      graph.layers[s].removed = true;
    }
    return 1;
  }
};

}  // namespace

std::unique_ptr<Pass> makeFoldTransposeIntoMatrixMultiplyPass() {
  return std::make_unique<FoldTransposeIntoMatrixMultiply>();
}

}  // namespace kiln::builder
