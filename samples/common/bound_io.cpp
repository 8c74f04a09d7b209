#include "bound_io.h"

#include <algorithm>

namespace kiln::samples {

namespace {

size_t floatBytes(const Dims& dims, const char* name) {
  if (dims.nbDims < 0) throw Error(ErrorCode::kINVALID_STATE, "the shape is unresolved", name);
  return static_cast<size_t>(dims.volume()) * sizeof(float);
}

// The output's buffer, sized once the input shape is set (the IoBuffer members are built in order).
IoBuffer outputBuffer(ExecutionContext& context, const char* input, const Dims& shape, const char* output) {
  context.setInputShape(input, shape).check();
  return IoBuffer(output, floatBytes(context.getTensorShape(output), output), context.getEngine());
}

}  // namespace

BoundIo::BoundIo(ExecutionContext& context, const char* input, const Dims& shape, const float* values,
                 const char* output)
    : context_(context),
      input_(input, floatBytes(shape, input), context.getEngine()),
      output_(outputBuffer(context, input, shape, output)) {
  std::copy(values, values + input_.size() / sizeof(float), input_.hostAs<float>());
  input_.toDevice();
  context_.setTensorAddress(input, input_.binding()).check();
  context_.setTensorAddress(output, output_.binding()).check();
}

std::vector<float> BoundIo::run() {
  context_.executeV2().check();
  output_.toHost();
  return std::vector<float>(output_.hostAs<float>(), output_.hostAs<float>() + output_.size() / sizeof(float));
}

std::array<float, 10> inferDigit(ExecutionContext& context, const char* input, const char* output,
                                 const float* pixels) {
  std::vector<float> values = BoundIo(context, input, Dims{1, 1, 28, 28}, pixels, output).run();
  if (values.size() != 10)
    throw Error(ErrorCode::kINVALID_ARGUMENT,
                "a digit classifier has ten outputs, this has " + std::to_string(values.size()), output);
  std::array<float, 10> result;
  std::copy(values.begin(), values.end(), result.begin());
  return result;
}

}  // namespace kiln::samples
