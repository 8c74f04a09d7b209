#include "kiln/version.h"

namespace kiln {
const char* kilnVersion() { return KILN_VERSION_STRING; }
}  // namespace kiln
