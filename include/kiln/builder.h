// Builder, BuilderConfig and optimization profiles: turn a NetworkDefinition into a serialized plan.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "kiln/logger.h"
#include "kiln/network.h"
#include "kiln/timing_cache.h"
#include "kiln/types.h"

namespace kiln {

// min/opt/max shapes per dynamic network input. Kernels are chosen at opt, memory is planned at max. A profile is a
// value: BuilderConfig::addOptimizationProfile copies it.
class OptimizationProfile {
 public:
  // A profile with no inputs set.
  OptimizationProfile();
  // Frees the profile.
  ~OptimizationProfile();
  // A copy of every shape and value set in `other`.
  OptimizationProfile(const OptimizationProfile& other);
  // Replaces every shape and value with those of `other`.
  OptimizationProfile& operator=(const OptimizationProfile& other);

  // Sets the min, opt or max shape of a network input. Throws kiln::Error (kINVALID_PROFILE) for an empty name, an
  // unknown selector, a negative dimension or a rank outside [0, Dims::MAX_DIMS]. Whether the input exists and the
  // shapes fit it is checked when building.
  void setDimensions(const char* inputName, OptProfileSelector selector, const Dims& dims);
  // The shape set for the input and selector; Dims with nbDims == -1 when not set.
  Dims getDimensions(const char* inputName, OptProfileSelector selector) const;
  // True when a shape of the input was set.
  bool hasInput(const std::string& inputName) const;
  // The inputs with a shape set, sorted by name.
  std::vector<std::string> inputNames() const;

  // min/opt/max values of a shape input (see NetworkDefinition::markShapeInput), one per element: `nbValues` values
  // are copied. Throws kiln::Error (kINVALID_PROFILE) for an empty name, an unknown selector or missing values.
  void setShapeValues(const char* inputName, OptProfileSelector selector, const int64_t* values, int32_t nbValues);
  // The values set for the input and selector; empty when not set.
  std::vector<int64_t> getShapeValues(const char* inputName, OptProfileSelector selector) const;
  // True when values of the shape input were set.
  bool hasShapeValues(const std::string& inputName) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Precisions the builder may use besides fp32 (BuilderConfig::setFlag).
enum class BuilderFlag : int32_t {
  kFP16 = 0,   // layers whose kernels accept fp16 may compute in it
  kBF16 = 1,   // the same for bf16 (fp16 is chosen when both are set)
  kINT8 = 2,   // accepted but not implemented yet: the build warns and ignores it
  kTF32 = 3,   // fp32 matrix multiplies and convolutions may run on TF32 tensor cores (CUDA)
  kREFIT = 4,  // the plan keeps its weights refittable by name (Refitter, docs/refit.md)
};

// How to build a plan: optimization profiles, precision flags, backend, memory limit and tactic timing.
class BuilderConfig {
 public:
  // No profiles, no flags, the "cpu" backend, a 1 GiB workspace limit, 10 timing iterations, no timing cache.
  BuilderConfig();
  // Frees the configuration (not the timing cache, which the caller owns).
  ~BuilderConfig();
  // A copy of every setting of `other` (the timing cache pointer is shared).
  BuilderConfig(const BuilderConfig& other);
  // Replaces every setting with those of `other`.
  BuilderConfig& operator=(const BuilderConfig& other);

  // Adds a copy of `profile` and returns its index. Profiles are validated against the network when building; a
  // network with a dynamic input needs at least one.
  int32_t addOptimizationProfile(const OptimizationProfile& profile);
  // The number of profiles added.
  int32_t getNbOptimizationProfiles() const;
  // Profile `index`. Throws kiln::Error (kINVALID_ARGUMENT) for an index out of range.
  const OptimizationProfile& getOptimizationProfile(int32_t index) const;

  // Upper bound on scratch memory a single layer may use (bytes; default 1 GiB).
  void setWorkspaceLimit(uint64_t bytes) { workspaceLimit_ = bytes; }
  // The workspace limit (bytes).
  uint64_t getWorkspaceLimit() const { return workspaceLimit_; }

  // Allows a precision.
  void setFlag(BuilderFlag flag) { flags_ |= 1u << static_cast<uint32_t>(flag); }
  // Disallows a precision.
  void clearFlag(BuilderFlag flag) { flags_ &= ~(1u << static_cast<uint32_t>(flag)); }
  // Whether the flag is set.
  bool getFlag(BuilderFlag flag) const { return flags_ & (1u << static_cast<uint32_t>(flag)); }
  // Every flag as a bit mask (bit i: BuilderFlag value i).
  uint32_t getFlags() const { return flags_; }

  // Backend the plan is built for ("cpu" by default; see availableBackends). An unknown or unavailable backend makes
  // Builder::buildSerializedNetwork throw kiln::Error (kUNSUPPORTED).
  void setBackend(const std::string& name);
  // The backend's name.
  const std::string& getBackend() const;

  // Where a layer has several implementations (cuBLASLt or cuDNN algorithms, ...), the builder times each at every
  // profile's opt shapes and keeps the fastest per profile. A timing cache (owned by the caller, who may save it)
  // supplies timings made before and receives the new ones; without one every build times afresh.
  // Null (the default) builds without a cache.
  void setTimingCache(TimingCache* cache) { timingCache_ = cache; }
  // The timing cache set; nullptr when none.
  TimingCache* getTimingCache() const { return timingCache_; }
  // Timed runs per candidate (their median decides; default 10); 0 skips timing: every layer runs its default
  // implementation.
  void setTimingIterations(int32_t iterations) { timingIterations_ = iterations; }
  // The timed runs per candidate.
  int32_t getTimingIterations() const { return timingIterations_; }

 private:
  struct Impl;  // the profiles and the backend name
  std::unique_ptr<Impl> impl_;
  uint64_t workspaceLimit_ = uint64_t{1} << 30;
  uint32_t flags_ = 0;
  TimingCache* timingCache_ = nullptr;
  int32_t timingIterations_ = 10;
};

// Builds plans (TensorRT's IBuilder): makes networks, configurations and profiles, and turns a network into a
// serialized plan for Runtime::deserialize.
class Builder {
 public:
  // `logger` must outlive the builder and the networks it makes; builds report progress to it.
  explicit Builder(Logger& logger = nullLogger());
  // Frees the profiles made by createOptimizationProfile.
  ~Builder();
  Builder(const Builder&) = delete;
  Builder& operator=(const Builder&) = delete;

  // An empty network that logs to the builder's logger.
  std::unique_ptr<NetworkDefinition> createNetwork() const;
  // A configuration with the defaults (see BuilderConfig()).
  std::unique_ptr<BuilderConfig> createBuilderConfig() const;
  // An empty profile, owned by the builder; lives as long as it does.
  OptimizationProfile* createOptimizationProfile();

  // Validates profiles, runs the optimization passes, lowers onto the backend, times tactics and serializes; the
  // network is not changed. Throws kiln::Error naming the input, profile or layer at fault (kINVALID_PROFILE,
  // kINVALID_GRAPH, kUNSUPPORTED for a backend or layer the build cannot handle).
  std::vector<uint8_t> buildSerializedNetwork(const NetworkDefinition& network, const BuilderConfig& config) const;

 private:
  struct Impl;  // the profiles made by createOptimizationProfile
  Logger* logger_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kiln
