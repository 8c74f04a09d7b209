// ONNX RNN, GRU and LSTM arithmetic for one hidden unit of one time step, the attributes it reads and the tensor
// layouts, shared by the CPU kernel (host) and the CUDA kernel (device) so that both compute the same function, in
// fp64.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "backends/common/activation_function.h"
#include "backends/common/backend.h"
#include "backends/common/host_device.h"
#include "kiln/layers.h"
#include "ops/recurrence.h"

namespace kiln::backend {

// Input positions, in ONNX order (see infer_recurrence.cpp).
enum RecurrenceInput : int32_t { kX, kW, kR, kB, kSEQUENCE_LENS, kINITIAL_H, kINITIAL_C, kP };

struct RecurrenceActivation {
  ActivationType type = ActivationType::kTANH;
  double alpha = 0, beta = 0;
  KILN_HOST_DEVICE double operator()(double x) const { return backend::activation(type, x, alpha, beta); }
};

// The layer's attributes; a plain struct so that kernels take it by value.
struct RecurrenceParams {
  // Three functions (LSTM's f, g, h) for each of two directions at most.
  static constexpr int32_t kMaxActivations = 6;

  RecurrenceCell cell = RecurrenceCell::kRNN;
  RecurrenceDirection direction = RecurrenceDirection::kFORWARD;
  bool batchFirst = false;
  RecurrenceActivation activations[kMaxActivations] = {};  // the cell's functions for direction 0, then direction 1
  int32_t nbActivations = 0;
  double clip = 0;  // <= 0: no clipping
  bool linearBeforeReset = false;
  bool inputForget = false;

  KILN_HOST_DEVICE int64_t directions() const { return direction == RecurrenceDirection::kBIDIRECTIONAL ? 2 : 1; }
  KILN_HOST_DEVICE int64_t gates() const {
    return cell == RecurrenceCell::kRNN ? 1 : cell == RecurrenceCell::kGRU ? 3 : 4;
  }
  // Direction d's functions f, g, h.
  KILN_HOST_DEVICE const RecurrenceActivation* functions(int64_t d) const {
    return activations + d * (nbActivations / directions());
  }
  KILN_HOST_DEVICE bool reverse(int64_t d) const { return direction == RecurrenceDirection::kREVERSE || d == 1; }
  // "Clipping bounds the elements of a tensor in the range of [-threshold, +threshold] and is applied to the input
  // of activations": here the gates' inputs; the cell state that h receives is not clipped. NaN stays NaN.
  KILN_HOST_DEVICE double clipped(double v) const {
    if (clip <= 0) return v;
    return v < -clip ? -clip : v > clip ? clip : v;
  }
};

// Reads the step's attributes; without activations, the cell's defaults (ops::defaultRecurrenceActivations).
inline RecurrenceParams readRecurrenceParams(const KernelSpec& spec) {
  using ops::Recurrence;
  ops::OpAttrs attrs = spec.step.opAttrs();
  RecurrenceParams p;
  p.cell = attrs.get(Recurrence::kCell);
  p.direction = attrs.get(Recurrence::kDirection);
  p.batchFirst = attrs.get(Recurrence::kBatchFirst);
  p.clip = attrs.get(Recurrence::kClip);
  p.linearBeforeReset = attrs.get(Recurrence::kLinearBeforeReset);
  p.inputForget = attrs.get(Recurrence::kInputForget);
  int64_t perDirection = p.cell == RecurrenceCell::kRNN ? 1 : p.cell == RecurrenceCell::kGRU ? 2 : 3;
  std::vector<RecurrenceActivation> functions;
  if (attrs.has(Recurrence::kActivations)) {
    std::vector<int64_t> types = attrs.get(Recurrence::kActivations);
    std::vector<double> alphas = attrs.get(Recurrence::kActivationAlphas);
    std::vector<double> betas = attrs.get(Recurrence::kActivationBetas);
    if (alphas.size() != types.size() || betas.size() != types.size())
      spec.unsupported("recurrence activations need one alpha and one beta each");
    for (size_t i = 0; i < types.size(); ++i)
      functions.push_back({static_cast<ActivationType>(types[i]), alphas[i], betas[i]});
  } else {
    for (ActivationType type : ops::defaultRecurrenceActivations(p.cell, p.directions())) functions.push_back({type});
  }
  if (static_cast<int64_t>(functions.size()) != perDirection * p.directions())
    spec.unsupported("the recurrence cell and direction take " + std::to_string(perDirection * p.directions()) +
                     " activation functions, not " + std::to_string(functions.size()));
  for (const RecurrenceActivation& f : functions) p.activations[p.nbActivations++] = f;
  return p;
}

// Sizes of one run and the element offsets of X[t, b], Y[t, d, b] and a state [d, b] in either layout.
struct RecurrenceGeometry {
  int64_t sequence = 0, batch = 0, input = 0, hidden = 0, directions = 1;
  bool batchFirst = false;

  RecurrenceGeometry(const KernelArgs& a, const RecurrenceParams& p)
      : sequence(a.in(kX).shape.d[p.batchFirst ? 1 : 0]),
        batch(a.in(kX).shape.d[p.batchFirst ? 0 : 1]),
        input(a.in(kX).shape.d[2]),
        hidden(a.in(kR).shape.d[2]),
        directions(p.directions()),
        batchFirst(p.batchFirst) {}

  KILN_HOST_DEVICE int64_t xAt(int64_t t, int64_t b) const {
    return (batchFirst ? b * sequence + t : t * batch + b) * input;
  }
  KILN_HOST_DEVICE int64_t yAt(int64_t t, int64_t d, int64_t b) const {
    return (batchFirst ? (b * sequence + t) * directions + d : (t * directions + d) * batch + b) * hidden;
  }
  KILN_HOST_DEVICE int64_t stateAt(int64_t d, int64_t b) const {
    return (batchFirst ? b * directions + d : d * batch + b) * hidden;
  }
};

// The gate inputs of one step: xw = x * W^T + Wb and hr = h * R^T + Rb, gate after gate, `hidden` rows each.
struct GateInputs {
  const double* xw;
  const double* hr;
  int64_t hidden;
  KILN_HOST_DEVICE double sum(int64_t gate, int64_t j) const { return xw[gate * hidden + j] + hr[gate * hidden + j]; }
};

// "Ht = f(Xt*(Wi^T) + Ht-1*(Ri^T) + Wbi + Rbi)"
KILN_HOST_DEVICE inline double rnnHidden(const RecurrenceParams& p, const RecurrenceActivation* f, GateInputs g,
                                         int64_t j) {
  return f[0](p.clipped(g.sum(0, j)));
}

// GRU's gates z (0) and r (1): "zt = f(Xt*(Wz^T) + Ht-1*(Rz^T) + Wbz + Rbz)", "rt = f(...)".
KILN_HOST_DEVICE inline double gruGate(const RecurrenceParams& p, const RecurrenceActivation* f, GateInputs g,
                                       int64_t gate, int64_t j) {
  return f[0](p.clipped(g.sum(gate, j)));
}

// "ht = g(Xt*(Wh^T) + (rt (.) Ht-1)*(Rh^T) + Rbh + Wbh)" or, with linear_before_reset,
// "ht = g(Xt*(Wh^T) + (rt (.) (Ht-1*(Rh^T) + Rbh)) + Wbh)", then "Ht = (1 - zt) (.) ht + zt (.) Ht-1".
// `resetRecurrent` is (rt (.) Ht-1)*(Rh^T) + Rbh, which the caller computes when not linear_before_reset.
KILN_HOST_DEVICE inline double gruHidden(const RecurrenceParams& p, const RecurrenceActivation* f, GateInputs g,
                                         int64_t j, double z, double reset, double resetRecurrent, double h) {
  double recurrent = p.linearBeforeReset ? reset * g.hr[2 * g.hidden + j] : resetRecurrent;
  double candidate = f[1](p.clipped(g.xw[2 * g.hidden + j] + recurrent));
  return (1.0 - z) * candidate + z * h;
}

struct LstmUnit {
  double c, h;
};

// Gates i (0), o (1), f (2), c (3): "it = f(Xt*(Wi^T) + Ht-1*(Ri^T) + Pi (.) Ct-1 + Wbi + Rbi)",
// "ft = f(... + Pf (.) Ct-1 ...)", "ct = g(Xt*(Wc^T) + Ht-1*(Rc^T) + Wbc + Rbc)", "Ct = ft (.) Ct-1 + it (.) ct",
// "ot = f(Xt*(Wo^T) + Ht-1*(Ro^T) + Po (.) Ct + Wbo + Rbo)", "Ht = ot (.) h(Ct)". input_forget couples the forget
// gate to the input gate: ft = 1 - it. `peep` holds Pi, Po, Pf of unit j (zeros without peepholes).
KILN_HOST_DEVICE inline LstmUnit lstmUnit(const RecurrenceParams& p, const RecurrenceActivation* f, GateInputs g,
                                          int64_t j, const double (&peep)[3], double c) {
  double in = f[0](p.clipped(g.sum(0, j) + peep[0] * c));
  double forget = p.inputForget ? 1.0 - in : f[0](p.clipped(g.sum(2, j) + peep[2] * c));
  double cell = f[1](p.clipped(g.sum(3, j)));
  double next = forget * c + in * cell;
  double out = f[0](p.clipped(g.sum(1, j) + peep[1] * next));
  return {next, out * f[2](next)};
}

}  // namespace kiln::backend
