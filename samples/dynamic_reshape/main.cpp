// dynamic_reshape: digit recognition with dynamic shapes (the "sampleDynamicReshape" flow).
// A preprocessor engine with a dynamic input (-1x1x-1x-1) resizes a digit of any size in its profile to 1x1x28x28
// and writes straight into the input buffer of a prediction engine parsed from ONNX with a SoftMax appended.

#include <algorithm>
#include <iomanip>
#include <iostream>

#include "device.h"
#include "digit_pipeline.h"
#include "mnist.h"
#include "sample_options.h"
#include "sample_report.h"

using namespace kiln;

namespace {

std::string dimsText(const Dims& d) {
  std::string s = "(";
  for (int32_t i = 0; i < d.nbDims; ++i) {
    if (i) s += ", ";
    s += std::to_string(d.d[i]);
  }
  s += ')';
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Digit recognition with dynamic shapes: a resize preprocessor engine feeding an ONNX MNIST engine"};
  samples::SampleOptions o;
  samples::addSampleOptions(app, o, "The ONNX digit classifier",
                            samples::SampleOption::kSEED | samples::SampleOption::kFP16);
  bool int8 = false;
  app.add_flag("--int8", int8, "Run in INT8 with calibration");
  CLI11_PARSE(app, argc, argv);

  samples::SampleReport report("kiln.sample_dynamic_reshape", argc, argv);
  try {
    if (int8) throw Error(ErrorCode::kUNSUPPORTED, "INT8 is not yet available in kiln", "--int8");
    ConsoleLogger logger(Severity::kWARNING);
    samples::MnistSet digits = samples::loadMnistTestSet(o.dataDir);
    samples::PipelineOptions options{o.model, samples::chooseBackend(o.device), o.fp16};
    samples::DigitPipeline pipeline(options, logger);
    const auto& info = pipeline.modelInfo();
    std::cout << "----------------------------------------------------------------\n"
              << "Input filename:   " << o.model << "\n"
              << "ONNX IR version:  " << info.irVersion << "\n"
              << "Opset version:    " << info.opset << "\n"
              << "Producer name:    " << info.producerName << "\n"
              << "Producer version: " << info.producerVersion << "\n"
              << "Backend:          " << options.backend << "\n"
              << "----------------------------------------------------------------\n";
    const Engine& pre = pipeline.preprocessor();
    std::cout << "[I] Profile dimensions in preprocessor engine:\n"
              << "[I]     Minimum = " << dimsText(pre.getProfileShape("input", 0, OptProfileSelector::kMIN)) << "\n"
              << "[I]     Optimum = " << dimsText(pre.getProfileShape("input", 0, OptProfileSelector::kOPT)) << "\n"
              << "[I]     Maximum = " << dimsText(pre.getProfileShape("input", 0, OptProfileSelector::kMAX)) << "\n";

    // A held-out digit (the model trained on digits 0-7999), drawn at a random size. Sizes below 16 are inside the
    // profile but leave too few pixels to recognize a digit, so the sample draws from 16..56.
    std::mt19937 rng = samples::seededRng(o.seed);
    int64_t index = samples::pickHeldOutDigit(rng);
    int64_t height = 16 + static_cast<int64_t>(rng() % 41), width = 16 + static_cast<int64_t>(rng() % 41);
    std::vector<float> image = samples::resizeBilinear(digits.image(index), 28, 28, height, width);
    std::cout << "[I] Input: digit " << index << " of the MNIST test set, resized to 1x1x" << height << "x" << width
              << ":\n"
              << samples::renderDigit(image.data(), height, width) << "\n";

    auto probabilities = pipeline.classify(image.data(), height, width);
    return report.finish(samples::checkDigit(digits, index, probabilities));
  } catch (const Error& e) {
    std::cout << "[E] " << e.what() << "\n";
    return report.finish(false);
  }
}
