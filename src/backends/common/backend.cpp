#include "backends/common/backend.h"

#include <algorithm>

namespace kiln::backend {

std::string Backend::targetMismatch(const std::string& planTarget) const {
  std::string here = target();
  if (planTarget == here) return "";
  return "the plan was built for target '" + planTarget + "' but this machine is '" + here + "'; rebuild the plan here";
}

void KernelSpec::unsupported(const std::string& why) const {
  throw Error(ErrorCode::kUNSUPPORTED, std::string(layerTypeName(step.type)) + ": " + why, step.name);
}

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
