// gram.cu - rnb_gram: out = diag(scale) X X^T diag(scale).
//
// Contract (cuda/KERNELS.md):
//   rnb_gram(X, scale, k, d, out)
//   block (16,16,1), grid (ceil(k/64), ceil(k/64), 1).
//   X is k x d row-major (k domain blocks of d = v*h floats),
//   out[i*k + j] = scale[i] * scale[j] * sum_c X[i*d + c] * X[j*d + c];
//   the full k x k matrix is written (both triangles, not accumulated).
//
// Tiling: same scheme as domain_grad.cu. Each block owns the 64x64 output
// tile rows i0 = 64*blockIdx.y .. +63, columns j0 = 64*blockIdx.x .. +63 and
// walks the (long) reduction dimension c in chunks of 16. Per chunk the 256
// threads stage As[cc][ii] = X[(i0+ii)*d + c0+cc] and Bs[cc][jj] = X[(j0+jj)*d
// + c0+cc] (4 floats each per matrix; 16 consecutive threads read 16
// consecutive floats of one row, i.e. 64-byte coalesced runs), then each thread
// does 16 rank-1 updates of its 4x4 register sub-tile i = i0 + ty + 16a,
// j = j0 + tx + 16b. The staged arrays are stored transposed (c-major) so the
// compute loop reads a row of 64 per c; they are padded to 65 columns so the
// transposing store is at most 2-way bank-conflicted instead of 16-way, while
// the compute reads stay conflict-free (Bs: 16 consecutive banks per
// half-warp, As: broadcast). Out-of-range rows / columns (ragged k, d) are
// staged as zeros and not written. k is small (number of domains) and d large,
// so all the work is in the reduction; symmetry is not exploited because the
// grid is fixed by the caller (diagonal-off tiles are computed twice, the cost
// is bounded by 2x on a kernel that is a tiny fraction of a Balance step).

#include "rnb_cuda_compat.cuh"

#define RNB_GRAM_TILE 64
#define RNB_GRAM_CHUNK 16

extern "C" __global__ void __launch_bounds__(256)
rnb_gram(const float* __restrict__ X, const float* __restrict__ scale, int k, int d,
         float* __restrict__ out) {
    RNB_SHARED(float, As, [RNB_GRAM_CHUNK][RNB_GRAM_TILE + 1]);
    RNB_SHARED(float, Bs, [RNB_GRAM_CHUNK][RNB_GRAM_TILE + 1]);

    const int tx = (int)threadIdx.x;
    const int ty = (int)threadIdx.y;
    const int tid = ty * 16 + tx;
    const int j0 = (int)blockIdx.x * RNB_GRAM_TILE;
    const int i0 = (int)blockIdx.y * RNB_GRAM_TILE;

    float acc[4][4];
#pragma unroll
    for (int a = 0; a < 4; ++a)
#pragma unroll
        for (int b = 0; b < 4; ++b) acc[a][b] = 0.0f;

    for (int c0 = 0; c0 < d; c0 += RNB_GRAM_CHUNK) {
        // Stage: element e = tid + 256q -> tile row rr = e / 16, chunk column cc = e % 16.
#pragma unroll
        for (int q = 0; q < 4; ++q) {
            const int e = tid + 256 * q;
            const int rr = e >> 4;
            const int cc = e & 15;
            const int c = c0 + cc;
            float av = 0.0f;
            float bv = 0.0f;
            if (c < d) {
                if (i0 + rr < k) av = __ldg(X + (size_t)(i0 + rr) * (size_t)d + (size_t)c);
                if (j0 + rr < k) bv = __ldg(X + (size_t)(j0 + rr) * (size_t)d + (size_t)c);
            }
            As[cc][rr] = av;
            Bs[cc][rr] = bv;
        }
        __syncthreads();
#pragma unroll
        for (int cc = 0; cc < RNB_GRAM_CHUNK; ++cc) {
            float xa[4];
            float xb[4];
#pragma unroll
            for (int a = 0; a < 4; ++a) xa[a] = As[cc][ty + 16 * a];
#pragma unroll
            for (int b = 0; b < 4; ++b) xb[b] = Bs[cc][tx + 16 * b];
#pragma unroll
            for (int a = 0; a < 4; ++a)
#pragma unroll
                for (int b = 0; b < 4; ++b) acc[a][b] += xa[a] * xb[b];
        }
        __syncthreads();
    }

#pragma unroll
    for (int a = 0; a < 4; ++a) {
        const int i = i0 + ty + 16 * a;
        if (i >= k) continue;
        const float si = scale[i];
#pragma unroll
        for (int b = 0; b < 4; ++b) {
            const int j = j0 + tx + 16 * b;
            if (j < k) out[(size_t)i * (size_t)k + (size_t)j] = si * scale[j] * acc[a][b];
        }
    }
}
