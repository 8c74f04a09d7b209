// The determinant arithmetic shared by the CPU kernel (host) and the CUDA kernel (device), so that both backends
// compute the same values.
#pragma once

#include <cmath>
#include <cstdint>

#include "backends/common/host_device.h"

namespace kiln::backend {

// Determinant of one n x n matrix by LU decomposition with partial pivoting, in fp64. Element (r, c) of the matrix is
// at lu[(r * n + c) * stride] (a stride above 1 interleaves several matrices); it is overwritten: scratch space.
KILN_HOST_DEVICE inline double luDeterminant(double* lu, int64_t n, int64_t stride = 1) {
  auto at = [lu, n, stride](int64_t r, int64_t c) -> double& { return lu[(r * n + c) * stride]; };
  double det = 1;
  for (int64_t k = 0; k < n; ++k) {
    int64_t pivot = k;
    for (int64_t r = k + 1; r < n; ++r)
      if (std::fabs(at(r, k)) > std::fabs(at(pivot, k))) pivot = r;
    if (at(pivot, k) == 0) return 0;
    if (pivot != k) {
      for (int64_t c = 0; c < n; ++c) {
        double swapped = at(k, c);
        at(k, c) = at(pivot, c);
        at(pivot, c) = swapped;
      }
      det = -det;
    }
    double diag = at(k, k);
    det *= diag;
    for (int64_t r = k + 1; r < n; ++r) {
      double f = at(r, k) / diag;
      for (int64_t c = k + 1; c < n; ++c) at(r, c) -= f * at(k, c);
    }
  }
  return det;
}

}  // namespace kiln::backend
