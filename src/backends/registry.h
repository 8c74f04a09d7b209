// The backends a build or a load can name: the built-in ones (the CPU backend, and the CUDA backend where kiln was
// built with it) and any registered beside them. Above backends/cpu and backends/cuda, so neither sees the other.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "backends/common/backend.h"

namespace kiln::backend {

// Null when no backend has this name.
const Backend* findBackend(const std::string& name);
// Adds a backend beside the built-in ones (before any build or load uses it; not thread-safe). Throws for a name
// that is taken.
void registerBackend(std::unique_ptr<Backend> backend);
std::vector<std::string> backendNames();

}  // namespace kiln::backend
