// The sketches' 32-bit hash of (coordinate, seed): murmur3's finaliser after
// a multiplicative mix. Shared by cuda/count_sketch.cu and
// cuda/sign_projection.cu; bit for bit the same as native/sketch_hash.h and
// dev.rnb.backend.SketchHash.
#pragma once
#include "rnb_cuda_compat.cuh"

__device__ __forceinline__ unsigned int rnb_sketch_hash(unsigned int i, unsigned int seed) {
  unsigned int h = i * 0x9E3779B1u ^ seed;
  h ^= h >> 16;
  h *= 0x85EBCA6Bu;
  h ^= h >> 13;
  h *= 0xC2B2AE35u;
  h ^= h >> 16;
  return h;
}
