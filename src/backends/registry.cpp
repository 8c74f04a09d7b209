#include "backends/registry.h"

#include <map>

#include "kiln/error.h"

namespace kiln::backend {

std::unique_ptr<Backend> makeCpuBackend();
#ifdef KILN_HAVE_CUDA
std::unique_ptr<Backend> makeCudaBackend();
#endif

namespace {

std::map<std::string, std::unique_ptr<Backend>>& registry() {
  static std::map<std::string, std::unique_ptr<Backend>> backends = [] {
    std::map<std::string, std::unique_ptr<Backend>> m;
    auto cpu = makeCpuBackend();
    m.emplace(cpu->name(), std::move(cpu));
#ifdef KILN_HAVE_CUDA
    auto cuda = makeCudaBackend();
    m.emplace(cuda->name(), std::move(cuda));
#endif
    return m;
  }();
  return backends;
}

}  // namespace

const Backend* findBackend(const std::string& name) {
  auto it = registry().find(name);
  return it == registry().end() ? nullptr : it->second.get();
}

void registerBackend(std::unique_ptr<Backend> backend) {
  std::string name = backend->name();
  if (registry().count(name))
    throw Error(ErrorCode::kINVALID_ARGUMENT, "a backend named '" + name + "' is registered already", "backends");
  registry().emplace(name, std::move(backend));
}

std::vector<std::string> backendNames() {
  std::vector<std::string> names;
  for (const auto& [name, backend] : registry()) names.push_back(name);
  return names;
}

}  // namespace kiln::backend
