// The inputs of a run: .npy files, a shape input's values from --shapes, or seeded stand-in data, each shape set on
// the context (and so checked against the plan's profile) before its data is made. Shared by run and compare.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "kiln/kiln.h"
#include "npy.h"

namespace kiln::cli {

// Deterministic stand-in data: floats in [-1, 1], integers in [0, 4), bools alternating.
NpyArray randomInput(DataType type, const Dims& dims, uint32_t seed);

// Every input an option names must be one of the plan's; the error lists the inputs it has.
template <typename Value>
void checkInputNames(const Engine& engine, const std::map<std::string, Value>& named, const std::string& flag) {
  for (const auto& [name, value] : named) {
    if (engine.getTensorIOMode(name.c_str()) == TensorIOMode::kINPUT) continue;
    std::string inputs;
    for (int32_t i = 0; i < engine.getNbIOTensors(); ++i)
      if (engine.getTensorIOMode(engine.getIOTensorName(i)) == TensorIOMode::kINPUT)
        inputs += (inputs.empty() ? "" : ", ") + std::string(engine.getIOTensorName(i));
    throw Error(ErrorCode::kINVALID_ARGUMENT,
                flag + " names an input the plan does not have (its inputs: " + inputs + ")", name);
  }
}

// Sets an input's shape before any memory is allocated for it; a refusal (rank, profile) says where the shape came
// from.
void setInputShape(ExecutionContext& context, const std::string& name, const Dims& dims, const std::string& source);

// The data of IO tensor `index` (an input): its .npy file from `files`, a shape input's values from `shapes`, or
// seeded stand-in values (seed `seed`) at the shape from `shapes` or the plan. The shape is set on the context before
// the data is made. Throws kiln::Error naming the input.
NpyArray inputData(const Engine& engine, ExecutionContext& context, int32_t index,
                   const std::map<std::string, std::string>& files, const std::map<std::string, Dims>& shapes,
                   uint32_t seed);

}  // namespace kiln::cli
