#include "runtime/weight_recipes.h"

#include "backends/common/host_step.h"
#include "backends/common/weight_transforms.h"
#include "backends/registry.h"
#include "kiln/error.h"

namespace kiln::runtime {

namespace {

[[noreturn]] void malformed(size_t node, const std::string& what) {
  throw Error(ErrorCode::kINVALID_PLAN, "weight recipe node " + std::to_string(node) + ": " + what, "refit");
}

std::vector<double> floats(const std::vector<uint8_t>& bytes, DataType type, size_t node) {
  auto values = backend::decodeFloats(bytes, type);
  if (!values) malformed(node, std::string("cannot fold values of type ") + dataTypeName(type));
  return *values;
}

// One layer run by the CPU backend: the node's bytes are its single-step plan, its dims all constants.
std::vector<uint8_t> runStep(const plan::RecipeNode& node, const std::vector<const uint8_t*>& inputs, size_t id) {
  plan::Plan mini = plan::deserialize(node.bytes.data(), node.bytes.size());
  if (mini.steps.size() != 1 || mini.steps[0].inputs.size() != inputs.size() || mini.steps[0].outputs.empty())
    malformed(id, "its step does not read its inputs");
  std::vector<int64_t> exprValues;
  for (const auto& e : mini.exprs) {
    if (e.op != core::ExprOp::kCONST) malformed(id, "its step's shapes are not constants");
    exprValues.push_back(e.value);
  }
  return backend::runSingleStep(*backend::findBackend("cpu"), mini, inputs, exprValues.data()).at(0);
}

}  // namespace

int64_t recipeVolume(const plan::RecipeNode& node) {
  int64_t volume = 1;
  for (int64_t d : node.dims) volume *= d;
  return volume;
}

std::vector<std::vector<uint8_t>> evaluateRecipes(const plan::Plan& plan,
                                                  const std::map<std::string, std::vector<uint8_t>>& values) {
  std::vector<std::vector<uint8_t>> results(plan.recipe.size());
  for (size_t i = 0; i < plan.recipe.size(); ++i) {
    const plan::RecipeNode& node = plan.recipe[i];
    auto input = [&](size_t k) -> const std::vector<uint8_t>* {
      if (k >= node.inputs.size() || node.inputs[k] < 0) return nullptr;
      return &results[static_cast<size_t>(node.inputs[k])];
    };
    auto inputType = [&](size_t k) { return plan.recipe[static_cast<size_t>(node.inputs.at(k))].type; };
    auto required = [&](size_t k) -> const std::vector<uint8_t>& {
      if (!input(k)) malformed(i, "an input is missing");
      return *input(k);
    };
    std::vector<uint8_t>& out = results[i];
    switch (node.op) {
      case ops::RecipeOp::kSOURCE: {
        auto it = values.find(node.name);
        out = it != values.end() ? it->second : node.bytes;
        break;
      }
      case ops::RecipeOp::kFIXED: out = node.bytes; break;
      case ops::RecipeOp::kSTEP: {
        std::vector<const uint8_t*> inputs;
        for (size_t k = 0; k < node.inputs.size(); ++k) inputs.push_back(input(k) ? input(k)->data() : nullptr);
        out = runStep(node, inputs, i);
        break;
      }
      case ops::RecipeOp::kSCALE_WEIGHTS: {
        auto layout = backend::ChannelLayout::fromParams(node.params);
        auto k = floats(required(1), inputType(1), i);
        if (k.empty() || (k.size() != 1 && static_cast<int64_t>(k.size()) < layout.channels))
          malformed(i, "the scale has too few values");
        out = backend::encodeFloats(backend::scaleWeights(floats(required(0), inputType(0), i), k, layout), node.type);
        break;
      }
      case ops::RecipeOp::kSHIFT_BIAS: {
        if (node.params.size() != 2 || node.params[1] < 0) malformed(i, "malformed parameters");
        auto k = floats(required(1), inputType(1), i);
        std::optional<std::vector<double>> bias;
        if (input(0)) bias = floats(*input(0), inputType(0), i);
        if (k.empty() || (k.size() != 1 && static_cast<int64_t>(k.size()) < node.params[1]) ||
            (bias && static_cast<int64_t>(bias->size()) < node.params[1]))
          malformed(i, "the bias or shift has too few values");
        out = backend::encodeFloats(
            backend::shiftBias(std::move(bias), k, static_cast<ElementWiseOperation>(node.params[0]), node.params[1]),
            node.type);
        break;
      }
      case ops::RecipeOp::kREDUCE_PRECISION:
        out = backend::reducePrecision(required(0), inputType(0), node.type);
        break;
      case ops::RecipeOp::kCHANNELS_LAST: {
        const auto& from = plan.recipe[static_cast<size_t>(node.inputs.at(0))];
        if (from.dims.size() != 4 || node.dims.size() != 4) malformed(i, "a channels-last kernel must be 4-D");
        out = backend::channelsLastKernel(required(0), from.dims, dataTypeSize(node.type), node.dims[3]);
        break;
      }
    }
    if (out.size() != static_cast<size_t>(recipeVolume(node)) * dataTypeSize(node.type))
      malformed(i, "it made " + std::to_string(out.size()) + " bytes, not the " +
                       std::to_string(static_cast<size_t>(recipeVolume(node)) * dataTypeSize(node.type)) +
                       " its type and dims need");
  }
  return results;
}

}  // namespace kiln::runtime
