// row_norms.cu - rnb_row_sq_norms and rnb_normalize_rows (Regroup's k-means).
//
// Contracts (cuda/KERNELS.md), X is n x d row-major:
//   rnb_row_sq_norms(X, n, d, out)   out[i] = ||X_i||^2
//   rnb_normalize_rows(X, n, d)      X_i /= ||X_i|| in place; zero rows stay zero
// Launch: block (256,1,1), grid (ceil(n/8),1,1): one warp per row.
//
// Why a warp per row: the 32 lanes read 32 consecutive floats of the row
// (coalesced) and reduce with shuffles, no shared memory and no block
// barrier. A row past n exits as a whole warp, so the shuffles always see
// full warps.

#include "rnb_cuda_compat.cuh"
#include "reduce.cuh"

#define RNB_ROWS_PER_BLOCK 8

__device__ __forceinline__ float rnb_row_sq_norm_warp(const float* row, int d, int lane) {
    float acc = 0.0f;
    for (int c = lane; c < d; c += 32) acc += row[c] * row[c];
    return rnb_warp_sum(acc);
}

extern "C" __global__ void __launch_bounds__(256)
rnb_row_sq_norms(const float* __restrict__ X, int n, int d, float* __restrict__ out) {
    const int row = (int)blockIdx.x * RNB_ROWS_PER_BLOCK + (int)threadIdx.x / 32;
    const int lane = (int)threadIdx.x % 32;
    if (row >= n) return;  // warp-uniform
    const float s = rnb_row_sq_norm_warp(X + (size_t)row * (size_t)d, d, lane);
    if (lane == 0) out[row] = s;
}

extern "C" __global__ void __launch_bounds__(256)
rnb_normalize_rows(float* __restrict__ X, int n, int d) {
    const int row = (int)blockIdx.x * RNB_ROWS_PER_BLOCK + (int)threadIdx.x / 32;
    const int lane = (int)threadIdx.x % 32;
    if (row >= n) return;  // warp-uniform
    float* r = X + (size_t)row * (size_t)d;
    const float s = rnb_row_sq_norm_warp(r, d, lane);
    if (s > 0.0f) {
        const float inv = rsqrtf(s);
        for (int c = lane; c < d; c += 32) r[c] *= inv;
    }
}
