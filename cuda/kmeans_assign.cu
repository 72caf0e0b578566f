// kmeans_assign.cu - rnb_kmeans_assign: the fused argmin of a k-means
// assignment pass over a distance tile produced by cuBLAS.
//
// Contract (cuda/KERNELS.md): for r in [0, rows):
//   dots[r*k + j] = -2 x_r . c_j   (SGEMM of a chunk of rows against C)
//   best = argmin_j dots[r*k + j] + cNorm[j]   (lowest j on ties)
//   dist = max(0, xNorm[r] + dots[r*k + best] + cNorm[best])
//   changed[0] += (assign[r] != best); assign[r] = best; minDist[r] = dist;
//   inertia[0] += dist (double)
// Launch: block (256,1,1), grid (ceil(rows/8),1,1): one warp per row.
//
// Why: the O(n k d) work is the GEMM; this pass is O(n k) and bandwidth
// bound, so lanes stride across the row of the tile (coalesced), keep their
// best (score, index) in registers, and combine with a shuffle butterfly that
// breaks ties to the lower index, as the reference does. The caller keeps
// inertia and changed in device memory across chunks and reads them once per
// Lloyd iteration (the only host traffic of an iteration). One atomicAdd per
// row on each counter is negligible next to the k reads of the row.

#include "rnb_cuda_compat.cuh"

extern "C" __global__ void __launch_bounds__(256)
rnb_kmeans_assign(const float* __restrict__ dots, const float* __restrict__ xNorm,
                  const float* __restrict__ cNorm, int rows, int k, float* __restrict__ assign,
                  float* __restrict__ minDist, double* __restrict__ inertia,
                  unsigned long long* __restrict__ changed) {
    const int r = (int)blockIdx.x * 8 + (int)threadIdx.x / 32;
    const int lane = (int)threadIdx.x % 32;
    if (r >= rows) return;  // warp-uniform
    const float* row = dots + (size_t)r * (size_t)k;
    float best = INFINITY;
    int bestJ = k;
    for (int j = lane; j < k; j += 32) {
        const float s = row[j] + cNorm[j];
        if (s < best) { best = s; bestJ = j; }  // j grows, so the first strict minimum wins ties
    }
    for (int off = 16; off > 0; off >>= 1) {
        const float os = __shfl_xor_sync(RNB_FULL_MASK, best, off);
        const int oj = __shfl_xor_sync(RNB_FULL_MASK, bestJ, off);
        if (os < best || (os == best && oj < bestJ)) { best = os; bestJ = oj; }
    }
    if (lane == 0) {
        if (bestJ == k) bestJ = 0;  // all scores NaN: fall back to cluster 0 like the reference
        const float dist = fmaxf(0.0f, xNorm[r] + row[bestJ] + cNorm[bestJ]);
        if (assign[r] != (float)bestJ) atomicAdd(changed, 1ULL);
        assign[r] = (float)bestJ;
        minDist[r] = dist;
        atomicAdd(inertia, (double)dist);
    }
}
