#include "backends/cpu/cpu_kernel.h"

namespace kiln::cpu {

void registerNormalizationKernels(KernelTable&) {}

}  // namespace kiln::cpu
