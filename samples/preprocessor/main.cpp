// The dynamic-shape preprocessor from the "digit recognition with dynamic shapes" sample: an input of any
// height and width (-1x1x-1x-1) resized to the 1x1x28x28 a digit classifier expects. It builds the network with
// the API, builds a plan for one optimization profile (min 1x1x1x1, opt 1x1x28x28, max 1x1x56x56), saves it,
// loads it back, and runs it at two shapes, printing the input and the resized output.
// Usage: kiln_preprocessor_demo [plan path] [cpu|cuda|auto]  (auto, the default, picks cuda when available).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include "bound_io.h"
#include "device.h"
#include "kiln/kiln.h"

namespace {

// A ring, drawn at any resolution, so the two runs show the same picture at different sizes.
std::vector<float> ring(int64_t h, int64_t w) {
  std::vector<float> img(h * w);
  for (int64_t y = 0; y < h; ++y)
    for (int64_t x = 0; x < w; ++x) {
      double dy = (y + 0.5) / h - 0.5, dx = (x + 0.5) / w - 0.5;
      double r = std::sqrt(dx * dx + dy * dy);
      img[y * w + x] = static_cast<float>(std::exp(-std::pow((r - 0.3) / 0.08, 2)));
    }
  return img;
}

void printImage(const std::vector<float>& img, int64_t h, int64_t w) {
  static const char* shades = " .:-=+*#%@";
  for (int64_t y = 0; y < h; ++y) {
    std::string line;
    for (int64_t x = 0; x < w; ++x) {
      int level = static_cast<int>(std::lround(std::clamp(img[y * w + x], 0.0f, 1.0f) * 9));
      line += shades[level];
    }
    std::cout << "    " << line << "\n";
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::string planPath = argc > 1 ? argv[1] : "preprocessor.kiln", device = argc > 2 ? argv[2] : "auto";
  if (device != "cpu" && device != "cuda" && device != "auto") {
    std::cerr << "error: the device is cpu, cuda or auto, not '" << device << "'\n";
    return 1;
  }
  kiln::ConsoleLogger logger(kiln::Severity::kWARNING);
  try {
    kiln::Builder builder(logger);
    auto network = builder.createNetwork();
    kiln::Tensor* input = network->addInput("input", kiln::DataType::kFLOAT, kiln::Dims{-1, 1, -1, -1});
    kiln::ResizeLayer* resize = network->addResize(*input);
    resize->setOutputDimensions(kiln::Dims{1, 1, 28, 28});
    resize->setResizeMode(kiln::ResizeMode::kLINEAR);
    resize->getOutput(0)->setName("resized");
    network->markOutput(*resize->getOutput(0));

    auto config = builder.createBuilderConfig();
    config->setBackend(kiln::samples::chooseBackend(device));
    kiln::OptimizationProfile* profile = builder.createOptimizationProfile();
    profile->setDimensions("input", kiln::OptProfileSelector::kMIN, kiln::Dims{1, 1, 1, 1});
    profile->setDimensions("input", kiln::OptProfileSelector::kOPT, kiln::Dims{1, 1, 28, 28});
    profile->setDimensions("input", kiln::OptProfileSelector::kMAX, kiln::Dims{1, 1, 56, 56});
    config->addOptimizationProfile(*profile);

    std::vector<uint8_t> plan = builder.buildSerializedNetwork(*network, *config);
    std::ofstream(planPath, std::ios::binary)
        .write(reinterpret_cast<const char*>(plan.data()), static_cast<std::streamsize>(plan.size()));
    std::cout << "Built and saved " << planPath << " (" << plan.size() << " bytes)\n";

    std::ifstream file(planPath, std::ios::binary);
    std::vector<uint8_t> loaded((std::istreambuf_iterator<char>(file)), {});
    kiln::Runtime runtime(logger);
    auto engine = runtime.deserialize(loaded);
    std::cout << "Loaded: input " << kiln::toString(engine->getTensorShape("input")) << ", profile min "
              << kiln::toString(engine->getProfileShape("input", 0, kiln::OptProfileSelector::kMIN)) << " opt "
              << kiln::toString(engine->getProfileShape("input", 0, kiln::OptProfileSelector::kOPT)) << " max "
              << kiln::toString(engine->getProfileShape("input", 0, kiln::OptProfileSelector::kMAX)) << "\n";

    auto context = engine->createExecutionContext();
    for (auto [h, w] : {std::pair<int64_t, int64_t>{10, 13}, {56, 56}}) {
      std::vector<float> image = ring(h, w);
      std::vector<float> resized =
          kiln::samples::BoundIo(*context, "input", kiln::Dims{1, 1, h, w}, image.data(), "resized").run();
      std::cout << "\nInput 1x1x" << h << "x" << w << ":\n";
      printImage(image, h, w);
      std::cout << "Output " << kiln::toString(context->getTensorShape("resized")) << ":\n";
      printImage(resized, 28, 28);
    }
    // A shape outside the profile is refused with the range in the message.
    kiln::Status outside = context->setInputShape("input", kiln::Dims{1, 1, 64, 64});
    std::cout << "\n1x1x64x64 -> " << (outside.isOk() ? "accepted (unexpected)" : outside.error().what()) << "\n";
    return outside.isOk() ? 1 : 0;
  } catch (const kiln::Error& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
}
