// A gather step's attributes, checked the same way by every backend's kernel factory.
#pragma once

#include <string>

#include "backends/common/backend.h"
#include "kiln/layers.h"
#include "ops/indexing.h"

namespace kiln::backend {

struct GatherSpec {
  GatherMode mode = GatherMode::kDEFAULT;
  int64_t axis = 0;       // non-negative (default and element modes)
  int32_t batchDims = 0;  // ND mode
  DataType indexType = DataType::kINT32;
  size_t elementSize = 0;
};

// Throws kiln::Error (kUNSUPPORTED, naming the step) for an unknown mode, an axis or batch dimensions out of range,
// or indices that are not int32 or int64.
inline GatherSpec readGatherSpec(const KernelSpec& spec) {
  GatherSpec g;
  auto rank = static_cast<int64_t>(spec.inputRank(0));
  ops::OpAttrs attrs = spec.step.opAttrs();
  g.mode = attrs.get(ops::Gather::kMode);
  g.axis = attrs.get(ops::Gather::kAxis);
  g.batchDims = static_cast<int32_t>(attrs.get(ops::Gather::kBatchDims));
  if (g.mode < GatherMode::kDEFAULT || g.mode > GatherMode::kND) spec.unsupported("unknown gather mode");
  if (g.mode != GatherMode::kND && (g.axis < -rank || g.axis >= rank))
    spec.unsupported("gather axis " + std::to_string(g.axis) + " is out of range");
  if (g.axis < 0) g.axis += rank;
  if (g.mode == GatherMode::kND && (g.batchDims < 0 || g.batchDims >= rank))
    spec.unsupported("gather batch dimensions " + std::to_string(g.batchDims) + " are out of range");
  g.indexType = spec.inputType(1);
  if (g.indexType != DataType::kINT32 && g.indexType != DataType::kINT64)
    spec.unsupported(std::string("gather indices must be int32 or int64, not ") + dataTypeName(g.indexType));
  g.elementSize = dataTypeSize(spec.inputType(0));
  return g;
}

}  // namespace kiln::backend
