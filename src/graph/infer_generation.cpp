#include "graph/infer.h"

namespace kiln::graph {

void registerGenerationOps(OpTable&) {}

}  // namespace kiln::graph
