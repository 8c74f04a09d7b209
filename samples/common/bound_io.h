// A context's one float input and one float output in IoBuffers where its engine's IO lives, bound for as long as
// this lives: what the samples with a single input and output share.
#pragma once

#include <array>
#include <vector>

#include "io_buffer.h"
#include "kiln/kiln.h"

namespace kiln::samples {

class BoundIo {
 public:
  // Sets `input`'s shape, copies its values from `values` (to the device where the IO lives) and binds both tensors,
  // the output sized from the shape the context resolves. Throws kiln::Error naming the tensor.
  BoundIo(ExecutionContext& context, const char* input, const Dims& shape, const float* values, const char* output);

  // executeV2 (it waits for the device), then the output's values on the host. Repeating context.executeV2() while
  // this lives reruns on the same buffers (what timing loops do).
  std::vector<float> run();

 private:
  ExecutionContext& context_;
  IoBuffer input_;
  IoBuffer output_;
};

// One 1x1x28x28 digit in, ten values (logits or probabilities) out.
std::array<float, 10> inferDigit(ExecutionContext& context, const char* input, const char* output, const float* pixels);

}  // namespace kiln::samples
