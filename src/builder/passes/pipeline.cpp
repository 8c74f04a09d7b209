#include <string>

#include "builder/passes/pass.h"
#include "kiln/error.h"

namespace kiln::builder {

std::vector<std::unique_ptr<Pass>> defaultPipeline(const backend::Backend& target) {
  std::vector<std::unique_ptr<Pass>> passes;
  passes.push_back(makeDeadLayerEliminationPass());
  passes.push_back(makeFoldShapeValuesPass());
  passes.push_back(makeConstantFoldingPass());
  // Fusions match constants, so they come after folding; scales and shifts first, so the activation that follows
  // a folded batch normalization reads the convolution directly.
  passes.push_back(makeRecognizeGeluPass());  // before the matrix multiply fusion, which can then take it
  passes.push_back(makeFoldScaleShiftIntoConvolutionPass());
  passes.push_back(makeFuseConvolutionResidualPass(target));
  passes.push_back(makeFuseConvolutionActivationPass(target));
  passes.push_back(makeFuseMatrixMultiplyBiasPass(target));
  passes.push_back(makeFuseSoftMaxScaleMaskPass(target));
  passes.push_back(makeFuseResidualNormalizationPass(target));
  // Merged Shuffles first: a merge can bring a transpose next to the matrix multiply that takes it.
  passes.push_back(makeMergeShufflesPass());
  passes.push_back(makeFoldTransposeIntoMatrixMultiplyPass());
  return passes;
}

namespace {

// Every live layer must read only tensors produced earlier by live layers, network inputs or nothing.
void verifyGraph(const graph::Graph& graph, const char* afterPass) {
  std::vector<char> available(graph.tensors.size(), 0);
  for (int32_t t : graph.inputs) available[t] = 1;
  for (const auto& layer : graph.layers) {
    if (layer.removed) continue;
    for (int32_t in : layer.inputs)
      if (in >= 0 && !available[in])
        throw Error(ErrorCode::kINVALID_GRAPH,
                    std::string("internal error: after pass '") + afterPass + "' the layer reads '" +
                        graph.tensors[in].name + "' before it is produced",
                    layer.name);
    for (int32_t out : layer.outputs) available[out] = 1;
  }
  for (int32_t t : graph.outputs)
    if (!available[t])
      throw Error(ErrorCode::kINVALID_GRAPH,
                  std::string("internal error: after pass '") + afterPass + "' no layer produces the output",
                  graph.tensors[t].name);
}

}  // namespace

void runPipeline(graph::Graph& graph, const std::vector<std::unique_ptr<Pass>>& passes, Logger& logger) {
  auto dce = makeDeadLayerEliminationPass();
  for (const auto& pass : passes) {
    int32_t changed = pass->apply(graph);
    int32_t removed = dce->apply(graph);
    verifyGraph(graph, pass->name());
    logger.log(Severity::kVERBOSE, std::string("pass ") + pass->name() + ": " + std::to_string(changed) +
                                       " layers changed, " + std::to_string(removed) + " dead layers removed");
  }
}

}  // namespace kiln::builder
