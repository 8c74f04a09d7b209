// Schemas of the generation family: select, fill, scatter, cumulative sum and one-hot (shape rules in
// src/graph/infer_generation.cpp).
#pragma once

#include "ops/attrs.h"
#include "ops/op_schema.h"

namespace kiln::ops {

struct Select {
  static constexpr OpSchema kSchema{.type = LayerType::kSELECT, .name = "Select"};
};

// Generated sequences may exceed fp16's range: a fill stays fp32 under reduced precision.
struct Fill {
  static constexpr IntsAttr kDims{"dims"};  // unless input 0 gives them
  static constexpr EnumAttr<FillOperation> kOp{"op"};
  static constexpr EnumAttr<DataType> kType{"type"};
  static constexpr FloatAttr kAlpha{"alpha", 0.0};  // unless input 1 gives it
  static constexpr FloatAttr kBeta{"beta", 1.0};    // kLINSPACE, on every axis, unless input 2 gives it
  static constexpr OpSchema kSchema{
      .type = LayerType::kFILL, .name = "Fill", .keepsFp32 = alwaysFp32, .outputType = &kType, .valueInputs = {0}};
};

struct Scatter {
  static constexpr EnumAttr<ScatterMode> kMode{"mode"};
  static constexpr IntAttr kAxis{"axis"};  // kELEMENT
  static constexpr EnumAttr<ScatterReduction> kReduction{"reduction", ScatterReduction::kNONE};
  static constexpr OpSchema kSchema{.type = LayerType::kSCATTER, .name = "Scatter"};
};

// A running sum stays fp32 under reduced precision.
struct Cumulative {
  static constexpr IntAttr kAxis{"axis"};  // unless input 1 gives it
  static constexpr EnumAttr<CumulativeOperation> kOp{"op"};
  static constexpr BoolAttr kExclusive{"exclusive", false};
  static constexpr BoolAttr kReverse{"reverse", false};
  static constexpr OpSchema kSchema{.type = LayerType::kCUMULATIVE, .name = "Cumulative", .keepsFp32 = alwaysFp32};
};

struct OneHot {
  static constexpr IntAttr kAxis{"axis", -1};  // of the new axis, in the output's rank
  static constexpr OpSchema kSchema{.type = LayerType::kONE_HOT, .name = "OneHot", .valueInputs = {2}};
};

}  // namespace kiln::ops
