// refit: build the MNIST classifier with BuilderFlag::kREFIT, zero one layer's weights (the accuracy on the held-out
// digits falls), refit the trained weights (the accuracy is back), with no rebuild (TensorRT's engine_refit_mnist).
#include <algorithm>
#include <iomanip>
#include <iostream>
#include <map>

#include "bound_io.h"
#include "device.h"
#include "kiln/kiln.h"
#include "kiln/onnx.h"
#include "mnist.h"
#include "sample_options.h"
#include "sample_report.h"

using namespace kiln;

namespace {

// The share of the held-out digits (one batch) whose largest logit is their label.
double accuracy(samples::BoundIo& io, const samples::MnistSet& digits) {
  std::vector<float> logits = io.run();
  int64_t correct = 0;
  for (int64_t i = 0; i < samples::kHeldOutDigits; ++i) {
    auto row = logits.begin() + i * 10;
    auto predicted = std::max_element(row, row + 10) - row;
    correct += predicted == digits.labels[static_cast<size_t>(samples::kFirstHeldOutDigit + i)];
  }
  return static_cast<double>(correct) / static_cast<double>(samples::kHeldOutDigits);
}

// The network's constants (the model's initializers among them) by tensor name.
std::map<std::string, Weights> constantsByName(const NetworkDefinition& network) {
  std::map<std::string, Weights> constants;
  for (int32_t i = 0; i < network.getNbLayers(); ++i)
    if (Layer* layer = network.getLayer(i); layer->getType() == LayerType::kCONSTANT)
      constants.emplace(layer->getOutput(0)->getName(), static_cast<ConstantLayer*>(layer)->getWeights());
  return constants;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Refit the MNIST classifier's weights without a rebuild"};
  samples::SampleOptions o;
  samples::addSampleOptions(app, o, "The ONNX digit classifier", 0);
  CLI11_PARSE(app, argc, argv);
  samples::SampleReport report("kiln.sample_refit", argc, argv);
  try {
    ConsoleLogger logger(Severity::kWARNING);
    Builder builder(logger);
    auto network = builder.createNetwork();
    onnx::Parser parser(*network, logger);
    parser.parseFromFile(o.model);
    const char* input = network->getInput(0)->getName();
    const char* output = network->getOutput(0)->getName();
    BuilderConfig config;
    config.setBackend(samples::chooseBackend(o.device));
    config.setFlag(BuilderFlag::kREFIT);
    OptimizationProfile profile;
    Dims batch{samples::kHeldOutDigits, 1, 28, 28};
    for (auto s : {OptProfileSelector::kMIN, OptProfileSelector::kOPT, OptProfileSelector::kMAX})
      profile.setDimensions(input, s, batch);
    config.addOptimizationProfile(profile);
    auto engine = Runtime(logger).deserialize(builder.buildSerializedNetwork(*network, config));
    auto context = engine->createExecutionContext();
    samples::MnistSet digits = samples::loadMnistTestSet(o.dataDir);
    samples::BoundIo io(*context, input, batch, digits.image(samples::kFirstHeldOutDigit), output);
    std::cout << std::fixed << std::setprecision(4);

    double trained = accuracy(io, digits);
    std::cout << "[I] Built " << o.model << " with kREFIT; accuracy on the " << samples::kHeldOutDigits
              << " held-out digits: " << trained << "\n";

    auto refitter = createRefitter(*engine);
    std::vector<std::string> names = refitter->getAll();
    std::cout << "[I] Refittable weights:";
    for (const auto& name : names) std::cout << " " << name;
    std::cout << "\n";
    // The first convolution's kernel: the first weight of rank 4 in the model's order.
    auto constants = constantsByName(*network);
    std::string zeroed;
    for (int32_t i = 0; i < network->getNbLayers() && zeroed.empty(); ++i) {
      Layer* layer = network->getLayer(i);
      if (layer->getType() == LayerType::kCONVOLUTION) zeroed = layer->getInput(1)->getName();
    }
    if (!constants.count(zeroed)) throw Error(ErrorCode::kINVALID_GRAPH, "no convolution kernel found", o.model);
    const Weights& kernel = constants.at(zeroed);
    std::vector<float> zeros(static_cast<size_t>(kernel.count), 0.0f);
    refitter->setNamedWeights(zeroed.c_str(), Weights{DataType::kFLOAT, zeros.data(), kernel.count});
    refitter->refitEngine();
    double broken = accuracy(io, digits);
    std::cout << "[I] Refit '" << zeroed << "' with zeros: accuracy " << broken << "\n";

    for (const auto& name : names) refitter->setNamedWeights(name.c_str(), constants.at(name));
    refitter->refitEngine();
    double restored = accuracy(io, digits);
    std::cout << "[I] Refit the trained weights (same context, no rebuild): accuracy " << restored << "\n";
    bool ok = broken < trained - 0.5 && restored == trained && trained >= 0.97;
    if (!ok) std::cout << "[E] expected the accuracy to fall with zeros and to come back exactly after the refit\n";
    return report.finish(ok);
  } catch (const Error& e) {
    std::cout << "[E] " << e.what() << "\n";
    return report.finish(false);
  }
}
