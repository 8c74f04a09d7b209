// --device cpu|cuda|auto, shared by the samples.
#pragma once

#include <string>

namespace kiln::samples {

// The backend to build for; "auto" picks cuda when available. Throws kiln::Error for cuda without a GPU backend.
std::string chooseBackend(const std::string& device);

}  // namespace kiln::samples
