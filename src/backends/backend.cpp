#include "backends/backend.h"

#include <algorithm>
#include <map>

#include "kiln/runtime.h"

namespace kiln::backend {

std::unique_ptr<Backend> makeCpuBackend();
#ifdef KILN_HAVE_CUDA
std::unique_ptr<Backend> makeCudaBackend();
#endif

std::string Backend::targetMismatch(const std::string& planTarget) const {
  std::string here = target();
  if (planTarget == here) return "";
  return "the plan was built for target '" + planTarget + "' but this machine is '" + here + "'; rebuild the plan here";
}

void KernelSpec::unsupported(const std::string& why) const {
  throw Error(ErrorCode::kUNSUPPORTED, std::string(layerTypeName(step.type)) + ": " + why, step.name);
}

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

double median(std::vector<double>& samples) {
  if (samples.empty()) return 0.0;
  std::nth_element(samples.begin(), samples.begin() + samples.size() / 2, samples.end());
  return samples[samples.size() / 2];
}

std::vector<double> medians(std::vector<std::vector<double>>& samples) {
  std::vector<double> out;
  for (auto& s : samples) out.push_back(median(s));
  return out;
}

std::vector<double> Backend::medianLaunchTimes(const std::vector<std::function<void(void*)>>& launches,
                                               int32_t rounds) const {
  std::vector<std::vector<double>> samples(launches.size());
  for (int32_t round = 0; round < rounds; ++round)
    for (size_t i = 0; i < launches.size(); ++i) samples[i].push_back(medianLaunchTime(launches[i], 1));
  return medians(samples);
}

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

namespace kiln {

std::vector<std::string> availableBackends() {
  std::vector<std::string> names;
  for (const auto& name : backend::backendNames())
    if (backend::findBackend(name)->available(nullptr)) names.push_back(name);
  return names;
}

}  // namespace kiln

namespace kiln::backend {

Buffer::Buffer(const Backend& backend, size_t bytes) : backend_(&backend), size_(bytes) {
  if (bytes > 0) data_ = backend.allocate(bytes);
}
Buffer::~Buffer() {
  if (data_) backend_->release(data_);
}
Buffer::Buffer(Buffer&& other) noexcept : backend_(other.backend_), data_(other.data_), size_(other.size_) {
  other.data_ = nullptr;
  other.size_ = 0;
}
Buffer& Buffer::operator=(Buffer&& other) noexcept {
  if (this != &other) {
    if (data_) backend_->release(data_);
    backend_ = other.backend_;
    data_ = other.data_;
    size_ = other.size_;
    other.data_ = nullptr;
    other.size_ = 0;
  }
  return *this;
}

}  // namespace kiln::backend
