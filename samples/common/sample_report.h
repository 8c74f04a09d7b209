// What every sample prints: the RUNNING / PASSED / FAILED lines and a digit's class probabilities with bars.
#pragma once

#include <array>
#include <iostream>
#include <string>

namespace kiln::samples {

class SampleReport {
 public:
  SampleReport(std::string name, int argc, char** argv);
  // Prints "&&&& PASSED|FAILED <name> # <command line>" and returns the process exit code.
  int finish(bool passed) const;

 private:
  std::string name_, command_;
};

void printProbabilities(const std::array<float, 10>& probabilities);
int argmax(const std::array<float, 10>& values);
// Softmax of ten logits, in double for the reference comparisons the tests make.
std::array<float, 10> softmax(const std::array<float, 10>& logits);

}  // namespace kiln::samples
