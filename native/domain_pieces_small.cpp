// A batch's small per-domain pieces in one call (issue #17): for every domain
// segment s, X_s = E_s^T H_s (vDim x hDim) is formed register tile by register
// tile from the segment's rows read in place, run by run (a run: consecutive
// batch rows of one domain, a sequence each in a trainer's batch; no gather,
// no index per row) and either added to its slot's accumulator or CountSketched into
// its slot's sketch row. The OpenBLAS path (CpuBalanceOps) pays about a
// microsecond of call overhead per segment and a second pass over a piece
// in scratch; at R&B's many small domains (a sequence each, v x h = 64) that
// overhead was the step (docs/BENCHMARKS.md, "Small pieces in one call").
// Built once per instruction set (model_isa.h); contracts in rnb_model.h.
// Reference: ReferenceBalanceOps; check: SmallPiecesKernelTest.
#include "model_isa.h"

namespace RNB_ISA {
namespace {

#if defined(__AVX512F__)
constexpr int W = 16;
#elif defined(__AVX2__)
constexpr int W = 8;
#else
constexpr int W = 4;
#endif
// Vectors per tile along h: 8 x 2 accumulators need 16 of AVX-512's 32
// registers; with 16 registers (AVX2, SSE2) a tile is one vector wide.
constexpr int NW = W == 16 ? 2 : 1;
// Rows of X per tile.
constexpr int MR = 8;

// Not std::min: an inline function with external linkage would be kept once,
// from any one instruction set's build (model_isa.h).
static inline int smaller(int a, int b) { return a < b ? a : b; }

// w floats (w = 1: a scalar column) and their unaligned access.
template <int w> struct Lanes {
    typedef float vec __attribute__((vector_size(w * 4)));
    typedef float uvec __attribute__((vector_size(w * 4), aligned(4), may_alias));
    static inline vec load(const float* p) { return *(const uvec*)p; }
    static inline void store(float* p, vec v) { *(uvec*)p = v; }
};
template <> struct Lanes<1> {
    typedef float vec;
    static inline vec load(const float* p) { return *p; }
    static inline void store(float* p, vec v) { *p = v; }
};

// Where a tile of X goes. Accumulate: out (vDim x hDim) += the tile.
// Sketch: each coordinate c of the tile to row[bucket(c)] with sign(c), both
// from code[c] (rnb_cpu_sketch_codes: the bucket, the sign in the top bit).
struct Accumulate {
    float* out;
};
struct Sketch {
    const uint32_t* code;
    float* row;
};

template <int w>
static inline void put(Accumulate to, int64_t at, typename Lanes<w>::vec x) {
    Lanes<w>::store(to.out + at, Lanes<w>::load(to.out + at) + x);
}

template <int w>
static inline void put(Sketch to, int64_t at, typename Lanes<w>::vec x) {
    float lane[w];
    Lanes<w>::store(lane, x);
    for (int l = 0; l < w; ++l) {
        const uint32_t code = to.code[at + l];
        // sign(c) * x by flipping the sign bit: no branch on the hash
        uint32_t bits;
        __builtin_memcpy(&bits, &lane[l], 4);
        bits ^= code & 0x80000000u;
        float value;
        __builtin_memcpy(&value, &bits, 4);
        to.row[code & 0x7FFFFFFFu] += value;
    }
}

// A segment's rows: its runs, run j the batch rows first[j] .. first[j] + count[j] - 1.
struct Runs {
    const int* first;
    const int* count;
    int n;
};

// The M x (N*w) block of X at (a0, b0) over the segment's rows, e: rows x vDim,
// h: rows x hDim, to `to`. Sums run over the rows in batch order: the result
// does not depend on how segments are spread over threads.
template <int M, int N, int w, class To>
static inline __attribute__((always_inline)) void tile(const float* __restrict__ e, const float* __restrict__ h,
                                                       Runs runs, int64_t vDim, int64_t hDim, int a0, int b0, To to) {
    typedef Lanes<w> L;
    typename L::vec c[M][N];
    for (int i = 0; i < M; ++i)
        for (int j = 0; j < N; ++j) c[i][j] = typename L::vec{};
    for (int run = 0; run < runs.n; ++run) {
        const float* er = e + runs.first[run] * vDim + a0;
        const float* hr = h + runs.first[run] * hDim + b0;
        for (int t = runs.count[run]; t > 0; --t, er += vDim, hr += hDim) {
            typename L::vec hv[N];
            for (int j = 0; j < N; ++j) hv[j] = L::load(hr + j * w);
            for (int i = 0; i < M; ++i) {
                const float x = er[i];
                for (int j = 0; j < N; ++j) c[i][j] += x * hv[j];
            }
        }
    }
    for (int i = 0; i < M; ++i)
        for (int j = 0; j < N; ++j) put<w>(to, (a0 + i) * hDim + b0 + j * w, c[i][j]);
}

// Rows a0 .. a0+M-1 of X, all columns: the widest tiles first, then narrower
// vectors, then single columns for what no vector fits (hDim = 3, 17, ...).
template <int M, class To>
static void tile_row(const float* e, const float* h, Runs runs, int64_t vDim, int64_t hDim, int a0, To to) {
    int b = 0;
    for (; b + NW * W <= hDim; b += NW * W) tile<M, NW, W>(e, h, runs, vDim, hDim, a0, b, to);
    for (; b + W <= hDim; b += W) tile<M, 1, W>(e, h, runs, vDim, hDim, a0, b, to);
    if constexpr (W > 8) {
        if (b + 8 <= hDim) { tile<M, 1, 8>(e, h, runs, vDim, hDim, a0, b, to); b += 8; }
    }
    if constexpr (W > 4) {
        if (b + 4 <= hDim) { tile<M, 1, 4>(e, h, runs, vDim, hDim, a0, b, to); b += 4; }
    }
    for (; b < hDim; ++b) tile<M, 1, 1>(e, h, runs, vDim, hDim, a0, b, to);
}

// X of one segment, tile by tile, to `to`.
template <class To>
static void piece(const float* e, const float* h, Runs runs, int vDim, int hDim, To to) {
    for (int a0 = 0; a0 < vDim; a0 += MR) {
        switch (smaller(MR, vDim - a0)) {
#define RNB_ROW_CASE(m) case m: tile_row<m>(e, h, runs, vDim, hDim, a0, to); break;
            RNB_ROW_CASE(1) RNB_ROW_CASE(2) RNB_ROW_CASE(3) RNB_ROW_CASE(4)
            RNB_ROW_CASE(5) RNB_ROW_CASE(6) RNB_ROW_CASE(7) RNB_ROW_CASE(8)
#undef RNB_ROW_CASE
        }
    }
}
static_assert(MR == 8, "piece lists row tiles of 1 to 8 rows");

// Segment s's runs.
static inline Runs runs_of(const int* runFirst, const int* runRows, const int* segmentRun, int s) {
    return Runs{runFirst + segmentRun[s], runRows + segmentRun[s], segmentRun[s + 1] - segmentRun[s]};
}

// Asks for the line holding p. An asm statement, not __builtin_prefetch:
// since the segment loop calls lambdas (over_segments), GCC 12 removed the
// calls of the prefetch helpers below, which do nothing else, as if they
// had no effect, and no build of main had the bucket prefetch until this
// (docs/scaling/round-cost-journal.md, "The sketch rows' prefetch, compiled in").
static inline void ask_for_line(const float* p) {
#if defined(__x86_64__)
    asm volatile("prefetcht0 %0" : : "m"(*(const char*)p));
#else
    __builtin_prefetch(p, 1, 3);
#endif
}

// Asks for the lines of a sketch row that the piece's coordinates will add
// to, for writing. A step's segments are mostly domains new to the round:
// their rows were last touched at the previous round's end, and at k = 10^6
// other work has usually evicted them; the buckets are hashed (no hardware
// prefetcher follows them), so without this every put waits for its line.
// Only fresh rows (rnb_model.h: firstFresh): a row the round has written is
// in the caches, and asking for its lines again cost about 3 us a round at
// k = 10, where every step writes the same ten rows.
static inline void prefetch_buckets(const uint32_t* code, int64_t d, const float* row) {
    for (int64_t c = 0; c < d; ++c) ask_for_line(row + (code[c] & 0x7FFFFFFFu));
}

// Segments ahead whose sketch rows are asked for: about one DRAM latency of
// work (a segment of a run of 64 rows at v x h = 64 is a few hundred cycles).
constexpr int PREFETCH_AHEAD = 2;

// Every segment's piece to where(s); before segment s, prefetch(s + PREFETCH_AHEAD).
// The segments are spread over threads when the batch has enough work; else
// the loop runs without entering OpenMP at all: an inactive parallel region
// still cost 0.3 us a call, a tenth of R&B's sketched step at v x h = 64.
template <class Where, class Prefetch>
static void over_segments(const float* h, const float* e, int hDim, int vDim, const int* runFirst, const int* runRows,
                          const int* segmentRun, int segments, int rows, Where where, Prefetch prefetch) {
    auto segment = [&](int s) {
        if (s + PREFETCH_AHEAD < segments) prefetch(s + PREFETCH_AHEAD);
        piece(e, h, runs_of(runFirst, runRows, segmentRun, s), vDim, hDim, where(s));
    };
    for (int s = 0; s < PREFETCH_AHEAD && s < segments; ++s) prefetch(s);
    if (int64_t(rows) * vDim * hDim >= rnb_parallel_min_work) {
#pragma omp parallel for schedule(static)
        for (int s = 0; s < segments; ++s) segment(s);
    } else {
        for (int s = 0; s < segments; ++s) segment(s);
    }
}

}  // namespace

void domain_grad_small(const float* h, const float* e, int hDim, int vDim, const int* runFirst, const int* runRows,
                       const int* segmentRun, const int* segmentSlot, int segments, int rows, float* g) {
    const int64_t d = int64_t(vDim) * hDim;
    over_segments(h, e, hDim, vDim, runFirst, runRows, segmentRun, segments, rows,
                  [=](int s) { return Accumulate{g + segmentSlot[s] * d}; }, [](int) {});
}

void domain_sketch_small(const float* h, const float* e, int hDim, int vDim, const int* runFirst, const int* runRows,
                         const int* segmentRun, const int* segmentSlot, int segments, int rows, int r,
                         const uint32_t* codes, int firstFresh, int slotRows, float* sketch) {
    const int64_t d = int64_t(vDim) * hDim;
    over_segments(h, e, hDim, vDim, runFirst, runRows, segmentRun, segments, rows,
                  [=](int s) { return Sketch{codes, sketch + int64_t(segmentSlot[s]) * r}; },
                  [=](int s) {
                      if (segmentSlot[s] >= firstFresh) prefetch_buckets(codes, d, sketch + int64_t(segmentSlot[s]) * r);
                  });
    // The next batch's new domains take the slots after this batch's last
    // (DomainGradients), so their rows are known now: ask for as many as
    // this batch had fresh while the caller draws the next batch (and, in
    // training, runs the model), so that its first segments, which no
    // prefetch ahead inside a call covers, do not start with DRAM misses.
    int fresh = 0, next = 0;
    for (int s = 0; s < segments; ++s) {
        if (segmentSlot[s] >= firstFresh) ++fresh;
        if (segmentSlot[s] + 1 > next) next = segmentSlot[s] + 1;
    }
    for (int slot = next; slot < next + fresh && slot < slotRows; ++slot) prefetch_buckets(codes, d, sketch + int64_t(slot) * r);
}

}  // namespace RNB_ISA
