// The sketches' 32-bit hash of (coordinate, seed): murmur3's finaliser after
// a multiplicative mix, bit for bit dev.rnb.backend.SketchHash. The one
// definition for the C++ kernels (native/count_sketch.cpp,
// native/sign_projection.cpp) and the CUDA kernels (cuda/count_sketch.cu,
// cuda/sign_projection.cu include it as ../native/sketch_hash.h): nvcc
// compiles it for host and device, the emulator and g++ as plain C++.
#pragma once
#include <stdint.h>

#if defined(__CUDACC__)
#define RNB_HOST_DEVICE __host__ __device__ __forceinline__
#else
#define RNB_HOST_DEVICE inline
#endif

static RNB_HOST_DEVICE uint32_t rnb_sketch_hash(uint32_t i, uint32_t seed) {
    uint32_t h = i * 0x9E3779B1u ^ seed;
    h ^= h >> 16;
    h *= 0x85EBCA6Bu;
    h ^= h >> 13;
    h *= 0xC2B2AE35u;
    h ^= h >> 16;
    return h;
}
