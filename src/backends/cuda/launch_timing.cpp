// Each launch is recorded into a CUDA graph with event-record nodes around it, so that its time is what its kernels
// take on the device. Timed between events queued around an eager launch, a small kernel's time was mostly the host's
// work to queue it (cuDNN's legacy API spends tens of microseconds there, more than a small convolution runs), which
// differs between algorithms and is absent when an engine replays its graphs: such timings chose fp16 convolutions
// without tensor cores. Work that cannot be recorded is timed eagerly.
#include "backends/cuda/launch_timing.h"

#include "backends/common/backend.h"
#include "backends/cuda/cuda_check.h"

namespace kiln::cuda {

namespace {

constexpr int32_t kWarmUps = 3;     // clocks, lazily loaded modules, library caches
constexpr int32_t kEagerBurst = 4;  // back-to-back runs per eager sample, so the host can run ahead of the device

struct Events {
  std::vector<cudaEvent_t> events;
  explicit Events(size_t count) : events(count, nullptr) {
    for (auto& e : events) KILN_CUDA_CHECK(cudaEventCreate(&e), "cuda timing");
  }
  Events(const Events&) = delete;
  Events& operator=(const Events&) = delete;
  Events(Events&&) = default;
  ~Events() {
    for (cudaEvent_t e : events)
      if (e) cudaEventDestroy(e);
  }
  cudaEvent_t operator[](size_t i) const { return events[i]; }
  double ms(size_t from, size_t to) const {
    float elapsed = 0;
    KILN_CUDA_CHECK(cudaEventElapsedTime(&elapsed, events[from], events[to]), "cuda timing");
    return elapsed;
  }
};

struct Graph {
  cudaGraphExec_t exec = nullptr;
  Graph() = default;
  Graph(const Graph&) = delete;
  Graph& operator=(const Graph&) = delete;
  Graph(Graph&& o) noexcept : exec(o.exec) { o.exec = nullptr; }
  ~Graph() {
    if (exec) cudaGraphExecDestroy(exec);
  }
};

struct OwnStream {
  cudaStream_t stream = nullptr;
  OwnStream() { KILN_CUDA_CHECK(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking), "cuda timing"); }
  ~OwnStream() { cudaStreamDestroy(stream); }
};

// Queues an event record that becomes a node of the graph being captured (a timestamp when the graph replays).
void recordNode(cudaEvent_t event, cudaStream_t s) {
  KILN_CUDA_CHECK(cudaEventRecordWithFlags(event, s, cudaEventRecordExternal), "cuda timing");
}

// Records what `queue` queues on `s` into an instantiated graph; an empty one where `s` cannot record or the work
// cannot be recorded (capture errors are cleared, so the caller can run the work eagerly instead).
Graph recordGraph(cudaStream_t s, const std::function<void()>& queue) {
  Graph g;
  cudaStreamCaptureStatus status = cudaStreamCaptureStatusNone;
  if (!s || cudaStreamIsCapturing(s, &status) != cudaSuccess || status != cudaStreamCaptureStatusNone ||
      cudaStreamBeginCapture(s, cudaStreamCaptureModeThreadLocal) != cudaSuccess) {
    cudaGetLastError();
    return g;
  }
  bool queued = true;
  cudaGraph_t graph = nullptr;
  try {
    queue();
  } catch (const Error&) {
    queued = false;
  } catch (...) {  // anything else propagates, with the stream no longer capturing
    if (cudaStreamEndCapture(s, &graph) == cudaSuccess && graph) cudaGraphDestroy(graph);
    cudaGetLastError();
    throw;
  }
  cudaError_t ended = cudaStreamEndCapture(s, &graph);
  if (queued && ended == cudaSuccess && graph && cudaGraphInstantiate(&g.exec, graph, 0) != cudaSuccess)
    g.exec = nullptr;
  if (graph) cudaGraphDestroy(graph);
  cudaGetLastError();
  return g;
}

}  // namespace

std::vector<double> medianLaunchTimes(const std::vector<std::function<void(void*)>>& launches, int32_t rounds) {
  OwnStream own;
  cudaStream_t s = own.stream;
  std::vector<Events> events;
  std::vector<Graph> graphs;
  for (const auto& launch : launches) {
    events.emplace_back(2);
    for (int32_t w = 0; w < kWarmUps; ++w) launch(s);
    KILN_CUDA_CHECK(cudaStreamSynchronize(s), "cuda timing");
    const Events& e = events.back();
    graphs.push_back(recordGraph(s, [&] {
      recordNode(e[0], s);
      launch(s);
      recordNode(e[1], s);
    }));
    if (graphs.back().exec) {  // the first replay uploads the graph: not a sample
      KILN_CUDA_CHECK(cudaGraphLaunch(graphs.back().exec, s), "cuda timing");
      KILN_CUDA_CHECK(cudaStreamSynchronize(s), "cuda timing");
    }
  }
  std::vector<std::vector<double>> samples(launches.size());
  for (int32_t round = 0; round < rounds; ++round) {
    for (size_t i = 0; i < launches.size(); ++i) {
      if (graphs[i].exec) {
        KILN_CUDA_CHECK(cudaGraphLaunch(graphs[i].exec, s), "cuda timing");
        continue;
      }
      KILN_CUDA_CHECK(cudaEventRecord(events[i][0], s), "cuda timing");
      for (int32_t b = 0; b < kEagerBurst; ++b) launches[i](s);
      KILN_CUDA_CHECK(cudaEventRecord(events[i][1], s), "cuda timing");
    }
    KILN_CUDA_CHECK(cudaStreamSynchronize(s), "cuda timing");
    for (size_t i = 0; i < launches.size(); ++i)
      samples[i].push_back(events[i].ms(0, 1) / (graphs[i].exec ? 1 : kEagerBurst));
  }
  return backend::medians(samples);
}

std::vector<double> timeEachStep(cudaStream_t s, size_t count, const std::function<void(size_t)>& run) {
  Events events(count + 1);
  auto queueAll = [&](bool asNodes) {
    auto mark = [&](size_t i) {
      if (asNodes)
        recordNode(events[i], s);
      else
        KILN_CUDA_CHECK(cudaEventRecord(events[i], s), "cuda profiling");
    };
    mark(0);
    for (size_t i = 0; i < count; ++i) {
      run(i);
      mark(i + 1);
    }
  };
  if (Graph g = recordGraph(s, [&] { queueAll(true); }); g.exec)
    KILN_CUDA_CHECK(cudaGraphLaunch(g.exec, s), "cuda profiling");
  else
    queueAll(false);
  KILN_CUDA_CHECK(cudaEventSynchronize(events[count]), "cuda profiling");
  std::vector<double> ms(count);
  for (size_t i = 0; i < count; ++i) ms[i] = events.ms(i, i + 1);
  return ms;
}

}  // namespace kiln::cuda
