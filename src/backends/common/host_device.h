// Marks scalar helpers shared by the CPU kernels (host) and the CUDA kernels (host and device).
#pragma once

#ifdef __CUDACC__
#define KILN_HOST_DEVICE __host__ __device__
#else
#define KILN_HOST_DEVICE
#endif
