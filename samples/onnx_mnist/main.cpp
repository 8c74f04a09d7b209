// onnx_mnist: parse the bundled ONNX digit classifier, build an engine, classify one held-out digit, verify.
#include <iostream>

#include "bound_io.h"
#include "device.h"
#include "kiln/kiln.h"
#include "kiln/onnx.h"
#include "mnist.h"
#include "sample_options.h"
#include "sample_report.h"

using namespace kiln;

int main(int argc, char** argv) {
  CLI::App app{"Classify an MNIST digit with a model imported from ONNX"};
  samples::SampleOptions o;
  samples::addSampleOptions(app, o, "The ONNX digit classifier",
                            samples::SampleOption::kSEED | samples::SampleOption::kFP16);
  CLI11_PARSE(app, argc, argv);
  samples::SampleReport report("kiln.sample_onnx_mnist", argc, argv);
  try {
    ConsoleLogger logger(Severity::kWARNING);
    samples::MnistSet digits = samples::loadMnistTestSet(o.dataDir);
    Builder builder(logger);
    auto network = builder.createNetwork();
    onnx::Parser parser(*network, logger);
    parser.parseFromFile(o.model);
    Tensor* input = network->getInput(0);
    std::cout << "[I] Parsed " << o.model << ": input " << input->getName() << " " << toString(input->getDimensions())
              << ", output " << network->getOutput(0)->getName() << " "
              << toString(network->getOutput(0)->getDimensions()) << "\n";
    BuilderConfig config;
    config.setBackend(samples::chooseBackend(o.device));
    if (o.fp16) config.setFlag(BuilderFlag::kFP16);
    OptimizationProfile profile;
    for (auto s : {OptProfileSelector::kMIN, OptProfileSelector::kOPT, OptProfileSelector::kMAX})
      profile.setDimensions(input->getName(), s, Dims{1, 1, 28, 28});
    config.addOptimizationProfile(profile);
    auto engine = Runtime(logger).deserialize(builder.buildSerializedNetwork(*network, config));
    auto context = engine->createExecutionContext();

    std::mt19937 rng = samples::seededRng(o.seed);
    int64_t index = samples::pickHeldOutDigit(rng);
    auto logits =
        samples::inferDigit(*context, input->getName(), network->getOutput(0)->getName(), digits.image(index));
    std::cout << "[I] Input: digit " << index << " of the MNIST test set:\n"
              << samples::renderDigit(digits.image(index), 28, 28);
    return report.finish(samples::checkDigit(digits, index, samples::softmax(logits)));
  } catch (const Error& e) {
    std::cout << "[E] " << e.what() << "\n";
    return report.finish(false);
  }
}
