// Writes the refit tests' model twice, with two sets of weights: write_refit_models A.onnx B.onnx.
#include <fstream>
#include <iostream>

#include "refit_models.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: write_refit_models A.onnx B.onnx\n";
    return 1;
  }
  for (int i = 1; i < 3; ++i) {
    std::ofstream out(argv[i], std::ios::binary);
    out << kiln::test::convBatchNormGemm(i == 1 ? 1 : 100).serialized();
    if (!out) {
      std::cerr << "cannot write " << argv[i] << "\n";
      return 1;
    }
  }
  return 0;
}
