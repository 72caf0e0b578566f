// domain_grad.cu - rnb_domain_grad_accumulate and rnb_domain_grad_head_accumulate:
// segmented, gathered A^T B.
//
// Contract (cuda/KERNELS.md):
//   rnb_domain_grad_accumulate(H, E, rowOrder, segStart, segDomain,
//                              numSegments, h, v, G)
//   block (16,16,1), grid (ceil(h/64), ceil(v/64), numSegments).
//   For segment s, rows t = rowOrder[segStart[s] .. segStart[s+1]) all belong
//   to domain dom = segDomain[s], and
//       G[dom*d + i*h + j] += sum_t E[t*v + i] * H[t*h + j],   d = v*h,
//   for 0 <= i < v, 0 <= j < h. E is (rows x v), H is (rows x h), row-major.
//   Segments have distinct domains, so each output element is owned by
//   exactly one block: plain read-modify-write, no atomics. An empty segment
//   leaves G unchanged (G += 0).
//
//   rnb_domain_grad_head_accumulate(H, E, rowOrder, segStart, segDomain,
//                                   numSegments, h, v, G, head)
//   the same launch, and also head[i*h + j] += the same sums: the output
//   head's weight gradient (v x h) built from the per-domain pieces, so the
//   model does not run its own GEMM over these rows (issue #15). Segments
//   share head, so each block adds its tile with atomicAdd: numSegments adds
//   per element, in an order that varies between runs (float rounding only).
//
// Tiling: the output of one segment is a (v x h) = E_seg^T H_seg product whose
// reduction dimension (the segment's rows) is gathered through rowOrder.
// Each block owns a 64x64 tile (i0 = 64*blockIdx.y rows of E-columns, j0 =
// 64*blockIdx.x columns of H). It walks the segment 16 rows at a time: the
// 256 threads cooperatively stage the gathered 16x64 slices of E and H into
// shared memory (4 floats each per matrix, consecutive threads read
// consecutive columns of one row -> coalesced; the row index is looked up in
// rowOrder once per staged row), __syncthreads(), then each thread does 16
// rank-1 updates on its 4x4 register sub-tile, __syncthreads() again before
// the next chunk overwrites the stage. The 4x4 sub-tile is strided by 16
// (i = i0 + ty + 16a, j = j0 + tx + 16b) rather than contiguous: with scalar
// shared loads, a half-warp reading Hs[r][tx + 16b] hits 16 consecutive banks
// (conflict-free) and Es[r][ty + 16a] is a broadcast, and the final G stores
// are 16-float coalesced runs. 16 FMAs per 8 shared loads; 8 KiB of shared
// memory per block. Out-of-range rows (ragged segment tail) and columns
// (ragged v, h) are staged as zeros, and only in-range outputs are written.
// Offsets into E, H and G are computed in 64-bit (rows*v and k*v*h may exceed
// 2^31).

#include "rnb_cuda_compat.cuh"

#define RNB_DG_TILE 64
#define RNB_DG_CHUNK 16

// One block's 64x64 tile of its segment's E_s^T H_s, added to G_dom and, when
// head is not null, atomically to head.
__device__ __forceinline__ void rnb_domain_grad_tile(const float* __restrict__ H, const float* __restrict__ E,
                                                     const int* __restrict__ rowOrder, const int* __restrict__ segStart,
                                                     const int* __restrict__ segDomain, int numSegments, int h, int v,
                                                     float* __restrict__ G, float* head) {
    RNB_SHARED(float, Es, [RNB_DG_CHUNK][RNB_DG_TILE]);
    RNB_SHARED(float, Hs, [RNB_DG_CHUNK][RNB_DG_TILE]);

    const int s = (int)blockIdx.z;
    if (s >= numSegments) return;  // whole block exits together
    const int tx = (int)threadIdx.x;
    const int ty = (int)threadIdx.y;
    const int tid = ty * 16 + tx;
    const int j0 = (int)blockIdx.x * RNB_DG_TILE;
    const int i0 = (int)blockIdx.y * RNB_DG_TILE;
    const int rowBegin = segStart[s];
    const int rowEnd = segStart[s + 1];
    const int dom = segDomain[s];

    float acc[4][4];
#pragma unroll
    for (int a = 0; a < 4; ++a)
#pragma unroll
        for (int b = 0; b < 4; ++b) acc[a][b] = 0.0f;

    for (int base = rowBegin; base < rowEnd; base += RNB_DG_CHUNK) {
        // Stage: element e = tid + 256q -> staged row r = e / 64, column c = e % 64.
#pragma unroll
        for (int q = 0; q < 4; ++q) {
            const int e = tid + 256 * q;
            const int r = e >> 6;
            const int c = e & 63;
            const int p = base + r;
            float ev = 0.0f;
            float hv = 0.0f;
            if (p < rowEnd) {
                const size_t row = (size_t)__ldg(rowOrder + p);
                if (i0 + c < v) ev = __ldg(E + row * (size_t)v + (size_t)(i0 + c));
                if (j0 + c < h) hv = __ldg(H + row * (size_t)h + (size_t)(j0 + c));
            }
            Es[r][c] = ev;
            Hs[r][c] = hv;
        }
        __syncthreads();
#pragma unroll
        for (int r = 0; r < RNB_DG_CHUNK; ++r) {
            float ea[4];
            float hb[4];
#pragma unroll
            for (int a = 0; a < 4; ++a) ea[a] = Es[r][ty + 16 * a];
#pragma unroll
            for (int b = 0; b < 4; ++b) hb[b] = Hs[r][tx + 16 * b];
#pragma unroll
            for (int a = 0; a < 4; ++a)
#pragma unroll
                for (int b = 0; b < 4; ++b) acc[a][b] += ea[a] * hb[b];
        }
        __syncthreads();
    }

    float* Gd = G + (size_t)dom * (size_t)v * (size_t)h;
#pragma unroll
    for (int a = 0; a < 4; ++a) {
        const int i = i0 + ty + 16 * a;
        if (i >= v) continue;
#pragma unroll
        for (int b = 0; b < 4; ++b) {
            const int j = j0 + tx + 16 * b;
            if (j < h) {
                const size_t at = (size_t)i * (size_t)h + (size_t)j;
                Gd[at] += acc[a][b];
                if (head != nullptr) atomicAdd(head + at, acc[a][b]);
            }
        }
    }
}

extern "C" __global__ void __launch_bounds__(256)
rnb_domain_grad_accumulate(const float* __restrict__ H, const float* __restrict__ E,
                           const int* __restrict__ rowOrder, const int* __restrict__ segStart,
                           const int* __restrict__ segDomain, int numSegments, int h, int v,
                           float* __restrict__ G) {
    rnb_domain_grad_tile(H, E, rowOrder, segStart, segDomain, numSegments, h, v, G, nullptr);
}

extern "C" __global__ void __launch_bounds__(256)
rnb_domain_grad_head_accumulate(const float* __restrict__ H, const float* __restrict__ E,
                                const int* __restrict__ rowOrder, const int* __restrict__ segStart,
                                const int* __restrict__ segDomain, int numSegments, int h, int v,
                                float* __restrict__ G, float* head) {
    rnb_domain_grad_tile(H, E, rowOrder, segStart, segDomain, numSegments, h, v, G, head);
}
