// How a matrix multiply operand's shape splits into batch axes and a stored matrix (shared by the backends).
#pragma once

#include <cstdint>

#include "kiln/types.h"

namespace kiln::backend {

struct MatrixView {
  Dims batch;        // batch axes
  int64_t rows = 0;  // as stored
  int64_t cols = 0;
};

// Splits a shape into batch axes and a stored matrix; rank-1 operands become a row (left) or a column (right).
inline MatrixView matrixView(const Dims& shape, bool left) {
  MatrixView v;
  if (shape.nbDims == 1) {
    v.rows = left ? 1 : shape.d[0];
    v.cols = left ? shape.d[0] : 1;
    return v;
  }
  v.batch.nbDims = shape.nbDims - 2;
  for (int32_t i = 0; i < v.batch.nbDims; ++i) v.batch.d[i] = shape.d[i];
  v.rows = shape.d[shape.nbDims - 2];
  v.cols = shape.d[shape.nbDims - 1];
  return v;
}

}  // namespace kiln::backend
