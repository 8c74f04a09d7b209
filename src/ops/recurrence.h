// Schema of the recurrence (RNN, GRU, LSTM; shape rule in src/graph/infer_recurrence.cpp).
#pragma once

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

}  // namespace kiln::ops
