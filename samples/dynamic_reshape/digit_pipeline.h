// The dynamic_reshape sample's two engines: a preprocessor that resizes a digit of any size in its profile to
// 28x28, writing straight into the input buffer of a prediction engine parsed from the bundled ONNX model with a
// SoftMax appended. On the CUDA backend that buffer lives on the device: the resized digit never visits the host.
#pragma once

#include <array>
#include <memory>
#include <string>

#include "io_buffer.h"
#include "kiln/kiln.h"
#include "kiln/onnx.h"

namespace kiln::samples {

struct PipelineOptions {
  std::string modelPath;        // the bundled mnist.onnx
  std::string backend = "cpu";  // the backend both engines are built for
  bool fp16 = false;
};

class DigitPipeline {
 public:
  // Builds both networks and engines, serializes and deserializes them (as the seed does).
  DigitPipeline(const PipelineOptions& options, Logger& logger);

  // Preprocessor (1x1xHxW -> 1x1x28x28) then prediction; the ten class probabilities.
  std::array<float, 10> classify(const float* image, int64_t height, int64_t width);
  // The prediction engine alone on a 28x28 image.
  std::array<float, 10> classifyDirect(const float* image28);

  const Engine& preprocessor() const { return *preprocessorEngine_; }
  const Engine& predictor() const { return *predictionEngine_; }
  const onnx::ModelInfo& modelInfo() const { return modelInfo_; }

 private:
  std::array<float, 10> predict();

  onnx::ModelInfo modelInfo_;
  std::unique_ptr<Engine> preprocessorEngine_, predictionEngine_;
  std::unique_ptr<ExecutionContext> preprocessorContext_, predictionContext_;
  // Created once the engines exist: they decide whether the buffers live on the device.
  std::unique_ptr<IoBuffer> input_;            // up to the profile's max, 1x1x56x56
  std::unique_ptr<IoBuffer> predictionInput_;  // 1x1x28x28: the preprocessor's output and the predictor's input
  std::unique_ptr<IoBuffer> output_;           // the ten probabilities
};

}  // namespace kiln::samples
