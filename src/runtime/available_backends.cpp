// availableBackends: the registered backends that can run on this machine now.
#include "backends/registry.h"
#include "kiln/runtime.h"

namespace kiln {

std::vector<std::string> availableBackends() {
  std::vector<std::string> names;
  for (const auto& name : backend::backendNames())
    if (backend::findBackend(name)->available(nullptr)) names.push_back(name);
  return names;
}

}  // namespace kiln
