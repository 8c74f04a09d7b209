// Runtime, Engine and ExecutionContext: load a plan and run it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "kiln/error.h"
#include "kiln/logger.h"
#include "kiln/types.h"

namespace kiln {

namespace runtime {
struct EngineState;
struct ContextState;
}  // namespace runtime

enum class TensorIOMode : int32_t { kNONE = 0, kINPUT = 1, kOUTPUT = 2 };

// Backends this build has that can run on this machine ("cpu", and "cuda" where a GPU is present).
std::vector<std::string> availableBackends();

class ExecutionContext;

// One step of an engine, for inspection.
struct LayerInfo {
  std::string name;
  std::string type;
  std::vector<std::string> inputs;
  std::vector<std::string> outputs;
  std::vector<DataType> outputTypes;  // the precision each output is computed and stored in
  std::string attributes;             // "key=value" pairs, for humans
  std::vector<std::string> tactics;   // per profile: the implementation the builder chose ("" for the default)
};

// Receives the time of every step of a profiled run (ExecutionContext::setProfiler), as TensorRT's IProfiler does.
class Profiler {
 public:
  virtual ~Profiler() = default;
  // Called once per step, in step order, after the run: the step's name and its milliseconds on the device's clock.
  virtual void reportLayerTime(const char* layerName, float ms) = 0;
};

// An immutable, loaded plan: weights resident on the backend, shared by all its contexts.
class Engine {
 public:
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  int32_t getNbIOTensors() const;
  const char* getIOTensorName(int32_t index) const;
  TensorIOMode getTensorIOMode(const char* name) const;
  DataType getTensorDataType(const char* name) const;
  // Dimensions with -1 where dynamic.
  Dims getTensorShape(const char* name) const;

  int32_t getNbOptimizationProfiles() const;
  // Dims with nbDims == -1 for a name that is not a network input or an out-of-range profile.
  Dims getProfileShape(const char* inputName, int32_t profileIndex, OptProfileSelector selector) const;
  // True for a shape input: its values (not only its shape) decide tensor shapes, so the context reads them from
  // the host memory given to setTensorAddress when it resolves shapes.
  bool isShapeInferenceIO(const char* name) const;
  // A shape input's min/opt/max values in the profile; empty for other names.
  std::vector<int64_t> getProfileShapeValues(const char* inputName, int32_t profileIndex,
                                             OptProfileSelector selector) const;
  // Activation memory a context needs for the profile (bytes).
  uint64_t getDeviceMemorySize(int32_t profileIndex) const;

  int32_t getNbLayers() const;
  LayerInfo getLayerInformation(int32_t index) const;
  const char* getBackendName() const;
  // True when setTensorAddress takes device pointers for this engine's IO (the CUDA backend); shape inputs are
  // read from host memory on every backend.
  bool isDeviceMemory() const;
  uint32_t getPlanFormatVersion() const;
  const char* getKilnVersion() const;
  uint64_t getWeightsSize() const;

  // A new context with profile 0 active and its own activation memory.
  std::unique_ptr<ExecutionContext> createExecutionContext() const;

  const runtime::EngineState& state() const { return *state_; }

 private:
  friend class Runtime;
  explicit Engine(std::unique_ptr<runtime::EngineState> state);
  std::shared_ptr<runtime::EngineState> state_;
};

class Runtime {
 public:
  explicit Runtime(Logger& logger = nullLogger()) : logger_(&logger) {}
  // Throws kiln::Error (kINVALID_PLAN) for a wrong magic, newer version, bad checksum, truncation or bad offsets.
  std::unique_ptr<Engine> deserialize(const void* data, size_t size) const;
  std::unique_ptr<Engine> deserialize(const std::vector<uint8_t>& plan) const {
    return deserialize(plan.data(), plan.size());
  }

 private:
  Logger* logger_;
};

// Mutable state for running an engine: active profile, input shapes, bound addresses, activation memory.
// One context runs on one thread at a time; several contexts of an engine may run concurrently.
class ExecutionContext {
 public:
  ~ExecutionContext();
  ExecutionContext(const ExecutionContext&) = delete;
  ExecutionContext& operator=(const ExecutionContext&) = delete;

  Status setOptimizationProfile(int32_t profileIndex);
  int32_t getOptimizationProfile() const;
  // Checks `dims` against the active profile's min/max.
  Status setInputShape(const char* name, const Dims& dims);
  // Resolves output shapes from the input shapes and checks the conditions that relate several inputs (equal
  // batch sizes, broadcastable dimensions); the error names the layer that needs them. enqueue does this too.
  Status inferShapes();
  // Output shapes resolved from the input shapes; nbDims == -1 while an input shape is missing or inconsistent.
  Dims getTensorShape(const char* name) const;
  bool allInputDimensionsSpecified() const;
  Status setTensorAddress(const char* name, void* data);
  void* getTensorAddress(const char* name) const;
  // Runs to completion.
  Status executeV2();
  // Queues the work on `stream` (a cudaStream_t for the CUDA backend); the CPU backend runs it inline.
  Status enqueueV3(void* stream);

  // Device backends record a run as a CUDA graph the second time the same input shapes, shape-input values and
  // bound addresses come, and replay it from then on: one launch instead of one per layer. At most 16 recordings
  // per context (the least recently used go). On by default; off runs every layer as it comes. A stream the caller
  // is capturing already is left to the caller's recording.
  void setGraphReplay(bool enabled);
  bool getGraphReplay() const;
  int32_t getNbRecordedGraphs() const;

  // With a profiler, each run times every step (an event between steps on a GPU), waits for the device at its end
  // and reports the times; profiled runs are not recorded or replayed as graphs. Null turns profiling off.
  void setProfiler(Profiler* profiler);
  Profiler* getProfiler() const;

  const Engine& getEngine() const { return *engine_; }

 private:
  friend class Engine;
  ExecutionContext(const Engine& engine, std::shared_ptr<runtime::EngineState> state);
  const Engine* engine_;
  std::unique_ptr<runtime::ContextState> state_;
};

}  // namespace kiln
