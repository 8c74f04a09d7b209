// numpy's .npy format: read and write arrays so users can feed real data and inspect outputs.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "kiln/types.h"

namespace kiln::cli {

struct NpyArray {
  DataType type = DataType::kFLOAT;
  Dims dims;
  std::vector<uint8_t> bytes;  // C order, little-endian
};

// Throws kiln::Error (kIO, naming the file) for unreadable files, unsupported dtypes, Fortran order, short data.
NpyArray readNpy(const std::string& path);
void writeNpy(const std::string& path, const NpyArray& array);

}  // namespace kiln::cli
