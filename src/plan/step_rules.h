// A plan's steps checked against the shape rules the builder ran on them, at concrete shapes.
//
// The builder derived every step's output types and shapes, and the run-time attributes its kernel reads, from the
// step's inputs through the op's shape rule (src/graph/infer_<family>.cpp), which also checks what the kernel needs
// of them (ranks, types, axes, windows that fit). A plan read from a file carries only the results, so the loader and
// each context run the rules again: for the shapes one set of input shapes gives, each step must get from its rule
// exactly the outputs and derived attributes it records.
//
// Defined in src/plan_check, the layer that sees the shape rules; the runtime links it without seeing the IR.
#pragma once

#include <cstdint>
#include <span>

#include "plan/plan.h"

namespace kiln::plan {

// `exprValues` is the shape program evaluated for one set of input shapes (and shape-input values), with every
// tensor dimension non-negative; the plan has passed the reader's index checks and its steps read only tensors
// written before them. Throws kiln::Error (kINVALID_PLAN) naming the first step whose rule refuses its inputs or
// gives other outputs or derived attributes than it records.
void checkStepsAgainstShapeRules(const Plan& plan, std::span<const int64_t> exprValues);

}  // namespace kiln::plan
