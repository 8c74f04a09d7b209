// MNIST digits from the idx files (gzip-compressed as distributed), and text rendering of a digit.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace kiln::samples {

struct MnistSet {
  int64_t rows = 28, cols = 28;
  std::vector<float> images;  // count x rows x cols, values in [0, 1]
  std::vector<int32_t> labels;
  int64_t count() const { return static_cast<int64_t>(labels.size()); }
  const float* image(int64_t i) const { return images.data() + i * rows * cols; }
};

// The bundled classifier trained on test-set digits 0-7999; the last 2000 are held out to check it.
constexpr int64_t kFirstHeldOutDigit = 8000;
constexpr int64_t kHeldOutDigits = 2000;

// The samples' generator: seeded with `seed` when it is not negative, else from std::random_device.
std::mt19937 seededRng(int64_t seed);

// The index of a held-out digit drawn from `rng` (one draw, so that samples given one seed pick the same digit).
int64_t pickHeldOutDigit(std::mt19937& rng);

// Reads t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz from `dir`; throws kiln::Error naming the file.
MnistSet loadMnistTestSet(const std::string& dir);

// The digit as characters, '@' for paper and ' ' for ink (as the seed sample prints it), one line per row.
std::string renderDigit(const float* pixels, int64_t rows, int64_t cols);

// Bilinear resize of one grey image (half-pixel centres), used to make inputs of other sizes.
std::vector<float> resizeBilinear(const float* pixels, int64_t rows, int64_t cols, int64_t outRows, int64_t outCols);

}  // namespace kiln::samples
