// The command line the samples share: where the digits and the model are, which device, the seed of the digit
// choice and fp16, each sample adding its own options beside them.
#pragma once

#include <CLI/CLI.hpp>
#include <array>
#include <cstdint>
#include <string>

#include "mnist.h"

namespace kiln::samples {

struct SampleOptions {
  std::string dataDir = KILN_SAMPLES_DIR "/data/mnist";
  std::string model = KILN_SAMPLES_DIR "/models/mnist.onnx";
  std::string device = "auto";
  int64_t seed = -1;  // negative: a random digit
  bool fp16 = false;
};

// Which of the optional shared options a sample offers.
enum class SampleOption : uint32_t { kSEED = 1, kFP16 = 2 };
constexpr uint32_t operator|(SampleOption a, SampleOption b) {
  return static_cast<uint32_t>(a) | static_cast<uint32_t>(b);
}

// Adds -d/--datadir, --model (described by `modelHelp`), --device and, as `optional` asks (SampleOption bits),
// --seed and --fp16 to `app`, writing into `options`.
void addSampleOptions(CLI::App& app, SampleOptions& options, const std::string& modelHelp, uint32_t optional = 0);
inline void addSampleOptions(CLI::App& app, SampleOptions& options, const std::string& modelHelp,
                             SampleOption optional) {
  addSampleOptions(app, options, modelHelp, static_cast<uint32_t>(optional));
}

// Prints the classified digit's probabilities and checks the most probable class against the digit's label: true
// when they agree (an error line otherwise).
bool checkDigit(const MnistSet& digits, int64_t index, const std::array<float, 10>& probabilities);

}  // namespace kiln::samples
