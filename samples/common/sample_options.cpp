#include "sample_options.h"

#include <iostream>

#include "sample_report.h"

namespace kiln::samples {

void addSampleOptions(CLI::App& app, SampleOptions& options, const std::string& modelHelp, uint32_t optional) {
  app.add_option("-d,--datadir", options.dataDir, "Folder holding the MNIST idx files (t10k-*.gz)");
  app.add_option("--model", options.model, modelHelp);
  app.add_option("--device", options.device, "cpu, cuda or auto")->check(CLI::IsMember({"cpu", "cuda", "auto"}));
  if (optional & static_cast<uint32_t>(SampleOption::kSEED))
    app.add_option("--seed", options.seed, "Seed of the digit (and size) choice (default: random)");
  if (optional & static_cast<uint32_t>(SampleOption::kFP16)) app.add_flag("--fp16", options.fp16, "Allow fp16 kernels");
}

bool checkDigit(const MnistSet& digits, int64_t index, const std::array<float, 10>& probabilities) {
  printProbabilities(probabilities);
  int predicted = argmax(probabilities);
  bool passed = predicted == digits.labels[index];
  if (!passed) std::cout << "[E] predicted " << predicted << ", the label is " << digits.labels[index] << "\n";
  return passed;
}

}  // namespace kiln::samples
