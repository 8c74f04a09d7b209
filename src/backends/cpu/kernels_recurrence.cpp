// CPU kernel: recurrence (ONNX RNN, GRU and LSTM) in fp32 and fp64, one time step after another, accumulating in
// double.
#include <algorithm>
#include <string>
#include <vector>

#include "backends/cpu/activation_function.h"
#include "backends/cpu/cpu_kernel.h"

namespace kiln::cpu {

namespace {

// Input positions, in ONNX order (see infer_recurrence.cpp).
enum RecurrenceInput : int32_t { kX, kW, kR, kB, kSEQUENCE_LENS, kINITIAL_H, kINITIAL_C, kP };

struct Activation {
  ActivationType type;
  double alpha = 0, beta = 0;
  double operator()(double x) const { return activation(type, x, alpha, beta); }
};

struct RecurrenceParams {
  RecurrenceCell cell = RecurrenceCell::kRNN;
  RecurrenceDirection direction = RecurrenceDirection::kFORWARD;
  bool batchFirst = false;
  std::vector<Activation> activations;  // the cell's functions for direction 0, then direction 1
  double clip = 0;                      // <= 0: no clipping
  bool linearBeforeReset = false;
  bool inputForget = false;

  int64_t directions() const { return direction == RecurrenceDirection::kBIDIRECTIONAL ? 2 : 1; }
  int64_t gates() const { return cell == RecurrenceCell::kRNN ? 1 : cell == RecurrenceCell::kGRU ? 3 : 4; }
  int64_t functionsPerDirection() const { return static_cast<int64_t>(activations.size()) / directions(); }
  // "Clipping bounds the elements of a tensor in the range of [-threshold, +threshold] and is applied to the input
  // of activations": here the gates' inputs; the cell state that h receives is not clipped.
  double clipped(double v) const { return clip > 0 ? std::clamp(v, -clip, clip) : v; }
};

// One direction's weights, the previous state and the gate inputs of the current step, for one batch entry.
template <typename T>
struct CellState {
  const T* w;       // [gates * hidden, input]
  const T* r;       // [gates * hidden, hidden]
  const T* wBias;   // [gates * hidden] or null
  const T* rBias;   // [gates * hidden] or null
  const T* peep;    // [3 * hidden] (i, o, f) or null
  const Activation* f;  // the cell's functions f, g, h
  int64_t input = 0, hidden = 0;
  std::vector<double> h, c, xw, hr, next;

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
};

// "Ht = f(Xt*(Wi^T) + Ht-1*(Ri^T) + Wbi + Rbi)"
template <typename T>
void stepRnn(CellState<T>& s, const RecurrenceParams& p) {
  for (int64_t j = 0; j < s.hidden; ++j) s.next[j] = s.f[0](p.clipped(s.xw[j] + s.hr[j]));
}

// Gates z, r, h: "zt = f(Xt*(Wz^T) + Ht-1*(Rz^T) + Wbz + Rbz)", "rt = f(...)", then
// "ht = g(Xt*(Wh^T) + (rt (.) Ht-1)*(Rh^T) + Rbh + Wbh)" or, with linear_before_reset,
// "ht = g(Xt*(Wh^T) + (rt (.) (Ht-1*(Rh^T) + Rbh)) + Wbh)"; "Ht = (1 - zt) (.) ht + zt (.) Ht-1".
template <typename T>
void stepGru(CellState<T>& s, const RecurrenceParams& p) {
  int64_t n = s.hidden;
  std::vector<double> z(n), reset(n);
  for (int64_t j = 0; j < n; ++j) {
    z[j] = s.f[0](p.clipped(s.xw[j] + s.hr[j]));
    reset[j] = s.f[0](p.clipped(s.xw[n + j] + s.hr[n + j]));
  }
  for (int64_t j = 0; j < n; ++j) {
    double recurrent;
    if (p.linearBeforeReset) {
      recurrent = reset[j] * s.hr[2 * n + j];
    } else {
      int64_t row = 2 * n + j;
      recurrent = s.rBias ? static_cast<double>(s.rBias[row]) : 0.0;
      for (int64_t k = 0; k < n; ++k) recurrent += reset[k] * s.h[k] * static_cast<double>(s.r[row * n + k]);
    }
    double candidate = s.f[1](p.clipped(s.xw[2 * n + j] + recurrent));
    s.next[j] = (1.0 - z[j]) * candidate + z[j] * s.h[j];
  }
}

// Gates i, o, f, c: "it = f(Xt*(Wi^T) + Ht-1*(Ri^T) + Pi (.) Ct-1 + Wbi + Rbi)", "ft = f(... + Pf (.) Ct-1 ...)",
// "ct = g(Xt*(Wc^T) + Ht-1*(Rc^T) + Wbc + Rbc)", "Ct = ft (.) Ct-1 + it (.) ct",
// "ot = f(Xt*(Wo^T) + Ht-1*(Ro^T) + Po (.) Ct + Wbo + Rbo)", "Ht = ot (.) h(Ct)". input_forget couples the
// forget gate to the input gate: ft = 1 - it.
template <typename T>
void stepLstm(CellState<T>& s, const RecurrenceParams& p) {
  int64_t n = s.hidden;
  auto peep = [&](int64_t gate, int64_t j) { return s.peep ? static_cast<double>(s.peep[gate * n + j]) : 0.0; };
  for (int64_t j = 0; j < n; ++j) {
    double in = s.f[0](p.clipped(s.xw[j] + s.hr[j] + peep(0, j) * s.c[j]));
    double forget = p.inputForget ? 1.0 - in : s.f[0](p.clipped(s.xw[2 * n + j] + s.hr[2 * n + j] + peep(2, j) * s.c[j]));
    double cell = s.f[1](p.clipped(s.xw[3 * n + j] + s.hr[3 * n + j]));
    double c = forget * s.c[j] + in * cell;
    double out = s.f[0](p.clipped(s.xw[n + j] + s.hr[n + j] + peep(1, j) * c));
    s.c[j] = c;
    s.next[j] = out * s.f[2](c);
  }
}

template <typename T>
void recurrence(const KernelArgs& a, const RecurrenceParams& p) {
  const Dims& xShape = a.in(kX).shape;
  int64_t sequence = xShape.d[p.batchFirst ? 1 : 0], batch = xShape.d[p.batchFirst ? 0 : 1], input = xShape.d[2];
  int64_t hidden = a.in(kR).shape.d[2], directions = p.directions(), rows = p.gates() * hidden;
  auto data = [&](int32_t i) { return a.hasInput(i) ? static_cast<const T*>(a.in(i).data) : nullptr; };
  auto output = [&](int32_t i) { return i < a.nbOutputs ? static_cast<T*>(a.out(i).data) : nullptr; };
  const T *x = data(kX), *bias = data(kB), *initialH = data(kINITIAL_H), *initialC = data(kINITIAL_C), *peep = data(kP);
  const auto* lengths = a.hasInput(kSEQUENCE_LENS) ? static_cast<const int32_t*>(a.in(kSEQUENCE_LENS).data) : nullptr;
  T *y = output(0), *yH = output(1), *yC = output(2);

  // Element offsets of X[t, b], Y[t, d, b] and a state [d, b] in either layout.
  auto xAt = [&](int64_t t, int64_t b) { return (p.batchFirst ? b * sequence + t : t * batch + b) * input; };
  auto yAt = [&](int64_t t, int64_t d, int64_t b) {
    return (p.batchFirst ? (b * sequence + t) * directions + d : (t * directions + d) * batch + b) * hidden;
  };
  auto stateAt = [&](int64_t d, int64_t b) { return (p.batchFirst ? b * directions + d : d * batch + b) * hidden; };

  for (int64_t b = 0; b < batch; ++b) {
    int64_t length = lengths ? lengths[b] : sequence;
    if (length < 0 || length > sequence)
      throw Error(ErrorCode::kINVALID_ARGUMENT, "sequence_lens[" + std::to_string(b) + "] = " +
                                                    std::to_string(length) + " is outside [0, " +
                                                    std::to_string(sequence) + "]");
  }
  for (int64_t d = 0; d < directions; ++d) {
    bool reverse = p.direction == RecurrenceDirection::kREVERSE || d == 1;
    CellState<T> s{static_cast<const T*>(a.in(kW).data) + d * rows * input,
                   static_cast<const T*>(a.in(kR).data) + d * rows * hidden,
                   bias ? bias + d * 2 * rows : nullptr,
                   bias ? bias + d * 2 * rows + rows : nullptr,
                   peep ? peep + d * 3 * hidden : nullptr,
                   p.activations.data() + d * p.functionsPerDirection(),
                   input, hidden, {}, {}, {}, {}, {}};
    s.xw.resize(rows);
    s.hr.resize(rows);
    s.next.resize(hidden);
    for (int64_t b = 0; b < batch; ++b) {
      int64_t length = lengths ? lengths[b] : sequence;
      s.h.assign(hidden, 0.0);
      s.c.assign(hidden, 0.0);
      for (int64_t j = 0; j < hidden; ++j) {
        if (initialH) s.h[j] = static_cast<double>(initialH[stateAt(d, b) + j]);
        if (initialC) s.c[j] = static_cast<double>(initialC[stateAt(d, b) + j]);
      }
      // The reverse pass starts at the sequence's last valid step; steps past its length stay zero in Y.
      for (int64_t step = 0; step < length; ++step) {
        int64_t t = reverse ? length - 1 - step : step;
        s.project(x + xAt(t, b));
        switch (p.cell) {
          case RecurrenceCell::kRNN: stepRnn(s, p); break;
          case RecurrenceCell::kGRU: stepGru(s, p); break;
          case RecurrenceCell::kLSTM: stepLstm(s, p); break;
        }
        s.h.swap(s.next);
        if (y) std::transform(s.h.begin(), s.h.end(), y + yAt(t, d, b), [](double v) { return static_cast<T>(v); });
      }
      if (y)
        for (int64_t t = length; t < sequence; ++t) std::fill_n(y + yAt(t, d, b), hidden, T(0));
      for (int64_t j = 0; j < hidden; ++j) {
        if (yH) yH[stateAt(d, b) + j] = static_cast<T>(s.h[j]);
        if (yC) yC[stateAt(d, b) + j] = static_cast<T>(s.c[j]);
      }
    }
  }
}

// The cell's default functions: "f=Tanh" (RNN), "f=Sigmoid, g=Tanh" (GRU), "f=Sigmoid, g=Tanh, h=Tanh" (LSTM).
std::vector<Activation> defaultActivations(RecurrenceCell cell) {
  const Activation sigmoid{ActivationType::kSIGMOID}, hyperbolicTangent{ActivationType::kTANH};
  switch (cell) {
    case RecurrenceCell::kRNN: return {hyperbolicTangent};
    case RecurrenceCell::kGRU: return {sigmoid, hyperbolicTangent};
    case RecurrenceCell::kLSTM: return {sigmoid, hyperbolicTangent, hyperbolicTangent};
  }
  return {};
}

std::unique_ptr<Kernel> makeRecurrence(const KernelSpec& spec) {
  const graph::Attrs& attrs = spec.step.attrs;
  RecurrenceParams p;
  p.cell = static_cast<RecurrenceCell>(attrs.getInt("cell"));
  p.direction = static_cast<RecurrenceDirection>(attrs.getInt("direction"));
  p.batchFirst = attrs.getInt("batch_first") != 0;
  p.clip = attrs.getFloat("clip", 0.0);
  p.linearBeforeReset = attrs.getInt("linear_before_reset") != 0;
  p.inputForget = attrs.getInt("input_forget") != 0;
  if (attrs.has("activations")) {
    std::vector<int64_t> types = attrs.getInts("activations");
    std::vector<double> alphas = attrs.getFloats("activation_alphas"), betas = attrs.getFloats("activation_betas");
    for (size_t i = 0; i < types.size(); ++i)
      p.activations.push_back({static_cast<ActivationType>(types[i]), alphas.at(i), betas.at(i)});
  } else {
    for (int64_t d = 0; d < p.directions(); ++d)
      for (const Activation& f : defaultActivations(p.cell)) p.activations.push_back(f);
  }
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
