// OptimizationProfile and BuilderConfig bookkeeping.
#include "kiln/builder.h"
#include "kiln/error.h"

namespace kiln {

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
  auto& entry = shapes_[inputName];
  entry.dims[s] = dims;
  entry.set[s] = true;
}

Dims OptimizationProfile::getDimensions(const char* inputName, OptProfileSelector selector) const {
  Dims unset;
  unset.nbDims = -1;
  if (!inputName) return unset;
  auto it = shapes_.find(inputName);
  int32_t s = static_cast<int32_t>(selector);
  if (it == shapes_.end() || s < 0 || s > 2 || !it->second.set[s]) return unset;
  return it->second.dims[s];
}

bool OptimizationProfile::hasInput(const std::string& inputName) const { return shapes_.count(inputName) != 0; }

std::vector<std::string> OptimizationProfile::inputNames() const {
  std::vector<std::string> names;
  for (const auto& [name, shapes] : shapes_) names.push_back(name);
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
  auto& entry = values_[inputName];
  entry.values[s].assign(values, values + nbValues);
  entry.set[s] = true;
}

std::vector<int64_t> OptimizationProfile::getShapeValues(const char* inputName, OptProfileSelector selector) const {
  if (!inputName) return {};
  auto it = values_.find(inputName);
  int32_t s = static_cast<int32_t>(selector);
  if (it == values_.end() || s < 0 || s > 2 || !it->second.set[s]) return {};
  return it->second.values[s];
}

bool OptimizationProfile::hasShapeValues(const std::string& inputName) const { return values_.count(inputName) != 0; }

int32_t BuilderConfig::addOptimizationProfile(const OptimizationProfile& profile) {
  profiles_.push_back(profile);
  return static_cast<int32_t>(profiles_.size() - 1);
}

const OptimizationProfile& BuilderConfig::getOptimizationProfile(int32_t index) const {
  if (index < 0 || index >= getNbOptimizationProfiles())
    throw Error(ErrorCode::kINVALID_ARGUMENT, "profile index " + std::to_string(index) + " is out of range");
  return profiles_[index];
}

}  // namespace kiln
