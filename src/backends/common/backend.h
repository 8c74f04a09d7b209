// The seam between the runtime and the devices: a Backend creates Kernels for plan steps and owns memory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "kiln/error.h"
#include "kiln/types.h"
#include "plan/plan.h"

namespace kiln::backend {

// A tensor as a kernel sees it: where it is, what it holds, its concrete shape.
struct TensorArg {
  void* data = nullptr;
  DataType type = DataType::kFLOAT;
  Dims shape;
  int64_t volume() const { return shape.volume(); }
};

struct KernelArgs {
  const TensorArg* inputs = nullptr;  // absent optional inputs have data == nullptr
  int32_t nbInputs = 0;
  const TensorArg* outputs = nullptr;
  int32_t nbOutputs = 0;
  const int64_t* exprValues = nullptr;  // the evaluated shape program, indexed by ExprId
  void* workspace = nullptr;
  size_t workspaceSize = 0;
  void* stream = nullptr;

  // Points the arguments at `ins` and `outs` (which must outlive the call).
  void bind(const std::vector<TensorArg>& ins, const std::vector<TensorArg>& outs) {
    inputs = ins.data();
    nbInputs = static_cast<int32_t>(ins.size());
    outputs = outs.data();
    nbOutputs = static_cast<int32_t>(outs.size());
  }

  const TensorArg& in(int32_t i) const { return inputs[i]; }
  const TensorArg& out(int32_t i) const { return outputs[i]; }
  bool hasInput(int32_t i) const { return i < nbInputs && inputs[i].data != nullptr; }
  int64_t value(core::ExprId id) const { return exprValues[id]; }
};

// One step's implementation. Created once per engine and shared by its contexts: run() must not mutate.
class Kernel {
 public:
  virtual ~Kernel() = default;
  // Scratch memory needed for the given shapes (called with the profile's largest shapes).
  virtual size_t workspaceSize(const KernelArgs& /*args*/) const { return 0; }
  // Never throws; errors come back as a Status naming the step.
  virtual Status run(const KernelArgs& args) const = 0;
  // The implementations worth timing for these concrete shapes (the builder passes a profile's opt shapes; the
  // data pointers are null), each to be passed back through KernelSpec::tactic. None when there is no choice.
  virtual std::vector<plan::Tactic> candidateTactics(const KernelArgs& /*args*/) const { return {}; }
};

// What a kernel factory sees of its step.
struct KernelSpec {
  const plan::Plan& plan;
  const plan::Step& step;
  const plan::Tactic* tactic = nullptr;  // the implementation chosen at build time; null or empty: the default
  bool hasTactic() const { return tactic && !tactic->isDefault(); }
  DataType inputType(int32_t i) const { return plan.tensors[step.inputs[i]].type; }
  DataType outputType(int32_t i) const { return plan.tensors[step.outputs[i]].type; }
  bool hasInput(int32_t i) const { return i < static_cast<int32_t>(step.inputs.size()) && step.inputs[i] >= 0; }
  size_t inputRank(int32_t i) const { return plan.tensors[step.inputs[i]].dims.size(); }
  size_t outputRank(int32_t i) const { return plan.tensors[step.outputs[i]].dims.size(); }
  [[noreturn]] void unsupported(const std::string& why) const;
};

// Work recorded from a stream once and replayed with one launch (a CUDA graph).
class RecordedWork {
 public:
  virtual ~RecordedWork() = default;
  // Queues the recorded work on `stream`; throws kiln::Error.
  virtual void replay(void* stream) const = 0;
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual const char* name() const = 0;
  // Whether tensors live in host memory (then host pointers are bound directly).
  virtual bool isHostMemory() const = 0;
  // Whether the backend can run here (a GPU is present, ...); the reason otherwise.
  virtual bool available(std::string* reason) const = 0;
  // Description of the build target recorded in plans (e.g. "x86_64", "sm_90").
  virtual std::string target() const = 0;
  // Why a plan built for `planTarget` cannot run here (naming both targets), or "" when it can.
  virtual std::string targetMismatch(const std::string& planTarget) const;
  // Throws kiln::Error (kUNSUPPORTED, naming the step) when the step cannot run on this backend.
  virtual std::unique_ptr<Kernel> createKernel(const KernelSpec& spec) const = 0;

  // Whether a convolution of `type` from `channels` input channels (per group) to `maps` output maps runs faster
  // channels-last (NHWC, plan/channels_last.h) on this backend: the builder then converts it, and the pooling after it.
  virtual bool prefersChannelsLast(DataType /*type*/, int64_t /*channels*/, int64_t /*maps*/) const { return false; }
  // The channel count multiple that channels-last convolutions of `type` want: the builder pads a convolution's input
  // channels (a 3-channel image) with zeros up to it where that makes the convolution preferred channels-last.
  virtual int64_t channelsLastAlignment(DataType /*type*/) const { return 1; }
  // Bytes of memory the backend's tensors live in (the GPU's, or the host's physical memory); 0 when unknown.
  virtual uint64_t memoryCapacity() const = 0;
  virtual void* allocate(size_t bytes) const = 0;
  virtual void release(void* p) const = 0;
  virtual void copyFromHost(void* dst, const void* src, size_t bytes) const = 0;
  // Queues a copy from host memory on `stream` (inside enqueue: shape-input values that steps read as data).
  virtual void copyFromHostAsync(void* dst, const void* src, size_t bytes, void* stream) const = 0;
  // Waits for the work queued on `stream` (executeV2 runs to completion); throws kiln::Error for a failure there.
  virtual void synchronize(void* stream) const = 0;
  // Median milliseconds of one `launch(stream)` (which queues one run of a kernel), over `iterations` timed runs
  // after a warm-up, measured on the device's own clock (events on a GPU). Used by the builder to time tactics.
  virtual double medianLaunchTime(const std::function<void(void* stream)>& launch, int32_t iterations) const = 0;
  // The median milliseconds of each launch over `rounds` rounds that each run every launch once, so that a change of
  // the device's clocks during the timings moves them alike (tactic selection compares them). By default a round
  // times each launch with medianLaunchTime.
  virtual std::vector<double> medianLaunchTimes(const std::vector<std::function<void(void* stream)>>& launches,
                                                int32_t rounds) const;

  // Runs `run(i)` for i = 0 .. count - 1, each queueing work on `stream`, and returns each one's milliseconds on the
  // device's clock, after waiting for them all (per-step profiles). Throws kiln::Error when a run or the timing fails.
  virtual std::vector<double> timeEach(void* stream, size_t count, const std::function<void(size_t)>& run) const = 0;

  // Records what `enqueue` queues on `stream`, without running it, for replay. Null when this backend or this stream
  // cannot record (no graphs on the CPU, the legacy default stream, a stream the caller is capturing already): the
  // caller then runs eagerly. Throws kiln::Error when the enqueue fails or the work cannot be recorded.
  virtual std::unique_ptr<RecordedWork> record(void* /*stream*/, const std::function<void()>& /*enqueue*/) const {
    return nullptr;
  }
  // A stream for synchronous runs (executeV2) that orders with the device's default stream, as TensorRT's
  // executeV2 does; null where there are no streams. Released with destroyStream.
  virtual void* createStream() const { return nullptr; }
  virtual void destroyStream(void* /*stream*/) const {}
};

// The median of timing samples (reorders them); 0 for none.
double median(std::vector<double>& samples);
// The median of each list of samples (reorders them).
std::vector<double> medians(std::vector<std::vector<double>>& samples);

// Owned backend memory.
class Buffer {
 public:
  Buffer() = default;
  Buffer(const Backend& backend, size_t bytes);
  ~Buffer();
  Buffer(Buffer&& other) noexcept;
  Buffer& operator=(Buffer&& other) noexcept;
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;
  void* data() const { return data_; }
  size_t size() const { return size_; }

 private:
  const Backend* backend_ = nullptr;
  void* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace kiln::backend
