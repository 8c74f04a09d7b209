// A builder pass rewrites the graph in place. Pipelines are plain lists of passes.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "backends/common/backend.h"
#include "graph/graph.h"
#include "kiln/logger.h"

namespace kiln::builder {

using core::ExprId;

class Pass {
 public:
  virtual ~Pass() = default;
  virtual const char* name() const = 0;
  // Returns the number of layers changed or removed, for the build log.
  virtual int32_t apply(graph::Graph& graph) const = 0;
};

// Materializes tensors whose values are known expressions (shape tensors) and detaches value inputs.
std::unique_ptr<Pass> makeFoldShapeValuesPass();
// Evaluates layers whose inputs are all constants, on the host, into new constants.
std::unique_ptr<Pass> makeConstantFoldingPass();
// Removes layers that no network output depends on.
std::unique_ptr<Pass> makeDeadLayerEliminationPass();

// Replaces the exact GELU spelled out in element-wise layers (x * (1 + erf(x / sqrt(2))) * 0.5) by one activation.
std::unique_ptr<Pass> makeRecognizeGeluPass();
// Folds per-channel constant scales and shifts (inference batch normalization) into the preceding convolution.
std::unique_ptr<Pass> makeFoldScaleShiftIntoConvolutionPass();
// Fuses a residual addition (a tensor of the output's shape), and an activation after it, into the preceding
// convolution, where `target` runs the fused step.
std::unique_ptr<Pass> makeFuseConvolutionResidualPass(const backend::Backend& target);
// Fuses an activation into the preceding convolution, where `target` runs the fused step.
std::unique_ptr<Pass> makeFuseConvolutionActivationPass(const backend::Backend& target);
// Fuses a constant bias along the last axis, and an activation after it, into the preceding matrix multiply, where
// `target` runs the fused step.
std::unique_ptr<Pass> makeFuseMatrixMultiplyBiasPass(const backend::Backend& target);
// Fuses a scale by a constant and an additive mask before a softmax over the last axis (attention) into the softmax,
// where `target` runs the fused step.
std::unique_ptr<Pass> makeFuseSoftMaxScaleMaskPass(const backend::Backend& target);
// Fuses the sum of two same-shape tensors (a residual connection) into the layer normalization after it, where
// `target` runs the fused step.
std::unique_ptr<Pass> makeFuseResidualNormalizationPass(const backend::Backend& target);
// Merges consecutive Shuffle layers into one where one Shuffle step (transpose, reshape, transpose) does both exactly.
std::unique_ptr<Pass> makeMergeShufflesPass();
// Moves a Shuffle's swap of the last two axes into the matrix multiply reading it, as a transposed operand, where the
// Shuffle then keeps the innermost axis or disappears.
std::unique_ptr<Pass> makeFoldTransposeIntoMatrixMultiplyPass();

// Runs the fp32 layers that `target` accepts in `low` (fp16 or bf16) in that type, with Casts at the boundaries;
// network inputs and outputs keep their types (BuilderFlag::kFP16 / kBF16).
std::unique_ptr<Pass> makeLowerPrecisionPass(const backend::Backend& target, DataType low);

// Runs 2-D convolutions, and pooling that reads them, channels-last (plan/channels_last.h) where `target` prefers that
// layout for them (Backend::prefersChannelsLast) and its kernels accept it.
std::unique_ptr<Pass> makeChannelsLastPass(const backend::Backend& target);

// The default pipeline for plans of `target`, in order.
std::vector<std::unique_ptr<Pass>> defaultPipeline(const backend::Backend& target);

// Runs the passes, each followed by dead-layer elimination and a structural check of the graph.
void runPipeline(graph::Graph& graph, const std::vector<std::unique_ptr<Pass>>& passes, Logger& logger);

}  // namespace kiln::builder
