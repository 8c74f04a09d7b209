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
  // A shape input's values at min = opt = max where they come from elsewhere than the shape flags (an input file);
  // used only for inputs that turn out to be shape inputs, whose flags give values, not dimensions.
  std::map<std::string, Dims> shapeInputValues;
};

struct BuildRequest {
  std::string onnxPath;
  std::vector<ProfileShapes> profiles;
  bool fp16 = false;
  bool refit = false;  // BuilderFlag::kREFIT
  std::string backend = "cpu";
  std::string saveEngine;       // empty: do not save
  std::string timingCacheFile;  // read when it exists, written after the build; empty: no timing cache
  int32_t avgTiming = -1;       // timed runs per tactic candidate; 0: no timing (defaults); < 0: the builder's default
  // Every tensor an ONNX node makes becomes an output too, after the model's own (polygraphy's `mark all`), so
  // that each can be compared; it keeps fusions across those tensors from firing.
  bool markAllOutputs = false;
  bool quiet = false;  // no progress lines on stdout (the builder's log still goes to the logger)
};

// Imports, builds (printing progress), optionally saves, and returns the plan. Every dynamic input must be
// covered by each profile, and every input the profiles name must be the model's; the error names the input
// otherwise. The paths to write (--saveEngine, --timingCacheFile) are checked before the build.
std::vector<uint8_t> buildFromOnnx(const BuildRequest& request, Logger& logger);

}  // namespace kiln::cli
