// onnx_mnist: parse the bundled ONNX digit classifier, build an engine, classify one held-out digit, verify.
#include <CLI/CLI.hpp>

#include <iostream>

#include "bound_io.h"
#include "device.h"
#include "kiln/kiln.h"
#include "kiln/onnx.h"
#include "mnist.h"
#include "sample_report.h"

using namespace kiln;

int main(int argc, char** argv) {
  CLI::App app{"Classify an MNIST digit with a model imported from ONNX"};
  std::string dataDir = KILN_SAMPLES_DIR "/data/mnist", model = KILN_SAMPLES_DIR "/models/mnist.onnx", device = "auto";
  bool fp16 = false;
  int64_t seed = -1;
  app.add_option("-d,--datadir", dataDir, "Folder holding the MNIST idx files (t10k-*.gz)");
  app.add_option("--model", model, "The ONNX digit classifier");
  app.add_flag("--fp16", fp16, "Allow fp16 kernels");
  app.add_option("--device", device, "cpu, cuda or auto")->check(CLI::IsMember({"cpu", "cuda", "auto"}));
  app.add_option("--seed", seed, "Seed for the digit choice (default: random)");
  CLI11_PARSE(app, argc, argv);
  samples::SampleReport report("kiln.sample_onnx_mnist", argc, argv);
  try {
    ConsoleLogger logger(Severity::kWARNING);
    samples::MnistSet digits = samples::loadMnistTestSet(dataDir);
    Builder builder(logger);
    auto network = builder.createNetwork();
    onnx::Parser parser(*network, logger);
    parser.parseFromFile(model);
    Tensor* input = network->getInput(0);
    std::cout << "[I] Parsed " << model << ": input " << input->getName() << " " << toString(input->getDimensions())
              << ", output " << network->getOutput(0)->getName() << " "
              << toString(network->getOutput(0)->getDimensions()) << "\n";
    BuilderConfig config;
    config.setBackend(samples::chooseBackend(device));
    if (fp16) config.setFlag(BuilderFlag::kFP16);
    OptimizationProfile profile;
    for (auto s : {OptProfileSelector::kMIN, OptProfileSelector::kOPT, OptProfileSelector::kMAX})
      profile.setDimensions(input->getName(), s, Dims{1, 1, 28, 28});
    config.addOptimizationProfile(profile);
    auto engine = Runtime(logger).deserialize(builder.buildSerializedNetwork(*network, config));
    auto context = engine->createExecutionContext();

    std::mt19937 rng = samples::seededRng(seed);
    int64_t index = samples::pickHeldOutDigit(rng);
    auto logits =
        samples::inferDigit(*context, input->getName(), network->getOutput(0)->getName(), digits.image(index));
    std::cout << "[I] Input: digit " << index << " of the MNIST test set:\n"
              << samples::renderDigit(digits.image(index), 28, 28);
    auto probabilities = samples::softmax(logits);
    samples::printProbabilities(probabilities);
    int predicted = samples::argmax(probabilities);
    bool passed = predicted == digits.labels[index];
    if (!passed) std::cout << "[E] predicted " << predicted << ", the label is " << digits.labels[index] << "\n";
    return report.finish(passed);
  } catch (const Error& e) {
    std::cout << "[E] " << e.what() << "\n";
    return report.finish(false);
  }
}
