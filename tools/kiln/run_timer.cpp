#include "run_timer.h"

#include <chrono>
#include <string>

#ifdef KILN_HAVE_CUDA
#include <cuda_runtime.h>
#endif

namespace kiln::cli {

namespace {

#ifdef KILN_HAVE_CUDA
void checkCuda(cudaError_t status, const std::string& what) {
  if (status != cudaSuccess)
    throw Error(ErrorCode::kRUNTIME, what + " failed: " + cudaGetErrorString(status), "kiln run");
}
#endif

}  // namespace

RunTimer::RunTimer(ExecutionContext& context) : context_(context), onDevice_(context.getEngine().isDeviceMemory()) {
  if (!onDevice_) return;
#ifdef KILN_HAVE_CUDA
  try {
    cudaStream_t stream = nullptr;
    cudaEvent_t start = nullptr, end = nullptr;
    checkCuda(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking), "cudaStreamCreateWithFlags");
    stream_ = stream;
    checkCuda(cudaEventCreate(&start), "cudaEventCreate");
    start_ = start;
    checkCuda(cudaEventCreate(&end), "cudaEventCreate");
    end_ = end;
    // The inputs were copied with cudaMemcpy on the legacy default stream, which a non-blocking stream does not
    // wait for (and a pageable copy may still be in flight when cudaMemcpy returns): finish them before the first run.
    checkCuda(cudaDeviceSynchronize(), "waiting for the input copies");
  } catch (...) {
    release();  // the destructor does not run for a constructor that throws
    throw;
  }
#else
  throw Error(ErrorCode::kUNSUPPORTED, "running a GPU plan needs a build with CUDA", "kiln run");
#endif
}

RunTimer::~RunTimer() { release(); }

void RunTimer::release() noexcept {
#ifdef KILN_HAVE_CUDA
  // Failures here (a dead context after a kernel fault, already reported) have nowhere to go.
  if (end_) cudaEventDestroy(static_cast<cudaEvent_t>(end_));
  if (start_) cudaEventDestroy(static_cast<cudaEvent_t>(start_));
  if (stream_) cudaStreamDestroy(static_cast<cudaStream_t>(stream_));
#endif
  end_ = start_ = stream_ = nullptr;
}

double RunTimer::run() {
  if (!onDevice_) {
    auto t0 = std::chrono::steady_clock::now();
    context_.executeV2().check();
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  }
  float ms = 0.0f;
#ifdef KILN_HAVE_CUDA
  auto stream = static_cast<cudaStream_t>(stream_);
  auto start = static_cast<cudaEvent_t>(start_), end = static_cast<cudaEvent_t>(end_);
  checkCuda(cudaEventRecord(start, stream), "cudaEventRecord");
  context_.enqueueV3(stream).check();
  checkCuda(cudaEventRecord(end, stream), "cudaEventRecord");
  checkCuda(cudaEventSynchronize(end), "the run (waiting for its end event)");
  checkCuda(cudaEventElapsedTime(&ms, start, end), "cudaEventElapsedTime");
#endif
  return ms;
}

}  // namespace kiln::cli
