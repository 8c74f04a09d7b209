// numpy's .npy format: read and write arrays so users can feed real data and inspect outputs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "kiln/types.h"

namespace kiln::cli {

struct NpyArray {
  DataType type = DataType::kFLOAT;
  Dims dims;
  std::vector<uint8_t> bytes;  // C order, little-endian; bools as 0 or 1
};

// The array held by the `size` bytes of a .npy file (versions 1 to 3, little-endian or byte types, C or Fortran
// order: a Fortran-ordered payload is transposed to C order). `name` names the source in errors. Throws kiln::Error
// (kINVALID_ARGUMENT, object `name`) and nothing else for anything numpy would not write or kiln cannot hold: a bad
// magic, version or header, a dtype kiln has no type for, a negative or too large dimension, a rank above 8, or a
// payload of another size than the shape needs (short or with trailing bytes). Reads only the `size` bytes and
// allocates only what the payload holds.
NpyArray parseNpy(const void* data, size_t size, const std::string& name);
// parseNpy of a file's bytes; kiln::Error (kIO) for a file that is missing, not a regular file or unreadable.
NpyArray readNpy(const std::string& path);
void writeNpy(const std::string& path, const NpyArray& array);
// The file name a tensor is saved under in a folder: "<name>.npy" with every path separator ('/' and '\\') made '_',
// so a tensor named "../x" or "/tmp/x" (a name comes from the model) is written inside the folder.
std::string npyFileName(const std::string& tensorName);

}  // namespace kiln::cli
