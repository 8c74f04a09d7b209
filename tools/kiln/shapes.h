// Shape arguments in trtexec's words: "name:AxBxC,name2:D" (a scalar is "name:").
#pragma once

#include <map>
#include <string>

#include "kiln/types.h"

namespace kiln::cli {

// The shapes of "name:AxBxC,name2:D": names split from their shapes at the last ':' (names may contain ':'),
// dimensions decimal digits only, at most 8 of them, each at most INT64_MAX; empty items (",,") are skipped. Throws
// kiln::Error (kINVALID_ARGUMENT, object `flag`) and nothing else for an item without a name or ':', a malformed or
// too large dimension, more than 8 dimensions, or a name given twice.
std::map<std::string, Dims> parseShapes(const std::string& text, const std::string& flag = "--shapes");

// "name:path,name2:path2" for --loadInputs; the same errors for an item without a name or a name given twice, and
// for an empty path.
std::map<std::string, std::string> parseNamedPaths(const std::string& text, const std::string& flag);

}  // namespace kiln::cli
