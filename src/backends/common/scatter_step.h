// A scatter step's attributes, checked once for every backend's factory.
#pragma once

#include <cstdint>
#include <string>

#include "backends/common/backend.h"
#include "kiln/layers.h"
#include "ops/generation.h"

namespace kiln::backend {

struct ScatterStep {
  ScatterMode mode;
  ScatterReduction reduction;
  int64_t axis;  // kELEMENT only; may be negative
  DataType type, indexType;
};

// The step's attributes; unsupported (naming the step) for an unknown mode or reduction, an axis out of range or
// indices other than int32 and int64.
inline ScatterStep scatterStep(const KernelSpec& spec) {
  ops::OpAttrs attrs = spec.step.opAttrs();
  ScatterStep s{attrs.get(ops::Scatter::kMode), attrs.get(ops::Scatter::kReduction), attrs.get(ops::Scatter::kAxis),
                spec.inputType(0), spec.inputType(1)};
  auto rank = static_cast<int64_t>(spec.inputRank(0));
  if (s.mode != ScatterMode::kELEMENT && s.mode != ScatterMode::kND) spec.unsupported("unknown scatter mode");
  if (s.mode == ScatterMode::kELEMENT && (s.axis < -rank || s.axis >= rank))
    spec.unsupported("scatter axis " + std::to_string(s.axis) + " is out of range");
  if (s.reduction < ScatterReduction::kNONE || s.reduction > ScatterReduction::kMIN)
    spec.unsupported("unknown scatter reduction");
  if (s.indexType != DataType::kINT32 && s.indexType != DataType::kINT64)
    spec.unsupported(std::string("scatter indices must be int32 or int64, not ") + dataTypeName(s.indexType));
  return s;
}

}  // namespace kiln::backend
