// What the fuzz targets share: running a loaded engine once, and the bounds that keep one input fast.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kiln/kiln.h"

namespace kiln::fuzz {

// Inputs that would only make a run slow, not find a fault, are skipped: engines needing more activation memory
// than this, inputs of more elements.
constexpr uint64_t kMaxActivationBytes = 256ull << 20;
constexpr int64_t kMaxInputElements = 1 << 20;

// Runs `engine` once on a fresh context at profile 0's min shapes (and min shape values), inputs filled with a
// fixed pattern. A kiln::Error is an accepted outcome (the engine refused something); any other exception, a crash
// or a sanitizer report is a finding.
void runAtMinShapes(const Engine& engine);

}  // namespace kiln::fuzz

// libFuzzer's entry point, defined by each target.
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
