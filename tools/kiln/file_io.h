// Whole-file reads and writes for the kiln command, with errors that name the file and say why; and the checks of
// output paths made before the work that would write them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "kiln/error.h"

namespace kiln::cli {

// The file's bytes. Throws kiln::Error (kIO, naming the file) when it does not exist, is a directory or another
// non-regular file (a pipe would block), cannot be read, or is too large for host memory.
std::vector<uint8_t> readFileBytes(const std::string& path);
// Writes `size` bytes, replacing the file; throws kiln::Error (kIO, naming the file and `what` it holds, e.g.
// "the plan") when it cannot be created or written.
void writeFileBytes(const std::string& path, const void* data, size_t size, const std::string& what);
// Throws kiln::Error (kIO, naming the path and `option`) unless a file can be created at `path`: it must not be a
// directory, and its folder must exist.
void checkOutputFile(const std::string& path, const std::string& option);
// Creates the folder `path` (and its parents) unless it exists; throws kiln::Error (kIO, naming the path and
// `option`) when it is a file or cannot be created.
void makeOutputFolder(const std::string& path, const std::string& option);

// `error`, about the contents of the file `path` (a plan section, a cache entry), rethrown with the file as its
// object; the part at fault stays in the message.
[[noreturn]] void rethrowNamingFile(const Error& error, const std::string& path);

}  // namespace kiln::cli
