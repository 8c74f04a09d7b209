// Evaluates a refittable plan's weight recipes (ops/weight_recipe.h) on the host.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "plan/plan.h"

namespace kiln::runtime {

// The bytes of every node of plan.recipe, the sources named in `values` taking those bytes and the others their
// current ones. Throws kiln::Error (kINVALID_PLAN) for a recipe that does not make what it says.
std::vector<std::vector<uint8_t>> evaluateRecipes(const plan::Plan& plan,
                                                  const std::map<std::string, std::vector<uint8_t>>& values);

// The element count of a recipe node's value.
int64_t recipeVolume(const plan::RecipeNode& node);

}  // namespace kiln::runtime
