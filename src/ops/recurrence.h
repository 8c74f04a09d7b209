// Schema of the recurrence (RNN, GRU, LSTM; shape rule in src/graph/infer_recurrence.cpp).
#pragma once

#include <vector>

#include "ops/attrs.h"
#include "ops/op_schema.h"

namespace kiln::ops {

struct Recurrence {
  static constexpr EnumAttr<RecurrenceCell> kCell{"cell"};
  static constexpr EnumAttr<RecurrenceDirection> kDirection{"direction"};
  static constexpr BoolAttr kBatchFirst{"batch_first", false};
  static constexpr FloatAttr kClip{"clip", 0.0};                               // 0: no clipping
  static constexpr BoolAttr kLinearBeforeReset{"linear_before_reset", false};  // GRU
  static constexpr BoolAttr kInputForget{"input_forget", false};               // LSTM
  // The gate activations (ActivationType values) with one alpha and one beta each; the cell's defaults when absent.
  static constexpr IntsAttr kActivations{"activations", kOptional};
  static constexpr FloatsAttr kActivationAlphas{"activation_alphas", kOptional};
  static constexpr FloatsAttr kActivationBetas{"activation_betas", kOptional};
  static constexpr OpSchema kSchema{.type = LayerType::kRECURRENCE, .name = "Recurrence"};
};

// The gate activations a cell runs when kActivations is absent, in ONNX's order per direction: f=Tanh (RNN);
// f=Sigmoid, g=Tanh (GRU); f=Sigmoid, g=Tanh, h=Tanh (LSTM); repeated for the second direction.
inline std::vector<ActivationType> defaultRecurrenceActivations(RecurrenceCell cell, int64_t directions) {
  std::vector<ActivationType> perDirection{ActivationType::kTANH};
  if (cell == RecurrenceCell::kGRU) perDirection = {ActivationType::kSIGMOID, ActivationType::kTANH};
  if (cell == RecurrenceCell::kLSTM)
    perDirection = {ActivationType::kSIGMOID, ActivationType::kTANH, ActivationType::kTANH};
  std::vector<ActivationType> types;
  for (int64_t d = 0; d < directions; ++d) types.insert(types.end(), perDirection.begin(), perDirection.end());
  return types;
}

}  // namespace kiln::ops
