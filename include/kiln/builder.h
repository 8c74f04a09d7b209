// Builder, BuilderConfig and optimization profiles: turn a NetworkDefinition into a serialized plan.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "kiln/logger.h"
#include "kiln/network.h"
#include "kiln/timing_cache.h"
#include "kiln/types.h"

namespace kiln {

// min/opt/max shapes per dynamic network input. Kernels are chosen at opt, memory is planned at max.
class OptimizationProfile {
 public:
  // Throws kiln::Error for a negative dimension or a rank above Dims::MAX_DIMS.
  void setDimensions(const char* inputName, OptProfileSelector selector, const Dims& dims);
  // Dims with nbDims == -1 when not set.
  Dims getDimensions(const char* inputName, OptProfileSelector selector) const;
  bool hasInput(const std::string& inputName) const;
  std::vector<std::string> inputNames() const;

  // min/opt/max values of a shape input (see NetworkDefinition::markShapeInput), one per element.
  void setShapeValues(const char* inputName, OptProfileSelector selector, const int64_t* values, int32_t nbValues);
  // Empty when not set.
  std::vector<int64_t> getShapeValues(const char* inputName, OptProfileSelector selector) const;
  bool hasShapeValues(const std::string& inputName) const;

 private:
  struct Shapes {
    Dims dims[3];
    bool set[3] = {false, false, false};
  };
  struct Values {
    std::vector<int64_t> values[3];
    bool set[3] = {false, false, false};
  };
  std::map<std::string, Shapes> shapes_;
  std::map<std::string, Values> values_;
};

enum class BuilderFlag : int32_t { kFP16 = 0, kBF16 = 1, kINT8 = 2, kTF32 = 3 };

class BuilderConfig {
 public:
  // Returns the profile's index. Profiles are validated against the network when building.
  int32_t addOptimizationProfile(const OptimizationProfile& profile);
  int32_t getNbOptimizationProfiles() const { return static_cast<int32_t>(profiles_.size()); }
  const OptimizationProfile& getOptimizationProfile(int32_t index) const;

  // Upper bound on scratch memory a single layer may use (bytes).
  void setWorkspaceLimit(uint64_t bytes) { workspaceLimit_ = bytes; }
  uint64_t getWorkspaceLimit() const { return workspaceLimit_; }

  void setFlag(BuilderFlag flag) { flags_ |= 1u << static_cast<uint32_t>(flag); }
  void clearFlag(BuilderFlag flag) { flags_ &= ~(1u << static_cast<uint32_t>(flag)); }
  bool getFlag(BuilderFlag flag) const { return flags_ & (1u << static_cast<uint32_t>(flag)); }
  uint32_t getFlags() const { return flags_; }

  // Backend the plan is built for ("cpu" by default).
  void setBackend(const std::string& name) { backend_ = name; }
  const std::string& getBackend() const { return backend_; }

  // Where a layer has several implementations (cuBLASLt or cuDNN algorithms, ...), the builder times each at every
  // profile's opt shapes and keeps the fastest per profile. A timing cache (owned by the caller, who may save it)
  // supplies timings made before and receives the new ones; without one every build times afresh.
  void setTimingCache(TimingCache* cache) { timingCache_ = cache; }
  TimingCache* getTimingCache() const { return timingCache_; }
  // Timed runs per candidate (their median decides); 0 skips timing: every layer runs its default implementation.
  void setTimingIterations(int32_t iterations) { timingIterations_ = iterations; }
  int32_t getTimingIterations() const { return timingIterations_; }

 private:
  std::vector<OptimizationProfile> profiles_;
  uint64_t workspaceLimit_ = uint64_t{1} << 30;
  uint32_t flags_ = 0;
  std::string backend_ = "cpu";
  TimingCache* timingCache_ = nullptr;
  int32_t timingIterations_ = 10;
};

class Builder {
 public:
  explicit Builder(Logger& logger = nullLogger()) : logger_(&logger) {}

  std::unique_ptr<NetworkDefinition> createNetwork() const;
  std::unique_ptr<BuilderConfig> createBuilderConfig() const;
  // Owned by the builder; lives as long as it does.
  OptimizationProfile* createOptimizationProfile();

  // Validates profiles, runs the optimization passes, lowers onto the backend and serializes.
  // Throws kiln::Error naming the input, profile or layer at fault.
  std::vector<uint8_t> buildSerializedNetwork(const NetworkDefinition& network, const BuilderConfig& config) const;

 private:
  Logger* logger_;
  std::vector<std::unique_ptr<OptimizationProfile>> profiles_;
};

}  // namespace kiln
