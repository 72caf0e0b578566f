// A random sign projection drawn on the device, for the factored sketch
// (dev.rnb.balance.FactoredProjection): out[i] = -scale when the top bit of
// rnb_sketch_hash(i, seed) is set, else +scale, for i in [0, n). With
// scale = 1/sqrt(rows), a rows x cols matrix R filled this way has
// E[R^T R] = I, which makes the sketch's inner products unbiased
// (docs/ARCHITECTURE.md, "The sketches"). native/sign_projection.cpp and the
// Java reference draw the same bits.
//
// Launch: block (256,1,1), grid (ceil(n/256), 1, 1).
#include "rnb_cuda_compat.cuh"
#include "../native/sketch_hash.h"  // shared with the C++ kernels

extern "C" __global__ void rnb_sign_projection(float* __restrict__ out, int n, unsigned int seed, float scale) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= n) return;
  out[i] = (rnb_sketch_hash((unsigned int)i, seed) >> 31) ? -scale : scale;
}
