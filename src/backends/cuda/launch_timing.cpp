// Each launch is recorded into a CUDA graph between two event-record nodes, so that its time is what its kernels take
// on the device. Timed between events queued around an eager launch, a small kernel's time was mostly the host's work
// to queue it (cuDNN's legacy API spends tens of microseconds there, more than a small convolution runs), which
// differs between algorithms and is absent when an engine replays its graphs: such timings chose fp16 convolutions
// without tensor cores. A launch that cannot be recorded is timed eagerly, several runs back to back.
#include "backends/cuda/launch_timing.h"

#include <cuda_runtime.h>

#include "backends/backend.h"
#include "backends/cuda/cuda_check.h"

namespace kiln::cuda {

namespace {

constexpr int32_t kWarmUps = 3;       // clocks, lazily loaded modules, library caches
constexpr int32_t kEagerBurst = 4;    // back-to-back runs per eager sample, so the host can run ahead of the device

struct TimedLaunch {
  cudaEvent_t start = nullptr, stop = nullptr;
  cudaGraphExec_t graph = nullptr;  // null: timed eagerly
  TimedLaunch() = default;
  TimedLaunch(const TimedLaunch&) = delete;
  TimedLaunch& operator=(const TimedLaunch&) = delete;
  ~TimedLaunch() {
    if (graph) cudaGraphExecDestroy(graph);
    if (stop) cudaEventDestroy(stop);
    if (start) cudaEventDestroy(start);
  }
};

struct OwnStream {
  cudaStream_t stream = nullptr;
  OwnStream() { KILN_CUDA_CHECK(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking), "cuda timing"); }
  ~OwnStream() { cudaStreamDestroy(stream); }
};

// Records [start, launch, stop] into a graph; null when the launch cannot be recorded (capture errors are cleared).
cudaGraphExec_t recordBetweenEvents(const std::function<void(void*)>& launch, cudaStream_t s, const TimedLaunch& t) {
  if (cudaStreamBeginCapture(s, cudaStreamCaptureModeThreadLocal) != cudaSuccess) {
    cudaGetLastError();
    return nullptr;
  }
  cudaGraph_t graph = nullptr;
  bool queued = false;
  try {
    queued = cudaEventRecordWithFlags(t.start, s, cudaEventRecordExternal) == cudaSuccess;
    if (queued) launch(s);
    queued = queued && cudaEventRecordWithFlags(t.stop, s, cudaEventRecordExternal) == cudaSuccess;
  } catch (const Error&) {
    queued = false;
  }
  cudaError_t ended = cudaStreamEndCapture(s, &graph);
  cudaGraphExec_t exec = nullptr;
  if (queued && ended == cudaSuccess && graph && cudaGraphInstantiate(&exec, graph, 0) != cudaSuccess) exec = nullptr;
  if (graph) cudaGraphDestroy(graph);
  cudaGetLastError();
  return exec;
}

}  // namespace

std::vector<double> medianLaunchTimes(const std::vector<std::function<void(void*)>>& launches, int32_t rounds) {
  OwnStream own;
  cudaStream_t s = own.stream;
  std::vector<TimedLaunch> timed(launches.size());
  for (size_t i = 0; i < launches.size(); ++i) {
    KILN_CUDA_CHECK(cudaEventCreate(&timed[i].start), "cuda timing");
    KILN_CUDA_CHECK(cudaEventCreate(&timed[i].stop), "cuda timing");
    for (int32_t w = 0; w < kWarmUps; ++w) launches[i](s);
    KILN_CUDA_CHECK(cudaStreamSynchronize(s), "cuda timing");
    timed[i].graph = recordBetweenEvents(launches[i], s, timed[i]);
    if (timed[i].graph) {  // the recorded graph's first replay uploads it: not a sample
      KILN_CUDA_CHECK(cudaGraphLaunch(timed[i].graph, s), "cuda timing");
      KILN_CUDA_CHECK(cudaStreamSynchronize(s), "cuda timing");
    }
  }
  std::vector<std::vector<double>> samples(launches.size());
  for (int32_t round = 0; round < rounds; ++round) {
    for (size_t i = 0; i < launches.size(); ++i) {
      const TimedLaunch& t = timed[i];
      if (t.graph) {
        KILN_CUDA_CHECK(cudaGraphLaunch(t.graph, s), "cuda timing");
        continue;
      }
      KILN_CUDA_CHECK(cudaEventRecord(t.start, s), "cuda timing");
      for (int32_t b = 0; b < kEagerBurst; ++b) launches[i](s);
      KILN_CUDA_CHECK(cudaEventRecord(t.stop, s), "cuda timing");
    }
    KILN_CUDA_CHECK(cudaStreamSynchronize(s), "cuda timing");
    for (size_t i = 0; i < launches.size(); ++i) {
      float elapsed = 0;
      KILN_CUDA_CHECK(cudaEventElapsedTime(&elapsed, timed[i].start, timed[i].stop), "cuda timing");
      samples[i].push_back(timed[i].graph ? elapsed : elapsed / kEagerBurst);
    }
  }
  std::vector<double> medians;
  for (auto& s : samples) medians.push_back(backend::median(s));
  return medians;
}

}  // namespace kiln::cuda
