// Runtime, Engine and ExecutionContext: load a plan and run it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "kiln/error.h"
#include "kiln/logger.h"
#include "kiln/plugin.h"
#include "kiln/types.h"

namespace kiln {

// Whether an engine's tensor is an input, an output, or (kNONE) not an IO tensor of the engine.
enum class TensorIOMode : int32_t { kNONE = 0, kINPUT = 1, kOUTPUT = 2 };

// Backends this build has that can run on this machine ("cpu", and "cuda" where a GPU is present), for
// BuilderConfig::setBackend.
std::vector<std::string> availableBackends();

class ExecutionContext;

// One step of an engine, for inspection (Engine::getLayerInformation).
struct LayerInfo {
  std::string name;                   // the step's name: a layer's, or the layers fused into it
  std::string type;                   // the kind of step ("Convolution", ...)
  std::vector<std::string> inputs;    // the names of the tensors it reads
  std::vector<std::string> outputs;   // the names of the tensors it writes
  std::vector<DataType> outputTypes;  // the precision each output is computed and stored in
  std::string attributes;             // "key=value" pairs, for humans
  std::vector<std::string> tactics;   // per profile: the implementation the builder chose ("" for the default)
};

// Receives the time of every step of a profiled run (ExecutionContext::setProfiler), as TensorRT's IProfiler does.
class Profiler {
 public:
  // Profilers are owned by the caller, who keeps them alive while a context uses them.
  virtual ~Profiler() = default;
  // Called once per step, in step order, after the run: the step's name and its milliseconds on the device's clock.
  virtual void reportLayerTime(const char* layerName, float ms) = 0;
};

// An immutable, loaded plan: weights resident on the backend, shared by all its contexts. Made by
// Runtime::deserialize. Queries taking a tensor name answer "none" (kNONE, nullptr, nbDims == -1, empty) for a name
// that is not an IO tensor instead of throwing.
class Engine {
 public:
  // Frees the engine's weights once its last context is gone too (contexts share them).
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // The number of inputs and outputs.
  int32_t getNbIOTensors() const;
  // IO tensor `index`: inputs first, in the network's order, then outputs; nullptr for an index out of range.
  const char* getIOTensorName(int32_t index) const;
  // Whether `name` is an input, an output, or neither (kNONE).
  TensorIOMode getTensorIOMode(const char* name) const;
  // The IO tensor's element type; kFLOAT for a name that is not an IO tensor.
  DataType getTensorDataType(const char* name) const;
  // Dimensions with -1 where dynamic; nbDims == -1 for a name that is not an IO tensor.
  Dims getTensorShape(const char* name) const;

  // The number of optimization profiles the engine was built with (at least 1).
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

  // The number of steps the plan runs (layers after fusion).
  int32_t getNbLayers() const;
  // Step `index`, for inspection; all fields empty for an index out of range.
  LayerInfo getLayerInformation(int32_t index) const;
  // The backend the plan was built for and runs on ("cpu", "cuda").
  const char* getBackendName() const;
  // True when setTensorAddress takes device pointers for this engine's IO (the CUDA backend); shape inputs are
  // read from host memory on every backend.
  bool isDeviceMemory() const;
  // The plan format version this kiln writes (it also loads older ones); not read from the loaded plan.
  uint32_t getPlanFormatVersion() const;
  // The version of the kiln that built the plan ("major.minor.patch").
  const char* getKilnVersion() const;
  // The size of the weights (constants) the engine holds on its backend, in bytes.
  uint64_t getWeightsSize() const;
  // The engine as plan bytes for Runtime::deserialize, with the weights it holds now (after a refit, the new ones).
  std::vector<uint8_t> serialize() const;

  // A new context with profile 0 active and its own activation memory. It keeps the engine's weights alive (see
  // ExecutionContext). Throws kiln::Error (kRUNTIME) when memory cannot be allocated.
  std::unique_ptr<ExecutionContext> createExecutionContext() const;

 private:
  friend class Runtime;
  friend class ExecutionContext;
  friend std::unique_ptr<class Refitter> createRefitter(Engine& engine);
  // The loaded plan, backend, weights and kernels, defined in the library's sources; its contexts share it.
  struct Impl;
  explicit Engine(std::shared_ptr<Impl> state);
  std::shared_ptr<Impl> state_;
};

// Loads plans (TensorRT's IRuntime).
class Runtime {
 public:
  // `logger` must outlive the runtime and the engines it loads.
  explicit Runtime(Logger& logger = nullLogger()) : logger_(&logger) {}
  // Loads the `size` bytes of a plan written by Builder::buildSerializedNetwork; the bytes may be freed afterwards.
  // Throws kiln::Error: kINVALID_PLAN for a wrong magic, newer version, bad checksum, truncation, bad offsets or a
  // backend this build lacks; kUNSUPPORTED when the plan's backend cannot run on this machine.
  std::unique_ptr<Engine> deserialize(const void* data, size_t size) const;
  // Same, for a plan held in a vector.
  std::unique_ptr<Engine> deserialize(const std::vector<uint8_t>& plan) const {
    return deserialize(plan.data(), plan.size());
  }
  // Loads a plugin library (kiln::loadPluginLibrary): its creators register, for the plans loaded next.
  // Throws kiln::Error naming the library when it cannot be loaded or registers a duplicate plugin.
  void loadPluginLibrary(const std::string& path) const { kiln::loadPluginLibrary(path); }

 private:
  Logger* logger_;
};

// Mutable state for running an engine: active profile, input shapes, bound addresses, activation memory.
// One context runs on one thread at a time: a Status-returning call made while another thread is inside one fails with
// kINVALID_STATE. Several contexts of an engine may run concurrently. Calls that can fail return a Status instead of
// throwing; its error names the tensor, input or layer at fault. A context keeps the engine's weights alive, so it
// still runs after its Engine object is destroyed, but getEngine() must not be called then.
class ExecutionContext {
 public:
  // Frees the context's activation memory and recorded graphs.
  ~ExecutionContext();
  ExecutionContext(const ExecutionContext&) = delete;
  ExecutionContext& operator=(const ExecutionContext&) = delete;

  // Makes profile `profileIndex` active, reallocating activation memory for it; input shapes set before stay set
  // where they fit the new profile and must be set again where they do not. Fails with kINVALID_ARGUMENT for an
  // index out of range, kRUNTIME when memory cannot be allocated.
  Status setOptimizationProfile(int32_t profileIndex);
  // The active profile's index.
  int32_t getOptimizationProfile() const;
  // Sets an input's shape for the next runs. Fails with kINVALID_ARGUMENT for a name that is not an input or a wrong
  // rank, kSHAPE_OUT_OF_RANGE for dims outside the active profile's min/max.
  Status setInputShape(const char* name, const Dims& dims);
  // Resolves output shapes from the input shapes and checks the conditions that relate several inputs (equal
  // batch sizes, broadcastable dimensions); the error names the layer that needs them. enqueue does this too.
  Status inferShapes();
  // An IO tensor's shape resolved from the input shapes; nbDims == -1 while an input shape is missing or
  // inconsistent, or for a name that is not an IO tensor.
  Dims getTensorShape(const char* name) const;
  // True when every input has a shape (static inputs have theirs from the start).
  bool allInputDimensionsSpecified() const;
  // Binds an IO tensor to memory of at least its volume x its type's size bytes: device memory where
  // Engine::isDeviceMemory, host memory otherwise and for shape inputs. The memory must stay valid while runs use
  // it. Fails with kINVALID_ARGUMENT for a name that is not an IO tensor, a null address or one not aligned to the
  // element size.
  Status setTensorAddress(const char* name, void* data);
  // The address bound to an IO tensor; nullptr when none is bound or for another name.
  void* getTensorAddress(const char* name) const;
  // Runs to completion. Fails with kINVALID_STATE when an input shape or address is missing, kSHAPE_OUT_OF_RANGE
  // when shapes or shape-input values do not fit, kRUNTIME when a step fails.
  Status executeV2();
  // Queues the work on `stream` (a cudaStream_t for the CUDA backend); the CPU backend runs it inline. Fails as
  // executeV2.
  Status enqueueV3(void* stream);

  // Device backends record a run as a CUDA graph the second time the same input shapes, shape-input values and
  // bound addresses come, and replay it from then on: one launch instead of one per layer. At most 16 recordings
  // per context (the least recently used go). On by default; off runs every layer as it comes. A stream the caller
  // is capturing already is left to the caller's recording.
  void setGraphReplay(bool enabled);
  // Whether graph replay is on.
  bool getGraphReplay() const;
  // How many recordings the context holds now (at most 16; 0 on the CPU backend).
  int32_t getNbRecordedGraphs() const;

  // With a profiler, each run times every step (an event between steps on a GPU), waits for the device at its end
  // and reports the times; profiled runs are not recorded or replayed as graphs. Null turns profiling off.
  void setProfiler(Profiler* profiler);
  // The profiler set; nullptr when none.
  Profiler* getProfiler() const;

  // The engine the context runs.
  const Engine& getEngine() const { return *engine_; }

 private:
  friend class Engine;
  // Shapes, bindings, activation memory and recorded graphs, defined in the library's sources.
  struct Impl;
  explicit ExecutionContext(const Engine& engine);
  const Engine* engine_;
  std::unique_ptr<Impl> state_;
};

}  // namespace kiln
