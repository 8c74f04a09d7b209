// Without libFuzzer (a GCC build), each fuzz target is a program that runs its entry point once on every file it is
// given, or on every file in the folders it is given: how ctest replays the kept findings (fuzz/regressions).
// Options starting with '-' (libFuzzer's, such as -runs=0) are ignored, so both builds take the same command.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <set>
#include <vector>

#include "fuzz_support.h"

namespace {

void replay(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), {});
  LLVMFuzzerTestOneInput(bytes.data(), bytes.size());
}

}  // namespace

int main(int argc, char** argv) {
  int replayed = 0;
  for (int i = 1; i < argc; ++i) {
    std::filesystem::path arg = argv[i];
    if (arg.string().starts_with("-")) continue;
    std::set<std::filesystem::path> files;  // sorted: the same order on every machine
    if (std::filesystem::is_directory(arg)) {
      for (const auto& entry : std::filesystem::directory_iterator(arg))
        if (entry.is_regular_file()) files.insert(entry.path());
    } else {
      files.insert(arg);
    }
    for (const auto& file : files) {
      replay(file);
      ++replayed;
    }
  }
  std::cout << "replayed " << replayed << " inputs\n";
  return 0;
}
