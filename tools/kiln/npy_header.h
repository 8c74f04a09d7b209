// The header of a .npy file: the Python dict literal numpy writes, such as
// {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
#pragma once

#include <string>
#include <string_view>

#include "kiln/types.h"

namespace kiln::cli {

struct NpyHeader {
  std::string descr;          // numpy's dtype string, e.g. "<f4"
  bool fortranOrder = false;  // the payload is column-major (the first axis varies fastest)
  Dims shape;                 // rank 0 to 8, every dimension >= 0
};

// Reads exactly the keys 'descr' (a string), 'fortran_order' (True or False) and 'shape' (a tuple of at most 8
// non-negative integers up to INT64_MAX), each once, followed only by whitespace. Anything else throws kiln::Error
// (kINVALID_ARGUMENT) with `name` as the object.
NpyHeader parseNpyHeader(std::string_view text, const std::string& name);

}  // namespace kiln::cli
