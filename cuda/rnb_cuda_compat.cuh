// Included by every cuda/*.cu kernel file; makes the same source build with
// nvcc (real CUDA) and with g++ against the CPU emulator.
#ifndef RNB_CUDA_COMPAT_CUH
#define RNB_CUDA_COMPAT_CUH

#ifdef __CUDACC__
// Dynamic shared memory. Different kernels in one .cu file must use different
// names if they use different element types (nvcc treats these as one entity).
#define RNB_DYNAMIC_SHARED(type, name) extern __shared__ type name[]
// Static shared memory: RNB_SHARED(float, tile, [32][33]) declares
// `__shared__ float tile[32][33]`. Kernels write it this way (never a bare
// __shared__) so that the emulator can give each block its own, poisoned copy.
#define RNB_SHARED(type, name, dims) __shared__ type name dims
#else
#include "emulator/cuda_emulation.h"  // defines RNB_DYNAMIC_SHARED and RNB_SHARED for the emulator
#endif

#define RNB_FULL_MASK 0xffffffffu

#endif  // RNB_CUDA_COMPAT_CUH
