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
// The file name a tensor is saved under in a folder: "<name>.npy" with every path separator ('/' and '\\') made '_',
// so a tensor named "../x" or "/tmp/x" (a name comes from the model) is written inside the folder.
std::string npyFileName(const std::string& tensorName);

}  // namespace kiln::cli
