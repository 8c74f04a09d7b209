// mnist_api: the bundled digit classifier built layer by layer with the network API, its weights read from the
// ONNX model's initializers; classifies a held-out digit and checks the answer against the label.

#include <iostream>

#include "bound_io.h"
#include "device.h"
#include "kiln/kiln.h"
#include "mnist.h"
#include "onnx_weights.h"
#include "sample_options.h"
#include "sample_report.h"

using namespace kiln;

namespace {

// conv 5x5 (padding 2) -> relu -> max-pool 2x2
Tensor* convBlock(NetworkDefinition& net, Tensor& x, const samples::NamedWeights& w, const samples::NamedWeights& b) {
  ConvolutionLayer* conv = net.addConvolutionNd(x, w.dims.d[0], Dims{5, 5}, w.weights(), b.weights());
  conv->setPaddingNd(Dims{2, 2});
  Tensor* relu = net.addActivation(*conv->getOutput(0), ActivationType::kRELU)->getOutput(0);
  PoolingLayer* pool = net.addPoolingNd(*relu, PoolingType::kMAX, Dims{2, 2});
  pool->setStrideNd(Dims{2, 2});
  return pool->getOutput(0);
}

// x [N, in] times weight [out, in] transposed, plus bias [out].
Tensor* fullyConnected(NetworkDefinition& net, Tensor& x, const samples::NamedWeights& w,
                       const samples::NamedWeights& b) {
  Tensor* weight = net.addConstant(w.dims, w.weights())->getOutput(0);
  Tensor* y = net.addMatrixMultiply(x, MatrixOperation::kNONE, *weight, MatrixOperation::kTRANSPOSE)->getOutput(0);
  Tensor* bias = net.addConstant(Dims{1, b.dims.d[0]}, b.weights())->getOutput(0);
  return net.addElementWise(*y, *bias, ElementWiseOperation::kSUM)->getOutput(0);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Classify an MNIST digit with the classifier built layer by layer through the API"};
  samples::SampleOptions o;
  samples::addSampleOptions(app, o, "ONNX model to take the weights from", samples::SampleOption::kSEED);
  CLI11_PARSE(app, argc, argv);
  samples::SampleReport report("kiln.sample_mnist_api", argc, argv);
  try {
    ConsoleLogger logger(Severity::kWARNING);
    samples::MnistSet digits = samples::loadMnistTestSet(o.dataDir);
    auto w = samples::loadOnnxInitializers(o.model);
    Builder builder(logger);
    auto net = builder.createNetwork();
    Tensor* input = net->addInput("input", DataType::kFLOAT, Dims{-1, 1, 28, 28});
    Tensor* x = convBlock(*net, *input, w.at("conv1.weight"), w.at("conv1.bias"));
    x = convBlock(*net, *x, w.at("conv2.weight"), w.at("conv2.bias"));
    ShuffleLayer* flatten = net->addShuffle(*x);
    flatten->setReshapeDimensions(Dims{0, -1});
    x = fullyConnected(*net, *flatten->getOutput(0), w.at("fc1.weight"), w.at("fc1.bias"));
    x = net->addActivation(*x, ActivationType::kRELU)->getOutput(0);
    x = fullyConnected(*net, *x, w.at("fc2.weight"), w.at("fc2.bias"));
    SoftMaxLayer* softmax = net->addSoftMax(*x);
    softmax->setAxes(1u << 1);
    softmax->getOutput(0)->setName("probabilities");
    net->markOutput(*softmax->getOutput(0));
    std::cout << "[I] Built " << net->getNbLayers() << " layers; output "
              << toString(softmax->getOutput(0)->getDimensions()) << "\n";

    BuilderConfig config;
    config.setBackend(samples::chooseBackend(o.device));
    config.addOptimizationProfile([] {
      OptimizationProfile p;
      for (auto s : {OptProfileSelector::kMIN, OptProfileSelector::kOPT, OptProfileSelector::kMAX})
        p.setDimensions("input", s, Dims{1, 1, 28, 28});
      return p;
    }());
    auto engine = Runtime(logger).deserialize(builder.buildSerializedNetwork(*net, config));
    auto context = engine->createExecutionContext();
    std::mt19937 rng = samples::seededRng(o.seed);
    int64_t index = samples::pickHeldOutDigit(rng);
    auto probabilities = samples::inferDigit(*context, "input", "probabilities", digits.image(index));
    std::cout << "[I] Input: digit " << index << " of the MNIST test set:\n"
              << samples::renderDigit(digits.image(index), 28, 28);
    return report.finish(samples::checkDigit(digits, index, probabilities));
  } catch (const Error& e) {
    std::cout << "[E] " << e.what() << "\n";
    return report.finish(false);
  } catch (const std::out_of_range&) {
    std::cout << "[E] the model lacks an expected initializer (conv1/conv2/fc1/fc2 weight and bias)\n";
    return report.finish(false);
  }
}
