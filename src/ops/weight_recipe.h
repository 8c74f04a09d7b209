// How a constant's bytes follow from refittable weights (BuilderFlag::kREFIT). Each builder pass that folds or
// rewrites a constant records what it did as a recipe node; a refit replays the recipe on new weights, so a refit
// plan holds exactly what a plan built from those weights would hold (docs/refit.md).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "kiln/types.h"

namespace kiln::ops {

enum class RecipeOp : uint8_t {
  kSOURCE = 0,            // a refittable weight, by name; bytes: its current value
  kFIXED = 1,             // bytes no weight changes (a folded layer's other inputs)
  kSTEP = 2,              // one layer run by the CPU backend; bytes: its single-step plan, serialized
  kSCALE_WEIGHTS = 3,     // convolution weights times a per-output-channel scale; params: the channel layout
  kSHIFT_BIAS = 4,        // a convolution's bias (input absent: zeros) scaled or shifted; params: operation
  kREDUCE_PRECISION = 5,  // values clamped to the node type's finite range and rounded to it
  kCHANNELS_LAST = 6,     // a K x C x R x S kernel as K x R x S x C, its channels zero-padded to dims[3]
};
constexpr uint8_t kLastRecipeOp = static_cast<uint8_t>(RecipeOp::kCHANNELS_LAST);

// One node of a recipe as the builder holds it: the value it makes is of `type` and `dims`.
struct WeightRecipe {
  RecipeOp op = RecipeOp::kFIXED;
  DataType type = DataType::kFLOAT;
  std::vector<int64_t> dims;
  std::vector<std::shared_ptr<const WeightRecipe>> inputs;  // null: an absent input
  std::string name;
  std::vector<uint8_t> bytes;
  std::vector<int64_t> params;
};

using RecipePtr = std::shared_ptr<const WeightRecipe>;

}  // namespace kiln::ops
