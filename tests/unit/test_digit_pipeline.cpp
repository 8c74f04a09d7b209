// The dynamic_reshape sample's pipeline over all 2,000 held-out MNIST digits: each digit resized to a random size
// in the preprocessor's profile, resized back by the preprocessor engine, classified by the predictor engine.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "digit_pipeline.h"
#include "mnist.h"

namespace kiln::samples {
namespace {

TEST(DigitPipeline, HeldOutAccuracyThroughRandomSizes) {
  MnistSet digits = loadMnistTestSet(KILN_SAMPLES_DIR "/data/mnist");
  ASSERT_EQ(digits.count(), 10000);
  DigitPipeline pipeline({KILN_SAMPLES_DIR "/models/mnist.onnx", "cpu", false}, nullLogger());
  std::mt19937 rng(2024);
  int64_t correct = 0, sameSizeChecked = 0;
  for (int64_t i = kFirstHeldOutDigit; i < kFirstHeldOutDigit + kHeldOutDigits; ++i) {
    // Sizes the sample draws (16..56 per axis); one digit in eight is kept at 28x28 so that the preprocessor's
    // identity case is checked against the predictor alone on many digits, not only when chance lands there.
    int64_t h = 16 + static_cast<int64_t>(rng() % 41), w = 16 + static_cast<int64_t>(rng() % 41);
    if (i % 8 == 0) h = w = 28;
    std::vector<float> image = resizeBilinear(digits.image(i), 28, 28, h, w);
    auto p = pipeline.classify(image.data(), h, w);
    int predicted = static_cast<int>(std::max_element(p.begin(), p.end()) - p.begin());
    correct += predicted == digits.labels[i];
    if (h == 28 && w == 28) {
      auto direct = pipeline.classifyDirect(digits.image(i));
      for (int c = 0; c < 10; ++c) ASSERT_NEAR(p[c], direct[c], 1e-4f) << "digit " << i << " class " << c;
      ++sameSizeChecked;
    }
  }
  EXPECT_GE(sameSizeChecked, 250);
  double accuracy = static_cast<double>(correct) / static_cast<double>(kHeldOutDigits);
  RecordProperty("accuracy", std::to_string(accuracy));
  EXPECT_GE(accuracy, 0.97) << correct << " / " << kHeldOutDigits << " correct";
}

}  // namespace
}  // namespace kiln::samples
