#include "device.h"

#include <algorithm>

#include "kiln/kiln.h"

namespace kiln::samples {

std::string chooseBackend(const std::string& device) {
  auto available = availableBackends();
  bool hasCuda = std::find(available.begin(), available.end(), "cuda") != available.end();
  if (device == "auto") return hasCuda ? "cuda" : "cpu";
  if (device == "cuda" && !hasCuda)
    throw Error(ErrorCode::kUNSUPPORTED, "no CUDA backend is available here (no GPU, or built without CUDA)",
                "--device");
  return device;
}

}  // namespace kiln::samples
