// Building a plan from an ONNX model with profiles given on the command line (shared by build and run).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "kiln/kiln.h"

namespace kiln::cli {

struct ProfileShapes {
  std::map<std::string, Dims> min, opt, max;
};

struct BuildRequest {
  std::string onnxPath;
  std::vector<ProfileShapes> profiles;
  bool fp16 = false;
  std::string backend = "cpu";
  std::string saveEngine;       // empty: do not save
  std::string timingCacheFile;  // read when it exists, written after the build; empty: no timing cache
  int32_t avgTiming = -1;       // timed runs per tactic candidate; 0: no timing (defaults); < 0: the builder's default
};

// Imports, builds (printing progress), optionally saves, and returns the plan. Every dynamic input must be
// covered by each profile, and every input the profiles name must be the model's; the error names the input
// otherwise. The paths to write (--saveEngine, --timingCacheFile) are checked before the build.
std::vector<uint8_t> buildFromOnnx(const BuildRequest& request, Logger& logger);

}  // namespace kiln::cli
