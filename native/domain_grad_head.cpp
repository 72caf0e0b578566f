// The fused head split in one pass (issue #15): for every domain segment s of
// a batch, the piece X_s = E_s^T H_s is formed register tile by register tile
// and each tile is added to its domain's accumulator AND to the head's weight
// gradient as it leaves the registers. OpenBLAS writes a GEMM's result to one
// output, so before this kernel every piece went to scratch and a second pass
// added it twice (docs/BENCHMARKS.md, "Where the fused split's time goes").
// Built with the model's per-instruction-set kernels (model_isa.h), but only
// the AVX-512 build has it: with AVX2 the same tiles (6 x 16, 3 x 32, 4 x 24)
// reached 1.25-1.4x OpenBLAS's head GEMM, against 1.05-1.15x for OpenBLAS's
// per-domain GEMMs plus the adds, which stay the split there (CpuBalanceOps).
// Reference: the reference backend's domainGradAccumulateWithHead; check:
// BackendConformanceTest (every instruction set, ragged shapes); benchmark:
// FusedSplitProfile and OverheadClaimsBenchmark.
#include "model_isa.h"

#if defined(__AVX512F__)
#include <algorithm>

namespace RNB_ISA {

// Register tile: MR rows of v by NV vectors of VW floats along h. Per row of
// the batch the tile does MR x NV = 24 multiply-adds (24 of the 32 vector
// registers hold the tile) from NV loads of H and MR broadcasts of E.
constexpr int VW = 16, MR = 6, NV = 4;
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
// stride hDim) at (a0, b0). Packed, E comes as ep (n x MR: the rows' columns
// a0 .. a0+M-1) and a whole tile's H as hp (n x NR: columns b0 .. b0+NR-1);
// else from e (the batch's E, row stride vDim) and h (the batch's H, row
// stride hDim) in place; rows: the n batch rows.
template <int M, int N, bool PACKED>
static inline __attribute__((always_inline)) void tile(const float* __restrict__ e, const float* __restrict__ ep,
                                                       const float* __restrict__ h, const float* __restrict__ hp,
                                                       const int* rows, int n, int64_t vDim, int64_t hDim, int a0, int b0,
                                                       float* __restrict__ acc, float* __restrict__ head) {
    vec c[M][N];
    for (int i = 0; i < M; ++i)
        for (int j = 0; j < N; ++j) c[i][j] = vec{};
    for (int t = 0; t < n; ++t) {
        const float* er = PACKED ? ep + t * MR : e + rows[t] * vDim + a0;
        const float* hr = PACKED && N == NV ? hp + t * NR : h + rows[t] * hDim + b0;
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
static void tile_rows(int m, const float* e, const float* ep, const float* h, const float* hp, const int* rows, int n,
                      int64_t vDim, int64_t hDim, int a0, int b0, float* acc, float* head) {
    switch (m) {
#define RNB_TILE_CASE(x) \
    case x: if constexpr (x <= MR) tile<x, N, PACKED>(e, ep, h, hp, rows, n, vDim, hDim, a0, b0, acc, head); break;
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
    for (; b + VW <= hDim; b += VW) tile_rows<1, PACKED>(m, e, ep, h, h, rows, n, vDim, hDim, a0, b, acc, head);
    for (int i = 0; i < m; ++i) {
        for (int c = b; c < hDim; ++c) {
            float sum = 0.0f;
            for (int t = 0; t < n; ++t) sum += (PACKED ? ep[t * MR + i] : e[rows[t] * vDim + a0 + i]) * h[rows[t] * hDim + c];
            acc[(a0 + i) * hDim + c] += sum;
            head[(a0 + i) * hDim + c] += sum;
        }
    }
}

// All tiles of one chunk of n rows of a segment, threads owning disjoint
// tiles; packed, ep holds E's panels (n x MR each) and hp H's (n x NR each).
template <bool PACKED>
static void chunk_tiles(const float* e, const float* ep, const float* h, const float* hp, const int* rows, int n,
                        int64_t vDim, int64_t hDim, float* acc, float* head) {
    const int aTiles = int((vDim + MR - 1) / MR), bTiles = int((hDim + NR - 1) / NR);
#pragma omp for schedule(static)
    for (int tIndex = 0; tIndex < aTiles * bTiles; ++tIndex) {
        const int a0 = tIndex % aTiles * MR, b0 = tIndex / aTiles * NR, m = int(std::min<int64_t>(MR, vDim - a0));
        const float* epTile = ep + int64_t(a0) * n;  // panel a0 / MR of n x MR floats
        const float* hpTile = hp + int64_t(b0) * n;  // panel b0 / NR of n x NR floats
        if (b0 + NR <= hDim) {
            tile_rows<NV, PACKED>(m, e, epTile, h, hpTile, rows, n, vDim, hDim, a0, b0, acc, head);
        } else {
            edge_columns<PACKED>(m, e, epTile, h, rows, n, vDim, hDim, a0, b0, acc, head);
        }
    }
}

void domain_grad_with_head(const float* h, const float* e, int hDim, int vDim, const int* rowOrder,
                           const int* segmentStart, const int* segmentSlot, int segments, float* g, float* head,
                           float* scratch) {
    // With more than one column of tiles, E's columns are read once per
    // column of tiles and H's once per row of tiles: both are packed per
    // chunk into panels of contiguous rows (rows of E v floats apart from L2,
    // and of H h floats apart, which share few L1 sets, cost more than the
    // copy: 1.2x the plain GEMM instead of 1.5x at h = 384, C++ prototype).
    const bool pack = hDim > NR;
    const int aTiles = (vDim + MR - 1) / MR, bPanels = hDim / NR;
    float* hp = scratch + int64_t(aTiles) * MR * KC;
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
                    const float* hRow = h + int64_t(rows[t]) * hDim;
                    for (int p = 0; p < bPanels; ++p) {
                        for (int j = 0; j < NV; ++j) store(hp + (int64_t(p) * n + t) * NR + j * VW, load(hRow + p * NR + j * VW));
                    }
                }
                chunk_tiles<true>(e, scratch, h, hp, rows, n, vDim, hDim, acc, head);
            } else {
                chunk_tiles<false>(e, scratch, h, h, rows, n, vDim, hDim, acc, head);
            }
        }
    }
}

int domain_grad_with_head_scratch(int vDim, int hDim) { return ((vDim + MR - 1) / MR * MR + hDim) * KC; }

}  // namespace RNB_ISA
#endif
