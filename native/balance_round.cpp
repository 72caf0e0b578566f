// G p without forming G, and the R&B update after it (issue #17), built with
// the model's per-instruction-set kernels (model_isa.h; model_dispatch.cpp
// picks one). G = diag(s) X X^T diag(s) for the per-domain gradients X
// (k x d, row-major), so
//   v = sum_j p_j s_j X_j       (pass 1: reads X once)
//   (G p)_i = s_i <X_i, v>      (pass 2: reads X once)
// and p' = softmax(lambda G p / ||G p||) over k floats. Both passes are
// memory-bound: they are written so that the compiler's only job is the
// vector width (explicit vectors of VW floats, several independent
// accumulators, no aliasing between the output and X), and the norm, the
// maximum logit and the checks of the update are taken during pass 2, so the
// update is one exponential pass and one scaling pass over k floats.
// Reference: the reference backend's gramTimesP / balanceUpdate; check:
// BalanceRoundKernelTest (every instruction set, serial and parallel paths,
// ragged k and d); benchmark: `rnb scale` (docs/scaling/round-cost-journal.md,
// "G p + update, all k present").
#include "model_isa.h"
#include "fast_exp.h"
#include "parallel_for.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

namespace RNB_ISA {

#if defined(__AVX512F__)
constexpr int VW = 16;
#elif defined(__AVX2__)
constexpr int VW = 8;
#else
constexpr int VW = 4;
#endif

typedef float vec __attribute__((vector_size(VW * 4)));
typedef float uvec __attribute__((vector_size(VW * 4), aligned(4), may_alias));

static inline vec load(const float* p) { return *(const uvec*)p; }
static inline void store(float* p, vec x) { *(uvec*)p = x; }
static inline vec splat(float x) { return vec{} + x; }
typedef float vec8 __attribute__((vector_size(32)));
typedef float vec4 __attribute__((vector_size(16)));

// The sum of a vector's lanes by halving (log2 VW dependent adds, not VW).
static inline float hsum(vec x) {
#if defined(__AVX512F__)
    const vec8 h8 = __builtin_shufflevector(x, x, 0, 1, 2, 3, 4, 5, 6, 7) +
                    __builtin_shufflevector(x, x, 8, 9, 10, 11, 12, 13, 14, 15);
#elif defined(__AVX2__)
    const vec8 h8 = x;
#endif
#if defined(__AVX512F__) || defined(__AVX2__)
    const vec4 h4 = __builtin_shufflevector(h8, h8, 0, 1, 2, 3) + __builtin_shufflevector(h8, h8, 4, 5, 6, 7);
#else
    const vec4 h4 = x;
#endif
    const vec4 h2 = h4 + __builtin_shufflevector(h4, h4, 2, 3, 0, 1);
    return h2[0] + h2[1];
}

// Columns of v a pass-1 block holds (16 KiB, in L1 while rows stream by).
constexpr int64_t COLUMN_BLOCK = 4096;

// out[0 .. n) += sum over the m <= 4 rows r of w[r] * row[r][0 .. n): the
// rows' terms are added in order, so each column's sum is that of the plain
// loop over j (with multiply-adds fused).
static void add_rows(float* __restrict out, const float* const* row, const float* w, int m, int64_t n) {
    int64_t c = 0;
    if (m == 4) {
        const vec w0 = splat(w[0]), w1 = splat(w[1]), w2 = splat(w[2]), w3 = splat(w[3]);
        for (; c + VW <= n; c += VW) {
            vec o = load(out + c);
            o += w0 * load(row[0] + c);
            o += w1 * load(row[1] + c);
            o += w2 * load(row[2] + c);
            o += w3 * load(row[3] + c);
            store(out + c, o);
        }
    } else {
        for (int r = 0; r < m; ++r) {
            const vec wr = splat(w[r]);
            for (int64_t cc = 0; cc + VW <= n; cc += VW) store(out + cc, load(out + cc) + wr * load(row[r] + cc));
        }
        c = n - n % VW;
    }
    for (; c < n; ++c)
        for (int r = 0; r < m; ++r) out[c] += w[r] * row[r][c];
}

// Software prefetch for both passes when X comes from memory: the lines of
// the row PREFETCH_BYTES ahead in the pass's direction (16 rows at d = 64)
// are asked for while the current row is read. At k = 10^6, d = 64 (256 MiB)
// the hardware prefetchers alone left pass 2 (rows last first, four at a
// time) at 1.05x a copy of X and pass 1 at 0.87x; with this 0.88x and 0.83x
// (a C++ loop of these passes, one thread). On X in L2 (the touched
// sketches, 320 x 1024 floats) the same prefetches cost 18%: below
// PREFETCH_MIN_BYTES of X there are none. They ask for the lines into L2
// (prefetcht1), not L1: on an Intel Xeon host (2026-12-03) whose one core
// streams at about 10 GB/s, G p + update at 10^6 took 44 to 46 ms with them
// against 49 to 50 with prefetcht0, L1's few fill buffers most likely
// capping the lines in flight (docs/scaling/round-cost-journal.md, "Serial
// loops without the OpenMP runtime; prefetches into L2; a second host").
constexpr int64_t PREFETCH_BYTES = 4096;
constexpr int64_t PREFETCH_MIN_BYTES = int64_t(64) << 20;

// Rows ahead to prefetch (0: none).
static int prefetch_rows(int k, int64_t d) {
    if (int64_t(k) * d * int64_t(sizeof(float)) < PREFETCH_MIN_BYTES) return 0;
    const int64_t rows = PREFETCH_BYTES / (int64_t(sizeof(float)) * d);
    return rows > 0 ? int(rows) : 1;
}

// The cache lines of n floats from row.
static inline void prefetch_row(const float* row, int64_t n) {
    for (int64_t c = 0; c < n; c += 64 / int64_t(sizeof(float))) __builtin_prefetch(row + c, 0, 2);
}

// out[0 .. c1-c0) = sum over rows j in [j0, j1) of p_j s_j X[j, c0 .. c1),
// rows of weight 0 (absent domains, whose rows may hold anything) skipped.
static void weighted_rows(const float* X, const float* p, const float* s, int j0, int j1, int64_t d, int64_t c0,
                          int64_t c1, int ahead, float* __restrict out) {
    memset(out, 0, sizeof(float) * (c1 - c0));
    const float* row[4];
    float w[4];
    int m = 0;
    for (int j = j0; j < j1; ++j) {
        if (ahead > 0 && j + ahead < j1) prefetch_row(X + int64_t(j + ahead) * d + c0, c1 - c0);
        const float wj = p[j] * s[j];
        if (wj == 0.0f) continue;
        row[m] = X + int64_t(j) * d + c0;
        w[m++] = wj;
        if (m == 4) {
            add_rows(out, row, w, 4, c1 - c0);
            m = 0;
        }
    }
    if (m > 0) add_rows(out, row, w, m, c1 - c0);
}

// Columns of a live block (rnb_model.h, gram_times_p_then_zero_blocks): a cache line.
constexpr int64_t BLOCK = 16;
static_assert(BLOCK % VW == 0, "a block is whole vectors");

// The live blocks of a row: ascending block indices; every other column of X
// is zero and is neither read nor written.
struct Blocks {
    const int* at;
    int n;
};

// Columns a pass reads: for the threading threshold.
static inline int64_t live_columns(int64_t d, Blocks live) { return live.at != nullptr ? BLOCK * live.n : d; }

// Asks for a row's live lines: all that a pass over the live blocks reads of it.
static inline void prefetch_blocks(const float* row, Blocks live) {
    for (int b = 0; b < live.n; ++b) __builtin_prefetch(row + BLOCK * live.at[b], 0, 2);
}

// add_rows over the live blocks, one block at a time: each column gets the
// same multiply-adds in the same order as over whole rows (columns are
// independent), the dead ones none.
static void add_rows_blocks(float* __restrict out, const float* const* row, const float* w, int m, Blocks live) {
    const float* at[4];
    for (int b = 0; b < live.n; ++b) {
        const int64_t c0 = BLOCK * live.at[b];
        for (int r = 0; r < m; ++r) at[r] = row[r] + c0;
        add_rows(out + c0, at, w, m, BLOCK);
    }
}

// weighted_rows over all d columns of the live blocks (v's dead columns stay 0).
static void weighted_rows_blocks(const float* X, const float* p, const float* s, int j0, int j1, int64_t d,
                                 Blocks live, int ahead, float* __restrict out) {
    memset(out, 0, sizeof(float) * d);
    const float* row[4];
    float w[4];
    int m = 0;
    for (int j = j0; j < j1; ++j) {
        if (ahead > 0 && j + ahead < j1) prefetch_blocks(X + int64_t(j + ahead) * d, live);
        const float wj = p[j] * s[j];
        if (wj == 0.0f) continue;
        row[m] = X + int64_t(j) * d;
        w[m++] = wj;
        if (m == 4) {
            add_rows_blocks(out, row, w, 4, live);
            m = 0;
        }
    }
    if (m > 0) add_rows_blocks(out, row, w, m, live);
}

// Rows of a pass-1 slice (4 MiB of X at d = 64). The slices are fixed by k
// alone and their partial sums added in order, so v, like every result here,
// does not depend on the number of threads (rnb_model.h's promise).
constexpr int SLICE_ROWS = 16384;

// Pass 1 over (row slice, column block) pairs: threads own disjoint pairs, a
// single slice writes v directly, more write partial sums added at the end.
// With live.at (not null) only the live blocks are read, in the same slices:
// the same sums as over all columns, as the dead columns add nothing.
static void weighted_sum(const float* X, const float* p, const float* s, int k, int64_t d, bool parallel, Blocks live,
                         float* v) {
    const int64_t blocks = live.at != nullptr ? 1 : (d + COLUMN_BLOCK - 1) / COLUMN_BLOCK;
    const int slices = (k + SLICE_ROWS - 1) / SLICE_ROWS;
    float* partial = slices == 1 ? v : (float*)malloc(sizeof(float) * size_t(slices) * d);
    // The (slice, block) pairs in the order of a collapse(2) loop: slice major.
    rnb_for(parallel, slices * blocks, [&](int64_t pair) {
        const int slice = int(pair / blocks);
        const int64_t b = pair % blocks;
        const int j0 = slice * SLICE_ROWS, j1 = j0 + SLICE_ROWS < k ? j0 + SLICE_ROWS : k;
        const int64_t c0 = b * COLUMN_BLOCK, c1 = c0 + COLUMN_BLOCK < d ? c0 + COLUMN_BLOCK : d;
        if (live.at != nullptr)
            weighted_rows_blocks(X, p, s, j0, j1, d, live, prefetch_rows(k, d), partial + size_t(slice) * d);
        else
            weighted_rows(X, p, s, j0, j1, d, c0, c1, prefetch_rows(k, d), partial + size_t(slice) * d + c0);
    });
    if (slices == 1) return;
    rnb_for(parallel, d, [&](int64_t c) {
        float sum = 0.0f;
        for (int slice = 0; slice < slices; ++slice) sum += partial[size_t(slice) * d + c];
        v[c] = sum;
    });
    free(partial);
}

// One vector of four rows' dots (dots and dots_blocks): columns c .. c+VW of
// each row times v's into the row's accumulator, and with ZERO the row's
// vector overwritten with zeros right after it is read.
template <bool ZERO>
static inline void dot4_step(float* const* row, const float* __restrict v, int64_t c, vec& a0, vec& a1, vec& a2,
                             vec& a3) {
    const vec x = load(v + c);
    a0 += load(row[0] + c) * x;
    a1 += load(row[1] + c) * x;
    a2 += load(row[2] + c) * x;
    a3 += load(row[3] + c) * x;
    if (ZERO) {
        const vec zero{};
        store(row[0] + c, zero), store(row[1] + c, zero), store(row[2] + c, zero), store(row[3] + c, zero);
    }
}

// out[r] = <row[r], v> over n floats for m <= 4 rows, each with its own
// accumulators: four rows' chains in one loop body keep the loads of all four
// in flight (one row at a time left pass 2 at twice pass 1's time). With
// ZERO each vector of a row is overwritten with zeros right after it is read
// (in L1: the accumulators' reset costs no pass of its own; a memset of each
// row after its dot saved a third as much). The tail's multiply-adds are
// explicit fmaf, so that both variants give the same bits whatever the
// compiler makes of the loops around them.
template <bool ZERO>
static void dots(float* const* row, const float* __restrict v, int m, int64_t n, float* out) {
    const vec zero{};
    if (m == 4) {
        vec a0{}, a1{}, a2{}, a3{};
        int64_t c = 0;
        for (; c + VW <= n; c += VW) dot4_step<ZERO>(row, v, c, a0, a1, a2, a3);
        out[0] = hsum(a0), out[1] = hsum(a1), out[2] = hsum(a2), out[3] = hsum(a3);
        const int64_t tail = c;
        for (; c < n; ++c)
            for (int r = 0; r < 4; ++r) out[r] = fmaf(row[r][c], v[c], out[r]);
        if (ZERO)
            for (int r = 0; r < 4; ++r) memset(row[r] + tail, 0, sizeof(float) * (n - tail));
        return;
    }
    for (int r = 0; r < m; ++r) {
        vec a0{}, a1{};
        int64_t c = 0;
        for (; c + 2 * VW <= n; c += 2 * VW) {
            a0 += load(row[r] + c) * load(v + c);
            a1 += load(row[r] + c + VW) * load(v + c + VW);
            if (ZERO) store(row[r] + c, zero), store(row[r] + c + VW, zero);
        }
        if (c + VW <= n) {
            a0 += load(row[r] + c) * load(v + c);
            if (ZERO) store(row[r] + c, zero);
            c += VW;
        }
        float sum = hsum(a0 + a1);
        const int64_t tail = c;
        for (; c < n; ++c) sum = fmaf(row[r][c], v[c], sum);
        if (ZERO) memset(row[r] + tail, 0, sizeof(float) * (n - tail));
        out[r] = sum;
    }
}

// dots over the live blocks: each row's accumulators get the products of the
// same vectors as there (with four rows one accumulator a row; else vector q
// of the row to accumulator q mod 2, as dots' loop of pairs does), the dead
// columns' products, exact zeros, left out; d % BLOCK == 0, so no tail.
template <bool ZERO>
static void dots_blocks(float* const* row, const float* __restrict v, int m, Blocks live, float* out) {
    const vec zero{};
    if (m == 4) {
        vec a0{}, a1{}, a2{}, a3{};
        for (int b = 0; b < live.n; ++b) {
            const int64_t c0 = BLOCK * live.at[b];
            for (int64_t c = c0; c < c0 + BLOCK; c += VW) dot4_step<ZERO>(row, v, c, a0, a1, a2, a3);
        }
        out[0] = hsum(a0), out[1] = hsum(a1), out[2] = hsum(a2), out[3] = hsum(a3);
        return;
    }
    for (int r = 0; r < m; ++r) {
        vec a[2] = {vec{}, vec{}};
        for (int b = 0; b < live.n; ++b) {
            const int64_t c0 = BLOCK * live.at[b];
            for (int64_t c = c0; c < c0 + BLOCK; c += VW) {
                a[(c / VW) & 1] += load(row[r] + c) * load(v + c);
                if (ZERO) store(row[r] + c, zero);
            }
        }
        out[r] = hsum(a[0] + a[1]);
    }
}

// The live blocks of a row zeroed.
static void zero_blocks(float* row, Blocks live) {
    const vec zero{};
    for (int b = 0; b < live.n; ++b)
        for (int64_t c = BLOCK * live.at[b]; c < BLOCK * (live.at[b] + 1); c += VW) store(row + c, zero);
}

// gp[i] = s_i <X_i, v> for rows [i0, i1), last row first; 0 for absent rows,
// which are not read (with ZERO they are zeroed all the same).
// With live.at (not null) only the live blocks are read and zeroed.
template <bool ZERO>
static void scaled_dots(float* X, const float* s, const float* v, int i0, int i1, int64_t d, Blocks live, int ahead,
                        float* gp) {
    float* row[4];
    int at[4];
    float out[4];
    int m = 0;
    const bool masked = live.at != nullptr;
    auto flush = [&](int n) {
        if (masked) dots_blocks<ZERO>(row, v, n, live, out);
        else dots<ZERO>(row, v, n, d, out);
        for (int r = 0; r < n; ++r) gp[at[r]] = s[at[r]] * out[r];
    };
    for (int i = i1 - 1; i >= i0; --i) {
        if (ahead > 0 && i - ahead >= 0) {  // into the next chunk too
            if (masked) prefetch_blocks(X + int64_t(i - ahead) * d, live);
            else prefetch_row(X + int64_t(i - ahead) * d, d);
        }
        if (s[i] == 0.0f) {
            gp[i] = 0.0f;
            if (ZERO && masked) zero_blocks(X + int64_t(i) * d, live);
            else if (ZERO) memset(X + int64_t(i) * d, 0, sizeof(float) * d);
            continue;
        }
        row[m] = X + int64_t(i) * d;
        at[m++] = i;
        if (m == 4) {
            flush(4);
            m = 0;
        }
    }
    if (m > 0) flush(m);
}

// What the update needs from G p.
struct Stats {
    double sumSquares;  // over present, finite entries
    float max, min;     // of present, finite (G p)_i
    int present, nonFinite;
};

static Stats no_stats() { return Stats{0.0, -INFINITY, INFINITY, 0, 0}; }

static void add_stats(const float* gp, const float* s, int i0, int i1, Stats& st) {
    for (int i = i0; i < i1; ++i) {
        if (s[i] == 0.0f) continue;
        ++st.present;
        const float g = gp[i];
        if (!isfinite(g)) {
            ++st.nonFinite;
            continue;
        }
        st.sumSquares += double(g) * g;
        st.max = g > st.max ? g : st.max;
        st.min = g < st.min ? g : st.min;
    }
}

// Rows of pass 2 between statistics: their G p is still in L1 when read.
constexpr int STATS_CHUNK = 1024;

// Pass 2 over all k rows, the statistics taken chunk by chunk on the way
// and added in chunk order (independent of the number of threads).
// It walks the rows backwards: pass 1 ended on the last rows, so those still
// in the caches are read first, before pass 2's own reads evict them (read
// forwards, pass 2 would evict each of them just before reaching it).
template <bool ZERO>
static Stats scaled_dots_with_stats(float* X, const float* s, const float* v, int k, int64_t d, bool parallel,
                                    Blocks live, float* gp) {
    const int chunks = (k + STATS_CHUNK - 1) / STATS_CHUNK;
    Stats* part = (Stats*)malloc(sizeof(Stats) * chunks);
    rnb_for(parallel, chunks, [&](int64_t back) {
        const int c = chunks - 1 - int(back);
        const int i0 = c * STATS_CHUNK, i1 = i0 + STATS_CHUNK < k ? i0 + STATS_CHUNK : k;
        scaled_dots<ZERO>(X, s, v, i0, i1, d, live, prefetch_rows(k, d), gp);
        part[c] = no_stats();
        add_stats(gp, s, i0, i1, part[c]);
    });
    Stats st = no_stats();
    for (int c = 0; c < chunks; ++c) {
        st.sumSquares += part[c].sumSquares;
        st.present += part[c].present;
        st.nonFinite += part[c].nonFinite;
        st.max = part[c].max > st.max ? part[c].max : st.max;
        st.min = part[c].min < st.min ? part[c].min : st.min;
    }
    free(part);
    return st;
}

// next = softmax over the logits lambda / ||G p|| * gp[i] (0 where s_i = 0),
// in place when next == gp; the status codes of rnb_cpu.h. The maximum logit
// comes from the statistics: x -> factor * x is monotone in float, so the
// largest logit is factor * max (factor >= 0) or factor * min (factor < 0).
static int softmax_update(const float* gp, const float* s, const float* current, float lambda, int k, Stats st,
                          float* next) {
    int status = st.nonFinite > 0 ? 1 : st.present == 0 ? 3 : st.sumSquares == 0.0 ? 2 : 0;
    if (status != 0) {
        memmove(next, current, sizeof(float) * k);
        return status;
    }
    const float factor = float(lambda / sqrt(st.sumSquares));
    float maxLogit = factor >= 0.0f ? factor * st.max : factor * st.min;
    if (st.present < k && maxLogit < 0.0f) maxLogit = 0.0f;  // absent domains' logit 0
    double total = 0.0;
    // Logits are at most 0 after the shift; below -87 exp is 0 in float's
    // normal range (rnb_fast_exp clamps there).
#pragma omp simd reduction(+ : total)
    for (int i = 0; i < k; ++i) {
        const float logit = s[i] == 0.0f ? 0.0f : factor * gp[i];
        const float e = rnb_fast_exp(logit - maxLogit);
        next[i] = e;
        total += e;
    }
    const float inv = float(1.0 / total);
#pragma omp simd
    for (int i = 0; i < k; ++i) next[i] *= inv;
    return 0;
}

// Both passes; gp may be the update's output (balance_round). With ZERO
// (X is then written) pass 2 leaves X's k rows zeroed.
// All columns when live.at is null.
template <bool ZERO>
static Stats gp_with_stats(float* X, const float* scale, const float* p, int k, int64_t d, Blocks live, float* gp) {
    const bool parallel = int64_t(k) * live_columns(d, live) >= rnb_parallel_min_work;
    float* v = (float*)malloc(sizeof(float) * (d > 0 ? d : 1));
    weighted_sum(X, p, scale, k, d, parallel, live, v);
    const Stats st = scaled_dots_with_stats<ZERO>(X, scale, v, k, d, parallel, live, gp);
    free(v);
    return st;
}

static const Blocks ALL_COLUMNS{nullptr, 0};

void gram_times_p(const float* X, const float* scale, const float* p, int k, int64_t d, float* gp) {
    gp_with_stats<false>(const_cast<float*>(X), scale, p, k, d, ALL_COLUMNS, gp);  // not written without ZERO
}

void gram_times_p_then_zero(float* X, const float* scale, const float* p, int k, int64_t d, float* gp) {
    gp_with_stats<true>(X, scale, p, k, d, ALL_COLUMNS, gp);
}

void gram_times_p_then_zero_blocks(float* X, const float* scale, const float* p, int k, int64_t d, const int* blocks,
                                   int nBlocks, float* gp) {
    gp_with_stats<true>(X, scale, p, k, d, Blocks{blocks, nBlocks}, gp);
}

int balance_round(const float* X, const float* scale, const float* p, const float* current, float lambda, int k,
                  int64_t d, float* next) {
    const Stats st = gp_with_stats<false>(const_cast<float*>(X), scale, p, k, d, ALL_COLUMNS, next);
    return softmax_update(next, scale, current, lambda, k, st, next);
}

int balance_update(const float* gp, const float* scale, const float* current, float lambda, int k, float* next) {
    Stats st = no_stats();
    add_stats(gp, scale, 0, k, st);
    return softmax_update(gp, scale, current, lambda, k, st, next);
}

}  // namespace RNB_ISA
