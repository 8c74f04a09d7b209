// The step shared by quantization and requantization (QuantizeLinear, QLinearConv, QLinearMatMul).
#pragma once

#include "onnx/import_context.h"

namespace kiln::onnx {

// "saturate(round(q) + zero_point)" as uint8 or int8, rounding half to even; q and the zero point (optional) share
// one floating-point type.
Tensor* roundToQuantized(ImportContext& ctx, Tensor& q, Tensor* zeroPoint, DataType out);

}  // namespace kiln::onnx
