// BuilderFlag::kREFIT: which constants of a network are refittable weights, and under which names.
#pragma once

#include "graph/graph.h"
#include "plan/plan.h"

namespace kiln::builder {

// Gives every floating-point constant with a name its kSOURCE recipe (ops/weight_recipe.h): a tensor named by the
// user or the ONNX importer (an initializer's name) is that name; an unnamed convolution or deconvolution kernel or
// bias is "<layer>:kernel" or "<layer>:bias", as TensorRT names weights by layer and role. Other constants (shape
// values, the importer's own scalars) are fixed.
void markRefittableWeights(graph::Graph& graph);

// The recipes of the plan's constants, flattened into plan.recipe and plan.refitConstants; marks the plan kREFIT.
void lowerRecipes(const graph::Graph& graph, plan::Plan& plan);

}  // namespace kiln::builder
