#include "mnist.h"

#include <zlib.h>

#include <algorithm>
#include <cmath>

#include "kiln/error.h"

namespace kiln::samples {

namespace {

std::vector<uint8_t> readGzip(const std::string& path) {
  gzFile f = gzopen(path.c_str(), "rb");
  if (!f) throw Error(ErrorCode::kIO, "cannot open (is --datadir right?)", path);
  std::vector<uint8_t> data;
  uint8_t buffer[1 << 16];
  int n;
  while ((n = gzread(f, buffer, sizeof buffer)) > 0) data.insert(data.end(), buffer, buffer + n);
  bool failed = n < 0;
  gzclose(f);
  if (failed) throw Error(ErrorCode::kIO, "corrupt gzip data", path);
  return data;
}

uint32_t bigEndian(const std::vector<uint8_t>& d, size_t at) {
  return (uint32_t{d[at]} << 24) | (uint32_t{d[at + 1]} << 16) | (uint32_t{d[at + 2]} << 8) | d[at + 3];
}

}  // namespace

MnistSet loadMnistTestSet(const std::string& dir) {
  std::string imagesPath = dir + "/t10k-images-idx3-ubyte.gz", labelsPath = dir + "/t10k-labels-idx1-ubyte.gz";
  auto images = readGzip(imagesPath);
  auto labels = readGzip(labelsPath);
  if (images.size() < 16 || bigEndian(images, 0) != 2051)
    throw Error(ErrorCode::kIO, "not an idx3 image file", imagesPath);
  if (labels.size() < 8 || bigEndian(labels, 0) != 2049)
    throw Error(ErrorCode::kIO, "not an idx1 label file", labelsPath);
  MnistSet set;
  int64_t count = bigEndian(images, 4);
  set.rows = bigEndian(images, 8);
  set.cols = bigEndian(images, 12);
  if (static_cast<int64_t>(bigEndian(labels, 4)) != count ||
      images.size() != 16 + static_cast<size_t>(count * set.rows * set.cols) ||
      labels.size() != 8 + static_cast<size_t>(count))
    throw Error(ErrorCode::kIO, "image and label files disagree or are truncated", dir);
  set.images.resize(images.size() - 16);
  std::transform(images.begin() + 16, images.end(), set.images.begin(), [](uint8_t v) { return v / 255.0f; });
  set.labels.assign(labels.begin() + 8, labels.end());
  return set;
}

std::mt19937 seededRng(int64_t seed) {
  return std::mt19937(seed >= 0 ? static_cast<uint32_t>(seed) : std::random_device{}());
}

int64_t pickHeldOutDigit(std::mt19937& rng) {
  return kFirstHeldOutDigit + static_cast<int64_t>(rng() % kHeldOutDigits);
}

std::string renderDigit(const float* pixels, int64_t rows, int64_t cols) {
  // As the seed sample prints a digit: paper '@', ink ' ' (the scale runs light to dark on inverted pixels).
  static const char shades[] = " .:-=+*#%@";
  std::string out;
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t c = 0; c < cols; ++c) {
      float v = std::clamp(pixels[r * cols + c], 0.0f, 1.0f);
      out += shades[static_cast<int>((1.0f - v) * 9.0f + 0.5f)];
    }
    out += '\n';
  }
  return out;
}

std::vector<float> resizeBilinear(const float* pixels, int64_t rows, int64_t cols, int64_t outRows, int64_t outCols) {
  std::vector<float> out(outRows * outCols);
  auto tap = [](int64_t o, int64_t in, int64_t outLen, int64_t& i0, int64_t& i1, float& w) {
    double c = std::clamp((o + 0.5) * in / outLen - 0.5, 0.0, static_cast<double>(in - 1));
    i0 = static_cast<int64_t>(c);
    i1 = std::min(i0 + 1, in - 1);
    w = static_cast<float>(c - i0);
  };
  for (int64_t y = 0; y < outRows; ++y) {
    int64_t y0, y1;
    float wy;
    tap(y, rows, outRows, y0, y1, wy);
    for (int64_t x = 0; x < outCols; ++x) {
      int64_t x0, x1;
      float wx;
      tap(x, cols, outCols, x0, x1, wx);
      float top = pixels[y0 * cols + x0] * (1 - wx) + pixels[y0 * cols + x1] * wx;
      float bottom = pixels[y1 * cols + x0] * (1 - wx) + pixels[y1 * cols + x1] * wx;
      out[y * outCols + x] = top * (1 - wy) + bottom * wy;
    }
  }
  return out;
}

}  // namespace kiln::samples
