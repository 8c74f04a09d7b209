// The version of the kiln library.
#pragma once

namespace kiln {
// The library's version, as "major.minor.patch".
const char* kilnVersion();
}  // namespace kiln
