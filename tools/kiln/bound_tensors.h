// A context's inputs and outputs in buffers where its plan reads and writes them (device memory for a GPU plan,
// except shape inputs, which every backend reads on the host). Shared by run and compare.
#pragma once

#include <map>
#include <string>

#include "io_buffer.h"
#include "kiln/kiln.h"
#include "npy.h"

namespace kiln::cli {

struct BoundTensor {
  DataType type;
  Dims dims;
  samples::IoBuffer buffer;

  // The tensor's values on the host (copied back from the device first where they live there).
  NpyArray toArray();
};

// `array` copied where the plan reads input `name` and bound to the context; the input's shape must be set already.
BoundTensor bindInput(const Engine& engine, ExecutionContext& context, const std::string& name, const NpyArray& array);

// Resolves the output shapes (every input bound) and binds a buffer of the resolved size to each output. Throws
// kiln::Error naming an output whose shape is not known before the run.
std::map<std::string, BoundTensor> bindOutputs(const Engine& engine, ExecutionContext& context);

}  // namespace kiln::cli
