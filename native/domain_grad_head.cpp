// The fused head split in one pass (issue #15): for every domain segment s of
// a batch, the piece X_s = E_s^T H_s is formed register tile by register tile
// and each tile is added to its domain's accumulator AND to the head's weight
// gradient as it leaves the registers. OpenBLAS writes a GEMM's result to one
// output, so before this kernel every piece went to scratch and a second pass
// added it twice (docs/BENCHMARKS.md, "Where the fused split's time goes").
// Compiled once per instruction set like the model's kernels (model_isa.h);
// the reference is the Java reference backend's domainGradAccumulateWithHead,
// the check FusedHeadSplitTest, the benchmark FusedSplitProfile.
#include "model_isa.h"

#include <algorithm>

namespace RNB_ISA {

// Register tile: MR rows of v by NV vectors of VW floats along h. Per row of
// the batch the tile does MR x NV multiply-adds from NV loads of H and MR
// broadcasts of E; the sizes fill the register file (AVX-512: 24 of 32
// accumulators; AVX2: 12 of 16; SSE2 / others: 8 of 16).
#if defined(__AVX512F__)
constexpr int VW = 16, MR = 6, NV = 4;
#elif defined(__AVX2__)
constexpr int VW = 8, MR = 6, NV = 2;
#else
constexpr int VW = 4, MR = 4, NV = 2;
#endif
constexpr int NR = NV * VW;
// Rows per pass over the tiles: a packed E chunk (KC x v floats, 128 KiB at
// v = 256) stays in L2 and a tile's column of H (KC x NR) in L1. Segments
// longer than KC add their chunks' partial tiles one after the other.
constexpr int KC = 128;

typedef float vec __attribute__((vector_size(VW * 4)));
typedef float uvec __attribute__((vector_size(VW * 4), aligned(4), may_alias));

static inline vec load(const float* p) { return *(const uvec*)p; }
static inline void store(float* p, vec v) { *(uvec*)p = v; }

// One M x (N*VW) tile over n rows, added to acc and head (both v x h, row
// stride hDim) at (a0, b0). E comes either packed (ep: n x MR, the rows'
// columns a0 .. a0+M-1) or in place (e: the batch's E, row stride vDim);
// h: the batch's H (row stride hDim); rows: the n batch rows.
template <int M, int N, bool PACKED>
static inline __attribute__((always_inline)) void tile(const float* __restrict__ e, const float* __restrict__ ep,
                                                       const float* __restrict__ h, const int* rows, int n, int64_t vDim,
                                                       int64_t hDim, int a0, int b0, float* __restrict__ acc,
                                                       float* __restrict__ head) {
    vec c[M][N];
    for (int i = 0; i < M; ++i)
        for (int j = 0; j < N; ++j) c[i][j] = vec{};
    for (int t = 0; t < n; ++t) {
        const float* er = PACKED ? ep + t * MR : e + rows[t] * vDim + a0;
        const float* hr = h + rows[t] * hDim + b0;
        vec hv[N];
        for (int j = 0; j < N; ++j) hv[j] = load(hr + j * VW);
        for (int i = 0; i < M; ++i) {
            const float x = er[i];
            for (int j = 0; j < N; ++j) c[i][j] += x * hv[j];
        }
    }
    for (int i = 0; i < M; ++i) {
        float* ar = acc + (a0 + i) * hDim + b0;
        float* hd = head + (a0 + i) * hDim + b0;
        for (int j = 0; j < N; ++j) {
            store(ar + j * VW, load(ar + j * VW) + c[i][j]);
            store(hd + j * VW, load(hd + j * VW) + c[i][j]);
        }
    }
}

// The tile for the m (<= MR) rows of v left at a0: the last tile when MR does not divide v.
template <int N, bool PACKED>
static void tile_rows(int m, const float* e, const float* ep, const float* h, const int* rows, int n, int64_t vDim,
                      int64_t hDim, int a0, int b0, float* acc, float* head) {
    switch (m) {
#define RNB_TILE_CASE(x) \
    case x: if constexpr (x <= MR) tile<x, N, PACKED>(e, ep, h, rows, n, vDim, hDim, a0, b0, acc, head); break;
        RNB_TILE_CASE(1) RNB_TILE_CASE(2) RNB_TILE_CASE(3) RNB_TILE_CASE(4) RNB_TILE_CASE(5) RNB_TILE_CASE(6)
#undef RNB_TILE_CASE
    }
}
static_assert(MR <= 6, "tile_rows lists tiles of up to 6 rows");

// Columns b0 .. hDim-1 of the tile rows a0 .. a0+m-1 when fewer than NR are
// left: whole vectors, then a scalar loop for the last hDim % VW columns.
template <bool PACKED>
static void edge_columns(int m, const float* e, const float* ep, const float* h, const int* rows, int n, int64_t vDim,
                         int64_t hDim, int a0, int b0, float* acc, float* head) {
    int b = b0;
    for (; b + VW <= hDim; b += VW) tile_rows<1, PACKED>(m, e, ep, h, rows, n, vDim, hDim, a0, b, acc, head);
    for (int i = 0; i < m; ++i) {
        for (int c = b; c < hDim; ++c) {
            float sum = 0.0f;
            for (int t = 0; t < n; ++t) sum += (PACKED ? ep[t * MR + i] : e[rows[t] * vDim + a0 + i]) * h[rows[t] * hDim + c];
            acc[(a0 + i) * hDim + c] += sum;
            head[(a0 + i) * hDim + c] += sum;
        }
    }
}

// All tiles of one chunk of n rows of a segment, threads owning disjoint tiles.
template <bool PACKED>
static void chunk_tiles(const float* e, const float* ep, const float* h, const int* rows, int n, int64_t vDim,
                        int64_t hDim, float* acc, float* head) {
    const int aTiles = int((vDim + MR - 1) / MR), bTiles = int((hDim + NR - 1) / NR);
#pragma omp for schedule(static)
    for (int tIndex = 0; tIndex < aTiles * bTiles; ++tIndex) {
        const int a0 = tIndex % aTiles * MR, b0 = tIndex / aTiles * NR, m = int(std::min<int64_t>(MR, vDim - a0));
        const float* epTile = ep + int64_t(a0) * n;  // panel a0 / MR of n x MR floats
        if (b0 + NR <= hDim) {
            tile_rows<NV, PACKED>(m, e, epTile, h, rows, n, vDim, hDim, a0, b0, acc, head);
        } else {
            edge_columns<PACKED>(m, e, epTile, h, rows, n, vDim, hDim, a0, b0, acc, head);
        }
    }
}

void domain_grad_with_head(const float* h, const float* e, int hDim, int vDim, const int* rowOrder,
                           const int* segmentStart, const int* segmentSlot, int segments, float* g, float* head,
                           float* scratch) {
    // With more than one column of tiles, E's columns are read once per
    // column: they are packed per chunk (MR-wide panels, contiguous rows),
    // which beats re-reading rows v floats apart from L2 (1.3-1.4x faster at h = 384).
    const bool pack = hDim > NR;
    const int aTiles = (vDim + MR - 1) / MR;
    const int64_t d = int64_t(vDim) * hDim;
    const int64_t work = int64_t(segmentStart[segments] - segmentStart[0]) * d;
#pragma omp parallel if (work >= rnb_parallel_min_work)
    for (int s = 0; s < segments; ++s) {
        float* acc = g + segmentSlot[s] * d;
        for (int t0 = segmentStart[s]; t0 < segmentStart[s + 1]; t0 += KC) {
            const int* rows = rowOrder + t0;
            const int n = std::min(KC, segmentStart[s + 1] - t0);
            if (pack) {
#pragma omp for schedule(static)
                for (int t = 0; t < n; ++t) {
                    const float* src = e + int64_t(rows[t]) * vDim;
                    for (int p = 0; p < aTiles; ++p) {
                        float* dst = scratch + (int64_t(p) * n + t) * MR;
                        const int a0 = p * MR;
                        if (a0 + MR <= vDim) {
                            for (int i = 0; i < MR; ++i) dst[i] = src[a0 + i];
                        } else {
                            for (int i = 0; i < vDim - a0; ++i) dst[i] = src[a0 + i];
                        }
                    }
                }
                chunk_tiles<true>(e, scratch, h, rows, n, vDim, hDim, acc, head);
            } else {
                chunk_tiles<false>(e, scratch, h, rows, n, vDim, hDim, acc, head);
            }
        }
    }
}

int domain_grad_with_head_scratch(int vDim) { return (vDim + MR - 1) / MR * MR * KC; }

}  // namespace RNB_ISA
