#include "ops/op_schema.h"

#include <string>

#include "core/layer_type_table.h"
#include "ops/convolution.h"
#include "ops/copy.h"
#include "ops/elementwise.h"
#include "ops/generation.h"
#include "ops/indexing.h"
#include "ops/matrix.h"
#include "ops/normalization.h"
#include "ops/plugin.h"
#include "ops/pooling.h"
#include "ops/recurrence.h"
#include "ops/reduction.h"
#include "ops/resize.h"
#include "ops/shape.h"

namespace kiln::ops {

namespace {

const core::LayerTypeTable<OpSchema>& schemas() {
  static const core::LayerTypeTable<OpSchema> table = [] {
    core::LayerTypeTable<OpSchema> built;
    for (const OpSchema* schema : {
             &Constant::kSchema,      &Identity::kSchema,    &Cast::kSchema,
             &Shape::kSchema,         &ShapeValues::kSchema, &ElementWise::kSchema,
             &Activation::kSchema,    &Unary::kSchema,       &MatrixMultiply::kSchema,
             &Determinant::kSchema,   &Convolution::kSchema, &Deconvolution::kSchema,
             &Pooling::kSchema,       &Reduce::kSchema,      &TopK::kSchema,
             &SoftMax::kSchema,       &Shuffle::kSchema,     &Concatenation::kSchema,
             &Resize::kSchema,        &GridSample::kSchema,  &Slice::kSchema,
             &Gather::kSchema,        &Select::kSchema,      &Fill::kSchema,
             &Scatter::kSchema,       &Cumulative::kSchema,  &OneHot::kSchema,
             &Normalization::kSchema, &LRN::kSchema,         &Einsum::kSchema,
             &Recurrence::kSchema,    &Plugin::kSchema,
         })
      built.add(schema->type, *schema);
    return built;
  }();
  return table;
}

}  // namespace

const OpSchema& opSchema(LayerType type) {
  const OpSchema* schema = schemas().find(type);
  if (!schema)
    throw Error(ErrorCode::kINVALID_ARGUMENT, "no op has layer type " + std::to_string(static_cast<int32_t>(type)));
  return *schema;
}

}  // namespace kiln::ops

namespace kiln {

const char* layerTypeName(LayerType type) {
  const ops::OpSchema* schema = ops::schemas().find(type);
  return schema ? schema->name : "Unknown";
}

}  // namespace kiln
