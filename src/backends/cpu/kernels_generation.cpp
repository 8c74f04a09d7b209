#include "backends/cpu/cpu_kernel.h"

namespace kiln::cpu {

void registerGenerationKernels(KernelTable&) {}

}  // namespace kiln::cpu
