// gram_vector.cu - G p without forming G: rnb_scaled_domain_sum and
// rnb_scaled_domain_dots.
//
// Contracts (cuda/KERNELS.md), X is k x d row-major (k domain blocks of d floats):
//   rnb_scaled_domain_sum(X, p, scale, k, d, rowsPerSlice, vOut)
//     block (256,1,1), grid (ceil(d/256), ceil(k/rowsPerSlice), 1).
//     vOut[c] += sum_j (p[j]*scale[j]) * X[j*d + c]; block y handles the
//     contiguous rows [y*rowsPerSlice, min(k, (y+1)*rowsPerSlice)); the slices'
//     partial sums are combined with atomicAdd into vOut, which the caller zeroes.
//   rnb_scaled_domain_dots(X, scale, vec, k, d, colsPerSplit, out)
//     block (256,1,1), grid (ceil(k/8), ceil(d/colsPerSplit), 1).
//     out[i] = scale[i] * sum_c X[i*d + c] * vec[c]. Warp w of block x owns row
//     i = 8x + w; split y the columns [y*colsPerSplit, min(d, (y+1)*colsPerSplit)).
//     With one split out[i] is written; with several each split atomicAdds
//     scale[i] * (its partial dot) into out, which the caller then zeroes.
//
// Together: v = X^T w with w = p * scale, then out = diag(scale) X v, i.e.
// out = (diag(s) X X^T diag(s)) p = G p, in O(k d) work and no k x k x d
// intermediate.
//
// Why this shape: both are streams over X with one FMA per float read, so
// they are bound by memory bandwidth if enough bytes are in flight. Every
// warp load is 32 consecutive floats of a row (one 128-byte line), and every
// thread issues RNB_GV_UNROLL independent loads before it uses them (its own
// accumulators, so the loads do not wait on each other): at 8 loads of 4
// bytes per thread and 2048 threads per SM, about 64 KiB per SM are in
// flight, above the bandwidth-latency product. The caller sizes the grids so
// that there are thousands of blocks whatever the shape (slices of rows for
// the sum when d is small, splits of columns for the dots when k is small).
// In the sum, a block stages the weights p[j]*scale[j] of 256 rows in shared
// memory (one product per row per block, not per thread). Weights and scales
// are applied literally (no skip of zero weights), so a non-finite X row
// propagates as IEEE arithmetic says.

#include "rnb_cuda_compat.cuh"
#include "reduce.cuh"

#define RNB_GV_THREADS 256
#define RNB_GV_UNROLL 8

extern "C" __global__ void __launch_bounds__(RNB_GV_THREADS)
rnb_scaled_domain_sum(const float* __restrict__ X, const float* __restrict__ p, const float* __restrict__ scale,
                      int k, int d, int rowsPerSlice, float* __restrict__ vOut) {
    RNB_SHARED(float, w, [RNB_GV_THREADS]);
    const int c = (int)(blockIdx.x * blockDim.x + threadIdx.x);
    const bool active = c < d;  // inactive threads still stage weights and pass the barriers
    const int j0 = (int)blockIdx.y * rowsPerSlice;
    const int j1 = min(k, j0 + rowsPerSlice);
    float acc[RNB_GV_UNROLL];
#pragma unroll
    for (int u = 0; u < RNB_GV_UNROLL; u++) acc[u] = 0.0f;
    for (int base = j0; base < j1; base += RNB_GV_THREADS) {
        const int n = min(RNB_GV_THREADS, j1 - base);
        __syncthreads();  // the previous chunk's weights have been read
        if ((int)threadIdx.x < n) w[threadIdx.x] = p[base + threadIdx.x] * scale[base + threadIdx.x];
        __syncthreads();
        if (active) {
            const float* col = X + (size_t)base * (size_t)d + (size_t)c;
            int r = 0;
            for (; r + RNB_GV_UNROLL <= n; r += RNB_GV_UNROLL) {
                float x[RNB_GV_UNROLL];
#pragma unroll
                for (int u = 0; u < RNB_GV_UNROLL; u++) x[u] = __ldg(col + (size_t)(r + u) * (size_t)d);
#pragma unroll
                for (int u = 0; u < RNB_GV_UNROLL; u++) acc[u] += w[r + u] * x[u];
            }
            for (; r < n; r++) acc[0] += w[r] * __ldg(col + (size_t)r * (size_t)d);
        }
    }
    if (!active) return;
    float total = 0.0f;
#pragma unroll
    for (int u = 0; u < RNB_GV_UNROLL; u++) total += acc[u];
    atomicAdd(vOut + c, total);
}

extern "C" __global__ void __launch_bounds__(RNB_GV_THREADS)
rnb_scaled_domain_dots(const float* __restrict__ X, const float* __restrict__ scale,
                       const float* __restrict__ vec, int k, int d, int colsPerSplit, float* __restrict__ out) {
    const int lane = (int)(threadIdx.x % warpSize);
    const int i = (int)(blockIdx.x * (blockDim.x / warpSize) + threadIdx.x / warpSize);
    if (i >= k) return;  // whole warp exits together; no block barrier below
    const int c0 = (int)blockIdx.y * colsPerSplit;
    const int c1 = min(d, c0 + colsPerSplit);
    const float* row = X + (size_t)i * (size_t)d;
    float acc[RNB_GV_UNROLL];
#pragma unroll
    for (int u = 0; u < RNB_GV_UNROLL; u++) acc[u] = 0.0f;
    int c = c0 + lane;
    for (; c < c1 - (RNB_GV_UNROLL - 1) * 32; c += RNB_GV_UNROLL * 32) {  // c1 - 224 may be < 0: no overflow near d = 2^31
        float x[RNB_GV_UNROLL];
#pragma unroll
        for (int u = 0; u < RNB_GV_UNROLL; u++) x[u] = __ldg(row + c + u * 32);
#pragma unroll
        for (int u = 0; u < RNB_GV_UNROLL; u++) acc[u] += x[u] * __ldg(vec + c + u * 32);
    }
    for (; c < c1; c += 32) acc[0] += __ldg(row + c) * __ldg(vec + c);
    float total = 0.0f;
#pragma unroll
    for (int u = 0; u < RNB_GV_UNROLL; u++) total += acc[u];
    total = rnb_warp_sum(total);
    if (lane != 0) return;
    const float scaled = scale[i] * total;
    if (gridDim.y == 1) {
        out[i] = scaled;
    } else {
        atomicAdd(out + i, scaled);
    }
}
