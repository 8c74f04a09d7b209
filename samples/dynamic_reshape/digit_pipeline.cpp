#include "digit_pipeline.h"

#include <cstring>

namespace kiln::samples {

namespace {

std::unique_ptr<Engine> buildAndReload(Builder& builder, NetworkDefinition& network, BuilderConfig& config,
                                       Logger& logger) {
  std::vector<uint8_t> plan = builder.buildSerializedNetwork(network, config);
  return Runtime(logger).deserialize(plan);
}

}  // namespace

DigitPipeline::DigitPipeline(const PipelineOptions& options, Logger& logger) {
  Builder builder(logger);

  // The preprocessor: any 1x1xHxW in the profile, resized (bilinear) to what the model expects.
  auto preprocessor = builder.createNetwork();
  Tensor* input = preprocessor->addInput("input", DataType::kFLOAT, Dims{-1, 1, -1, -1});
  ResizeLayer* resize = preprocessor->addResize(*input);
  resize->setOutputDimensions(Dims{1, 1, 28, 28});
  resize->setResizeMode(ResizeMode::kLINEAR);
  resize->getOutput(0)->setName("resized");
  preprocessor->markOutput(*resize->getOutput(0));
  auto preprocessorConfig = builder.createBuilderConfig();
  preprocessorConfig->setBackend(options.backend);
  if (options.fp16) preprocessorConfig->setFlag(BuilderFlag::kFP16);
  OptimizationProfile* profile = builder.createOptimizationProfile();
  profile->setDimensions("input", OptProfileSelector::kMIN, Dims{1, 1, 1, 1});
  profile->setDimensions("input", OptProfileSelector::kOPT, Dims{1, 1, 28, 28});
  profile->setDimensions("input", OptProfileSelector::kMAX, Dims{1, 1, 56, 56});
  preprocessorConfig->addOptimizationProfile(*profile);
  preprocessorEngine_ = buildAndReload(builder, *preprocessor, *preprocessorConfig, logger);

  // The predictor: the ONNX model with a SoftMax over axis 1 replacing its logits output.
  auto network = builder.createNetwork();
  onnx::Parser parser(*network, logger);
  parser.parseFromFile(options.modelPath);
  modelInfo_ = parser.getModelInfo();
  SoftMaxLayer* softmax = network->addSoftMax(*network->getOutput(0));
  softmax->setAxes(1u << 1);
  network->unmarkOutput(*network->getOutput(0));
  softmax->getOutput(0)->setName("probabilities");
  network->markOutput(*softmax->getOutput(0));
  auto config = builder.createBuilderConfig();
  config->setBackend(options.backend);
  if (options.fp16) config->setFlag(BuilderFlag::kFP16);
  // The model's batch axis is dynamic; the sample classifies one digit at a time.
  OptimizationProfile* one = builder.createOptimizationProfile();
  const char* modelInput = network->getInput(0)->getName();
  for (auto s : {OptProfileSelector::kMIN, OptProfileSelector::kOPT, OptProfileSelector::kMAX})
    one->setDimensions(modelInput, s, Dims{1, 1, 28, 28});
  config->addOptimizationProfile(*one);
  predictionEngine_ = buildAndReload(builder, *network, *config, logger);

  preprocessorContext_ = preprocessorEngine_->createExecutionContext();
  predictionContext_ = predictionEngine_->createExecutionContext();
  input_ = std::make_unique<IoBuffer>("input", 56 * 56 * sizeof(float), *preprocessorEngine_);
  predictionInput_ = std::make_unique<IoBuffer>(modelInput, 28 * 28 * sizeof(float), *predictionEngine_);
  output_ = std::make_unique<IoBuffer>("probabilities", 10 * sizeof(float), *predictionEngine_);
  // The preprocessor writes its output straight into the predictor's input buffer: no copy in between. Both engines
  // are built for one backend, so that buffer is where both expect it.
  preprocessorContext_->setTensorAddress("input", input_->binding()).check();
  preprocessorContext_->setTensorAddress("resized", predictionInput_->binding()).check();
  predictionContext_->setInputShape(modelInput, Dims{1, 1, 28, 28}).check();
  predictionContext_->setTensorAddress(modelInput, predictionInput_->binding()).check();
  predictionContext_->setTensorAddress("probabilities", output_->binding()).check();
}

std::array<float, 10> DigitPipeline::predict() {
  predictionContext_->executeV2().check();
  output_->toHost();
  std::array<float, 10> probabilities;
  std::memcpy(probabilities.data(), output_->host(), sizeof(probabilities));
  return probabilities;
}

std::array<float, 10> DigitPipeline::classify(const float* image, int64_t height, int64_t width) {
  size_t bytes = static_cast<size_t>(height * width) * sizeof(float);
  if (height <= 0 || width <= 0 || bytes > input_->size())
    throw Error(ErrorCode::kSHAPE_OUT_OF_RANGE, "the image is outside the profile's 1x1 .. 56x56", "input");
  std::memcpy(input_->host(), image, bytes);
  input_->toDevice(bytes);
  preprocessorContext_->setInputShape("input", Dims{1, 1, height, width}).check();
  preprocessorContext_->executeV2().check();
  return predict();
}

std::array<float, 10> DigitPipeline::classifyDirect(const float* image28) {
  std::memcpy(predictionInput_->host(), image28, predictionInput_->size());
  predictionInput_->toDevice();
  return predict();
}

}  // namespace kiln::samples
