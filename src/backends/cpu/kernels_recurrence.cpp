// CPU kernel: recurrence (ONNX RNN, GRU and LSTM) in fp32 and fp64, one time step after another, accumulating in
// double; the gate arithmetic is recurrence_cell.h's, shared with the CUDA kernel.
#include <algorithm>
#include <string>
#include <vector>

#include "backends/common/recurrence_cell.h"
#include "backends/cpu/cpu_kernel.h"

namespace kiln::cpu {

namespace {

using backend::GateInputs;
using backend::kB;
using backend::kINITIAL_C;
using backend::kINITIAL_H;
using backend::kP;
using backend::kR;
using backend::kSEQUENCE_LENS;
using backend::kW;
using backend::kX;
using backend::RecurrenceActivation;
using backend::RecurrenceGeometry;
using backend::RecurrenceParams;

// One direction's weights, the previous state and the gate inputs of the current step, for one batch entry.
template <typename T>
struct CellState {
  const T* w;                     // [gates * hidden, input]
  const T* r;                     // [gates * hidden, hidden]
  const T* wBias;                 // [gates * hidden] or null
  const T* rBias;                 // [gates * hidden] or null
  const T* peep;                  // [3 * hidden] (i, o, f) or null
  const RecurrenceActivation* f;  // the cell's functions f, g, h
  int64_t input = 0, hidden = 0;
  std::vector<double> h, c, xw, hr, next, reset;

  // xw = x * W^T + Wb and hr = h * R^T + Rb, for every gate row.
  void project(const T* x) {
    int64_t rows = static_cast<int64_t>(xw.size());
    for (int64_t row = 0; row < rows; ++row) {
      double sx = wBias ? static_cast<double>(wBias[row]) : 0.0, sh = rBias ? static_cast<double>(rBias[row]) : 0.0;
      for (int64_t k = 0; k < input; ++k) sx += static_cast<double>(x[k]) * static_cast<double>(w[row * input + k]);
      for (int64_t k = 0; k < hidden; ++k) sh += h[k] * static_cast<double>(r[row * hidden + k]);
      xw[row] = sx;
      hr[row] = sh;
    }
  }
  GateInputs gates() const { return {xw.data(), hr.data(), hidden}; }
};

template <typename T>
void stepRnn(CellState<T>& s, const RecurrenceParams& p) {
  for (int64_t j = 0; j < s.hidden; ++j) s.next[j] = backend::rnnHidden(p, s.f, s.gates(), j);
}

// Every reset gate comes first: without linear_before_reset, unit j's candidate reads (rt (.) Ht-1) of every unit.
template <typename T>
void stepGru(CellState<T>& s, const RecurrenceParams& p) {
  int64_t n = s.hidden;
  for (int64_t j = 0; j < n; ++j) s.reset[j] = backend::gruGate(p, s.f, s.gates(), 1, j);
  for (int64_t j = 0; j < n; ++j) {
    double resetRecurrent = 0;
    if (!p.linearBeforeReset) {
      int64_t row = 2 * n + j;
      resetRecurrent = s.rBias ? static_cast<double>(s.rBias[row]) : 0.0;
      for (int64_t k = 0; k < n; ++k) resetRecurrent += s.reset[k] * s.h[k] * static_cast<double>(s.r[row * n + k]);
    }
    double z = backend::gruGate(p, s.f, s.gates(), 0, j);
    s.next[j] = backend::gruHidden(p, s.f, s.gates(), j, z, s.reset[j], resetRecurrent, s.h[j]);
  }
}

template <typename T>
void stepLstm(CellState<T>& s, const RecurrenceParams& p) {
  int64_t n = s.hidden;
  for (int64_t j = 0; j < n; ++j) {
    double peep[3] = {0, 0, 0};
    if (s.peep)
      for (int64_t gate = 0; gate < 3; ++gate) peep[gate] = static_cast<double>(s.peep[gate * n + j]);
    backend::LstmUnit unit = backend::lstmUnit(p, s.f, s.gates(), j, peep, s.c[j]);
    s.c[j] = unit.c;
    s.next[j] = unit.h;
  }
}

template <typename T>
void recurrence(const KernelArgs& a, const RecurrenceParams& p) {
  RecurrenceGeometry g(a, p);
  int64_t sequence = g.sequence, batch = g.batch, input = g.input, hidden = g.hidden, directions = g.directions;
  int64_t rows = p.gates() * hidden;
  auto data = [&](int32_t i) { return a.hasInput(i) ? static_cast<const T*>(a.in(i).data) : nullptr; };
  auto output = [&](int32_t i) { return i < a.nbOutputs ? static_cast<T*>(a.out(i).data) : nullptr; };
  const T *x = data(kX), *bias = data(kB), *initialH = data(kINITIAL_H), *initialC = data(kINITIAL_C), *peep = data(kP);
  const auto* lengths = a.hasInput(kSEQUENCE_LENS) ? static_cast<const int32_t*>(a.in(kSEQUENCE_LENS).data) : nullptr;
  T *y = output(0), *yH = output(1), *yC = output(2);

  for (int64_t b = 0; b < batch; ++b) {
    int64_t length = lengths ? lengths[b] : sequence;
    if (length < 0 || length > sequence)
      throw Error(ErrorCode::kINVALID_ARGUMENT, "sequence_lens[" + std::to_string(b) + "] = " + std::to_string(length) +
                                                    " is outside [0, " + std::to_string(sequence) + "]");
  }
  for (int64_t d = 0; d < directions; ++d) {
    bool reverse = p.reverse(d);
    CellState<T> s{static_cast<const T*>(a.in(kW).data) + d * rows * input,
                   static_cast<const T*>(a.in(kR).data) + d * rows * hidden,
                   bias ? bias + d * 2 * rows : nullptr,
                   bias ? bias + d * 2 * rows + rows : nullptr,
                   peep ? peep + d * 3 * hidden : nullptr,
                   p.functions(d),
                   input,
                   hidden,
                   {},
                   {},
                   {},
                   {},
                   {},
                   {}};
    s.xw.resize(rows);
    s.hr.resize(rows);
    s.next.resize(hidden);
    s.reset.resize(hidden);
    for (int64_t b = 0; b < batch; ++b) {
      int64_t length = lengths ? lengths[b] : sequence;
      s.h.assign(hidden, 0.0);
      s.c.assign(hidden, 0.0);
      for (int64_t j = 0; j < hidden; ++j) {
        if (initialH) s.h[j] = static_cast<double>(initialH[g.stateAt(d, b) + j]);
        if (initialC) s.c[j] = static_cast<double>(initialC[g.stateAt(d, b) + j]);
      }
      // The reverse pass starts at the sequence's last valid step; steps past its length stay zero in Y.
      for (int64_t step = 0; step < length; ++step) {
        int64_t t = reverse ? length - 1 - step : step;
        s.project(x + g.xAt(t, b));
        switch (p.cell) {
          case RecurrenceCell::kRNN: stepRnn(s, p); break;
          case RecurrenceCell::kGRU: stepGru(s, p); break;
          case RecurrenceCell::kLSTM: stepLstm(s, p); break;
        }
        s.h.swap(s.next);
        if (y) std::transform(s.h.begin(), s.h.end(), y + g.yAt(t, d, b), [](double v) { return static_cast<T>(v); });
      }
      if (y)
        for (int64_t t = length; t < sequence; ++t) std::fill_n(y + g.yAt(t, d, b), hidden, T(0));
      for (int64_t j = 0; j < hidden; ++j) {
        if (yH) yH[g.stateAt(d, b) + j] = static_cast<T>(s.h[j]);
        if (yC) yC[g.stateAt(d, b) + j] = static_cast<T>(s.c[j]);
      }
    }
  }
}

std::unique_ptr<Kernel> makeRecurrence(const KernelSpec& spec) {
  RecurrenceParams p = backend::readRecurrenceParams(spec);
  switch (spec.inputType(kX)) {
    case DataType::kFLOAT: return makeKernel(spec, [p](const KernelArgs& a) { recurrence<float>(a, p); });
    case DataType::kDOUBLE: return makeKernel(spec, [p](const KernelArgs& a) { recurrence<double>(a, p); });
    default:
      spec.unsupported(std::string("the CPU recurrence supports fp32 and fp64, not ") +
                       dataTypeName(spec.inputType(kX)));
  }
}

}  // namespace

void registerRecurrenceKernels(KernelTable& table) { table.add(LayerType::kRECURRENCE, makeRecurrence); }

}  // namespace kiln::cpu
