#include "sample_report.h"

#include <algorithm>
#include <cmath>
#include <iomanip>

namespace kiln::samples {

SampleReport::SampleReport(std::string name, int argc, char** argv) : name_(std::move(name)) {
  for (int i = 0; i < argc; ++i) {
    if (i) command_ += ' ';
    command_ += argv[i];
  }
  std::cout << "&&&& RUNNING " << name_ << " # " << command_ << "\n";
}

int SampleReport::finish(bool passed) const {
  std::cout << "&&&& " << (passed ? "PASSED " : "FAILED ") << name_ << " # " << command_ << std::endl;
  return passed ? 0 : 1;
}

void printProbabilities(const std::array<float, 10>& p) {
  std::cout << "[I] Output:\n";
  for (int c = 0; c < 10; ++c)
    std::cout << "[I]  Prob " << c << "  " << std::fixed << std::setprecision(4) << p[c] << " Class " << c << ": "
              << std::string(static_cast<size_t>(std::lround(p[c] * 10)), '*') << "\n";
}

int argmax(const std::array<float, 10>& values) {
  return static_cast<int>(std::max_element(values.begin(), values.end()) - values.begin());
}

std::array<float, 10> softmax(const std::array<float, 10>& logits) {
  double top = *std::max_element(logits.begin(), logits.end()), sum = 0;
  std::array<double, 10> e;
  for (int c = 0; c < 10; ++c) sum += e[c] = std::exp(logits[c] - top);
  std::array<float, 10> p;
  for (int c = 0; c < 10; ++c) p[c] = static_cast<float>(e[c] / sum);
  return p;
}

}  // namespace kiln::samples
