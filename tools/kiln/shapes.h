// Shape arguments in trtexec's words: "name:AxBxC,name2:D" (a scalar is "name:").
#pragma once

#include <map>
#include <string>

#include "kiln/types.h"

namespace kiln::cli {

// Throws kiln::Error (kINVALID_ARGUMENT) naming the argument for malformed text.
std::map<std::string, Dims> parseShapes(const std::string& text, const std::string& flag);

// "name:path,name2:path2" for --loadInputs.
std::map<std::string, std::string> parseNamedPaths(const std::string& text, const std::string& flag);

}  // namespace kiln::cli
