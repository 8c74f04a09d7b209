// Times one run of a context at a time, the way the run's own memory asks: for a plan whose IO lives in host memory,
// the host clock around executeV2; for a GPU plan, a CUDA event pair around enqueueV3 on a non-blocking stream the
// timer creates (so no other work on the legacy default stream is ordered with it), the GPU's time from the start of
// the first kernel's queue to the end of the last, as trtexec and the PyTorch side of the benchmark measure it.
#pragma once

#include "kiln/kiln.h"

namespace kiln::cli {

class RunTimer {
 public:
  // Throws kiln::Error when the stream or the events cannot be created, or for a GPU plan in a build without CUDA.
  explicit RunTimer(ExecutionContext& context);
  ~RunTimer();
  RunTimer(const RunTimer&) = delete;
  RunTimer& operator=(const RunTimer&) = delete;

  // Runs once and waits for the run to finish; returns its latency in milliseconds. Throws kiln::Error for a failed
  // run or a CUDA error (a kernel's fault is reported at the wait).
  double run();

 private:
  void release() noexcept;

  ExecutionContext& context_;
  bool onDevice_;
  void* stream_ = nullptr;  // cudaStream_t
  void* start_ = nullptr;   // cudaEvent_t
  void* end_ = nullptr;     // cudaEvent_t
};

}  // namespace kiln::cli
