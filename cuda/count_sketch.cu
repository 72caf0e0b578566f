// CountSketch of per-domain gradients: sketch[dom*r + bucket(i)] += sign(i) * dense[slot*d + i]
// for every coordinate i of every slot's dense gradient (d = v*h floats), where
// slot s belongs to domain slotDomain[s]. Inner products of sketches are
// unbiased estimates of the exact ones with variance <= 2 ||x||^2 ||y||^2 / r
// (docs/ARCHITECTURE.md), so a domain keeps r floats instead of v*h.
//
// bucket and sign come from one 32-bit hash of (i, seed) (murmur3's finaliser
// after a multiplicative mix): sign from the top bit, bucket from the low 31
// bits mod r, so they are independent. native/count_sketch.cpp and the Java
// reference compute the same hash bit for bit.
//
// Launch: block (256,1,1), grid (ceil(d/256), slots, 1). Buckets collide by
// design, so the adds are atomic; zero coordinates are skipped.
#include "rnb_cuda_compat.cuh"
#include "../native/sketch_hash.h"  // shared with the C++ kernels

extern "C" __global__ void rnb_count_sketch_add(const float* __restrict__ dense, const int* __restrict__ slotDomain,
                                                int d, int r, unsigned int seed, float* __restrict__ sketch) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= d) return;
  const int slot = blockIdx.y;
  const float value = dense[(long long)slot * d + i];
  if (value == 0.0f) return;
  const unsigned int h = rnb_sketch_hash((unsigned int)i, seed);
  const int bucket = (int)((h & 0x7FFFFFFFu) % (unsigned int)r);
  atomicAdd(sketch + (long long)slotDomain[slot] * r + bucket, (h >> 31) ? -value : value);
}
