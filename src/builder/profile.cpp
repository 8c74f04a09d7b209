// OptimizationProfile and BuilderConfig bookkeeping.
#include <map>

#include "kiln/builder.h"
#include "kiln/error.h"

namespace kiln {

struct OptimizationProfile::Impl {
  struct Shapes {
    Dims dims[3];
    bool set[3] = {false, false, false};
  };
  struct Values {
    std::vector<int64_t> values[3];
    bool set[3] = {false, false, false};
  };
  std::map<std::string, Shapes> shapes;
  std::map<std::string, Values> values;
};

struct BuilderConfig::Impl {
  std::vector<OptimizationProfile> profiles;
  std::string backend = "cpu";
};

OptimizationProfile::OptimizationProfile() : impl_(std::make_unique<Impl>()) {}
OptimizationProfile::~OptimizationProfile() = default;
OptimizationProfile::OptimizationProfile(const OptimizationProfile& other)
    : impl_(std::make_unique<Impl>(*other.impl_)) {}
OptimizationProfile& OptimizationProfile::operator=(const OptimizationProfile& other) {
  *impl_ = *other.impl_;
  return *this;
}

BuilderConfig::BuilderConfig() : impl_(std::make_unique<Impl>()) {}
BuilderConfig::~BuilderConfig() = default;
BuilderConfig::BuilderConfig(const BuilderConfig& other)
    : impl_(std::make_unique<Impl>(*other.impl_)),
      workspaceLimit_(other.workspaceLimit_),
      flags_(other.flags_),
      timingCache_(other.timingCache_),
      timingIterations_(other.timingIterations_) {}
BuilderConfig& BuilderConfig::operator=(const BuilderConfig& other) {
  *impl_ = *other.impl_;
  workspaceLimit_ = other.workspaceLimit_;
  flags_ = other.flags_;
  timingCache_ = other.timingCache_;
  timingIterations_ = other.timingIterations_;
  return *this;
}

namespace {
const char* selectorName(OptProfileSelector s) {
  switch (s) {
    case OptProfileSelector::kMIN: return "min";
    case OptProfileSelector::kOPT: return "opt";
    case OptProfileSelector::kMAX: return "max";
  }
  return "?";
}
}  // namespace

void OptimizationProfile::setDimensions(const char* inputName, OptProfileSelector selector, const Dims& dims) {
  if (!inputName || !*inputName) throw Error(ErrorCode::kINVALID_PROFILE, "input name must not be empty");
  int32_t s = static_cast<int32_t>(selector);
  if (s < 0 || s > 2) throw Error(ErrorCode::kINVALID_PROFILE, "unknown selector", inputName);
  if (dims.nbDims < 0 || dims.nbDims > Dims::MAX_DIMS)
    throw Error(ErrorCode::kINVALID_PROFILE, std::string(selectorName(selector)) + " shape has an invalid rank",
                inputName);
  for (int32_t i = 0; i < dims.nbDims; ++i)
    if (dims.d[i] < 0)
      throw Error(ErrorCode::kINVALID_PROFILE,
                  std::string(selectorName(selector)) + " shape " + toString(dims) + " has a negative dimension",
                  inputName);
  auto& entry = impl_->shapes[inputName];
  entry.dims[s] = dims;
  entry.set[s] = true;
}

Dims OptimizationProfile::getDimensions(const char* inputName, OptProfileSelector selector) const {
  Dims unset;
  unset.nbDims = -1;
  if (!inputName) return unset;
  auto it = impl_->shapes.find(inputName);
  int32_t s = static_cast<int32_t>(selector);
  if (it == impl_->shapes.end() || s < 0 || s > 2 || !it->second.set[s]) return unset;
  return it->second.dims[s];
}

bool OptimizationProfile::hasInput(const std::string& inputName) const { return impl_->shapes.count(inputName) != 0; }

std::vector<std::string> OptimizationProfile::inputNames() const {
  std::vector<std::string> names;
  for (const auto& [name, shapes] : impl_->shapes) names.push_back(name);
  return names;
}

void OptimizationProfile::setShapeValues(const char* inputName, OptProfileSelector selector, const int64_t* values,
                                         int32_t nbValues) {
  if (!inputName || !*inputName) throw Error(ErrorCode::kINVALID_PROFILE, "input name must not be empty");
  int32_t s = static_cast<int32_t>(selector);
  if (s < 0 || s > 2) throw Error(ErrorCode::kINVALID_PROFILE, "unknown selector", inputName);
  if (nbValues < 0 || (nbValues > 0 && !values))
    throw Error(ErrorCode::kINVALID_PROFILE, std::string(selectorName(selector)) + " shape values are missing",
                inputName);
  auto& entry = impl_->values[inputName];
  entry.values[s].assign(values, values + nbValues);
  entry.set[s] = true;
}

std::vector<int64_t> OptimizationProfile::getShapeValues(const char* inputName, OptProfileSelector selector) const {
  if (!inputName) return {};
  auto it = impl_->values.find(inputName);
  int32_t s = static_cast<int32_t>(selector);
  if (it == impl_->values.end() || s < 0 || s > 2 || !it->second.set[s]) return {};
  return it->second.values[s];
}

bool OptimizationProfile::hasShapeValues(const std::string& inputName) const {
  return impl_->values.count(inputName) != 0;
}

int32_t BuilderConfig::addOptimizationProfile(const OptimizationProfile& profile) {
  impl_->profiles.push_back(profile);
  return static_cast<int32_t>(impl_->profiles.size() - 1);
}

int32_t BuilderConfig::getNbOptimizationProfiles() const { return static_cast<int32_t>(impl_->profiles.size()); }

void BuilderConfig::setBackend(const std::string& name) { impl_->backend = name; }
const std::string& BuilderConfig::getBackend() const { return impl_->backend; }

const OptimizationProfile& BuilderConfig::getOptimizationProfile(int32_t index) const {
  if (index < 0 || index >= getNbOptimizationProfiles())
    throw Error(ErrorCode::kINVALID_ARGUMENT, "profile index " + std::to_string(index) + " is out of range");
  return impl_->profiles[index];
}

}  // namespace kiln
