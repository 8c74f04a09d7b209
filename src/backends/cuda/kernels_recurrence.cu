// CUDA recurrence (ONNX RNN, GRU and LSTM) with the CPU kernel's semantics (kernels_recurrence.cpp) and its gate
// arithmetic (recurrence_cell.h), accumulating in fp64: one block per (direction, batch entry) runs that entry's time
// steps one after another, its threads over the gate rows for the projections x * W^T and h * R^T, then over the
// hidden units for the cell; the state lives in the workspace. fp32, fp64, fp16 and bf16 data. A sequence length
// outside [0, sequence] cannot be reported without a host synchronization: its batch entry's outputs are zeros.
#include "backends/common/recurrence_cell.h"
#include "backends/cuda/device_tensor.cuh"

namespace kiln::cuda {

namespace {

using backend::GateInputs;
using backend::RecurrenceActivation;
using backend::RecurrenceGeometry;
using backend::RecurrenceParams;

// The doubles of one block's state: h, next h, c, the GRU's reset gate and reset-gated h ([hidden] each), then the
// gate inputs xw and hr ([gates * hidden] each).
__host__ __device__ inline int64_t stateDoubles(int64_t hidden, int64_t rows) { return 5 * hidden + 2 * rows; }

// The layer's tensors; optional ones are null when absent.
template <typename S>
struct RecurrenceTensors {
  const S *x, *w, *r, *bias, *initialH, *initialC, *peep;
  const int32_t* lengths;
  S *y, *yH, *yC;
};

// Block d * batch + b runs direction d of batch entry b.
template <typename N>
__global__ void recurrenceKernel(RecurrenceTensors<typename N::Storage> t, RecurrenceParams p, RecurrenceGeometry g,
                                 double* workspace) {
  using S = typename N::Storage;
  using C = typename N::Compute;
  auto load = [](S v) { return static_cast<double>(N::load(v)); };
  int64_t d = blockIdx.x / g.batch, b = blockIdx.x % g.batch;
  int64_t hidden = g.hidden, input = g.input, rows = p.gates() * hidden;
  double* h = workspace + blockIdx.x * stateDoubles(hidden, rows);
  double *next = h + hidden, *c = next + hidden, *reset = c + hidden, *resetH = reset + hidden;
  double *xw = resetH + hidden, *hr = xw + rows;
  const S* w = t.w + d * rows * input;
  const S* r = t.r + d * rows * hidden;
  const S* wBias = t.bias ? t.bias + d * 2 * rows : nullptr;
  const S* rBias = t.bias ? t.bias + d * 2 * rows + rows : nullptr;
  const S* peep = t.peep ? t.peep + d * 3 * hidden : nullptr;
  const RecurrenceActivation* f = p.functions(d);
  GateInputs gates{xw, hr, hidden};

  int64_t length = t.lengths ? t.lengths[b] : g.sequence;
  bool valid = length >= 0 && length <= g.sequence;
  if (!valid) length = 0;
  int64_t state = g.stateAt(d, b);
  for (int64_t j = threadIdx.x; j < hidden; j += blockDim.x) {
    h[j] = valid && t.initialH ? load(t.initialH[state + j]) : 0.0;
    c[j] = valid && t.initialC ? load(t.initialC[state + j]) : 0.0;
  }
  __syncthreads();

  // The reverse pass starts at the sequence's last valid step; steps past its length stay zero in Y.
  for (int64_t step = 0; step < length; ++step) {
    int64_t time = p.reverse(d) ? length - 1 - step : step;
    const S* x = t.x + g.xAt(time, b);
    for (int64_t row = threadIdx.x; row < rows; row += blockDim.x) {
      double sx = wBias ? load(wBias[row]) : 0.0, sh = rBias ? load(rBias[row]) : 0.0;
      for (int64_t k = 0; k < input; ++k) sx += load(x[k]) * load(w[row * input + k]);
      for (int64_t k = 0; k < hidden; ++k) sh += h[k] * load(r[row * hidden + k]);
      xw[row] = sx;
      hr[row] = sh;
    }
    __syncthreads();
    // p.cell is the same for every thread, so each __syncthreads below is reached by all of them.
    switch (p.cell) {
      case RecurrenceCell::kRNN:
        for (int64_t j = threadIdx.x; j < hidden; j += blockDim.x) next[j] = backend::rnnHidden(p, f, gates, j);
        break;
      case RecurrenceCell::kGRU:
        // Without linear_before_reset, unit j's candidate reads (rt (.) Ht-1) of every unit.
        for (int64_t j = threadIdx.x; j < hidden; j += blockDim.x) {
          reset[j] = backend::gruGate(p, f, gates, 1, j);
          resetH[j] = reset[j] * h[j];
        }
        __syncthreads();
        for (int64_t j = threadIdx.x; j < hidden; j += blockDim.x) {
          double resetRecurrent = 0;
          if (!p.linearBeforeReset) {
            int64_t row = 2 * hidden + j;
            resetRecurrent = rBias ? load(rBias[row]) : 0.0;
            for (int64_t k = 0; k < hidden; ++k) resetRecurrent += resetH[k] * load(r[row * hidden + k]);
          }
          double z = backend::gruGate(p, f, gates, 0, j);
          next[j] = backend::gruHidden(p, f, gates, j, z, reset[j], resetRecurrent, h[j]);
        }
        break;
      case RecurrenceCell::kLSTM:
        for (int64_t j = threadIdx.x; j < hidden; j += blockDim.x) {
          double unitPeep[3] = {0, 0, 0};
          if (peep)
            for (int64_t gate = 0; gate < 3; ++gate) unitPeep[gate] = load(peep[gate * hidden + j]);
          backend::LstmUnit unit = backend::lstmUnit(p, f, gates, j, unitPeep, c[j]);
          c[j] = unit.c;
          next[j] = unit.h;
        }
        break;
    }
    __syncthreads();
    double* previous = h;
    h = next;
    next = previous;
    if (t.y)
      for (int64_t j = threadIdx.x; j < hidden; j += blockDim.x)
        t.y[g.yAt(time, d, b) + j] = N::store(static_cast<C>(h[j]));
  }

  if (t.y)
    for (int64_t e = threadIdx.x; e < (g.sequence - length) * hidden; e += blockDim.x)
      t.y[g.yAt(length + e / hidden, d, b) + e % hidden] = N::store(C(0));
  // Each thread writes the units it updated itself.
  for (int64_t j = threadIdx.x; j < hidden; j += blockDim.x) {
    if (t.yH) t.yH[state + j] = N::store(static_cast<C>(valid ? h[j] : 0.0));
    if (t.yC) t.yC[state + j] = N::store(static_cast<C>(valid ? c[j] : 0.0));
  }
}

class Recurrence {
 public:
  Recurrence(const KernelSpec& spec, DataType type)
      : p_(backend::readRecurrenceParams(spec)), type_(type), step_(spec.step.name) {}

  size_t workspaceBytes(const KernelArgs& a) const {
    RecurrenceGeometry g(a, p_);
    return static_cast<size_t>(g.directions * g.batch * stateDoubles(g.hidden, p_.gates() * g.hidden)) * sizeof(double);
  }

  void operator()(const KernelArgs& a) const {
    RecurrenceGeometry g(a, p_);
    if (g.batch == 0 || g.hidden == 0) return;
    size_t bytes = workspaceBytes(a);
    if (a.workspaceSize < bytes || !a.workspace)
      throw Error(ErrorCode::kRUNTIME, "the recurrence needs " + std::to_string(bytes) + " bytes of workspace, got " +
                                           std::to_string(a.workspaceSize));
    auto blocks = static_cast<unsigned>(g.directions * g.batch);
    dispatchElement(type_, [&](auto tag) {
      using N = decltype(tag);
      using S = typename N::Storage;
      if constexpr (kFloating<N>) {
        auto data = [&](int32_t i) { return a.hasInput(i) ? static_cast<const S*>(a.in(i).data) : nullptr; };
        auto output = [&](int32_t i) { return i < a.nbOutputs ? static_cast<S*>(a.out(i).data) : nullptr; };
        RecurrenceTensors<S> t{data(backend::kX),
                               data(backend::kW),
                               data(backend::kR),
                               data(backend::kB),
                               data(backend::kINITIAL_H),
                               data(backend::kINITIAL_C),
                               data(backend::kP),
                               a.hasInput(backend::kSEQUENCE_LENS)
                                   ? static_cast<const int32_t*>(a.in(backend::kSEQUENCE_LENS).data)
                                   : nullptr,
                               output(0),
                               output(1),
                               output(2)};
        recurrenceKernel<N><<<blocks, kThreads, 0, streamOf(a)>>>(t, p_, g, static_cast<double*>(a.workspace));
      }
    });
    checkLaunch(step_);
  }

 private:
  RecurrenceParams p_;
  DataType type_;
  std::string step_;
};

std::unique_ptr<Kernel> makeRecurrence(const KernelSpec& spec) {
  DataType type = spec.inputType(backend::kX);
  if (type != DataType::kFLOAT && type != DataType::kDOUBLE && type != DataType::kHALF && type != DataType::kBF16)
    spec.unsupported(std::string("the CUDA recurrence supports fp32, fp64, fp16 and bf16, not ") + dataTypeName(type));
  return std::make_unique<backend::WorkspaceKernel<Recurrence>>(spec, Recurrence(spec, type));
}

}  // namespace

void registerRecurrenceKernels(KernelTable& table) { table.add(LayerType::kRECURRENCE, makeRecurrence); }

}  // namespace kiln::cuda
