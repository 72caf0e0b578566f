// gram_vector.cu - G p without forming G: rnb_scaled_domain_sum and
// rnb_scaled_domain_dots.
//
// Contracts (cuda/KERNELS.md), X is k x d row-major (k domain blocks of d floats):
//   rnb_scaled_domain_sum(X, weight, k, d, vOut)
//     block (256,1,1), grid (ceil(d/256), slices, 1), slices in 1..k.
//     vOut[c] += sum_j weight[j] * X[j*d + c]; block y handles the rows
//     j = blockIdx.y, blockIdx.y + gridDim.y, ...; the partial sums of the
//     slices are combined with atomicAdd into vOut, which the caller zeroes.
//   rnb_scaled_domain_dots(X, scale, vec, k, d, out)
//     block (256,1,1), grid (k,1,1).
//     out[i] = scale[i] * sum_c X[i*d + c] * vec[c] (written, not accumulated).
//
// Together: v = X^T w, then out = diag(scale) X v, i.e. out = (diag(s) X X^T) w
// and with w = diag(s) p that is G p for G = diag(s) X X^T diag(s), in
// O(k d) work and no k x k x d intermediate.
//
// Why this shape: both are bandwidth-bound streams over X (one FMA per float
// read). In the sum, a thread owns one column c and walks its rows, so each
// warp reads 32 consecutive floats of a row (coalesced) and keeps the partial
// in a register; slices along j give the caller enough blocks when d is small,
// at the price of one atomicAdd per (slice, column). In the dots, one block
// streams one row of X (coalesced, 256 consecutive floats per iteration) and
// reduces with warp shuffles, then one shared-memory pass over the 8 warp
// partials (reduce.cuh). weight[j] / scale[i] are applied literally (no skip
// of zero weights), so a non-finite X row propagates as IEEE arithmetic says.

#include "rnb_cuda_compat.cuh"
#include "reduce.cuh"

extern "C" __global__ void __launch_bounds__(256)
rnb_scaled_domain_sum(const float* __restrict__ X, const float* __restrict__ weight, int k, int d,
                      float* __restrict__ vOut) {
    const int c = (int)(blockIdx.x * blockDim.x + threadIdx.x);
    if (c >= d) return;  // no barrier in this kernel
    float acc = 0.0f;
    for (int j = (int)blockIdx.y; j < k; j += (int)gridDim.y) {
        acc += __ldg(weight + j) * __ldg(X + (size_t)j * (size_t)d + (size_t)c);
    }
    atomicAdd(vOut + c, acc);
}

extern "C" __global__ void __launch_bounds__(256)
rnb_scaled_domain_dots(const float* __restrict__ X, const float* __restrict__ scale,
                       const float* __restrict__ vec, int k, int d, float* __restrict__ out) {
    RNB_SHARED(float, red, [RNB_BLOCK_REDUCE_SMEM]);
    const int i = (int)blockIdx.x;
    if (i >= k) return;  // whole block exits together
    const float* row = X + (size_t)i * (size_t)d;
    float acc = 0.0f;
    for (int c = (int)threadIdx.x; c < d; c += (int)blockDim.x) {
        acc += __ldg(row + c) * __ldg(vec + c);
    }
    acc = rnb_block_sum(acc, red);
    if (threadIdx.x == 0) out[i] = scale[i] * acc;
}
