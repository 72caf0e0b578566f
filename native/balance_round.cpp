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
// ragged k and d); benchmark: `rnb scale` (docs/SCALING.md, "G p + update,
// all k present").
#include "model_isa.h"
#include "fast_exp.h"

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
// PREFETCH_MIN_BYTES of X there are none.
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
    for (int64_t c = 0; c < n; c += 64 / int64_t(sizeof(float))) __builtin_prefetch(row + c, 0, 3);
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

// Rows of a pass-1 slice (4 MiB of X at d = 64). The slices are fixed by k
// alone and their partial sums added in order, so v, like every result here,
// does not depend on the number of threads (rnb_model.h's promise).
constexpr int SLICE_ROWS = 16384;

// Pass 1 over (row slice, column block) pairs: threads own disjoint pairs, a
// single slice writes v directly, more write partial sums added at the end.
static void weighted_sum(const float* X, const float* p, const float* s, int k, int64_t d, bool parallel, float* v) {
    const int64_t blocks = (d + COLUMN_BLOCK - 1) / COLUMN_BLOCK;
    const int slices = (k + SLICE_ROWS - 1) / SLICE_ROWS;
    float* partial = slices == 1 ? v : (float*)malloc(sizeof(float) * size_t(slices) * d);
#pragma omp parallel for collapse(2) schedule(static) if (parallel)
    for (int slice = 0; slice < slices; ++slice) {
        for (int64_t b = 0; b < blocks; ++b) {
            const int j0 = slice * SLICE_ROWS, j1 = j0 + SLICE_ROWS < k ? j0 + SLICE_ROWS : k;
            const int64_t c0 = b * COLUMN_BLOCK, c1 = c0 + COLUMN_BLOCK < d ? c0 + COLUMN_BLOCK : d;
            weighted_rows(X, p, s, j0, j1, d, c0, c1, prefetch_rows(k, d), partial + size_t(slice) * d + c0);
        }
    }
    if (slices == 1) return;
#pragma omp parallel for schedule(static) if (parallel)
    for (int64_t c = 0; c < d; ++c) {
        float sum = 0.0f;
        for (int slice = 0; slice < slices; ++slice) sum += partial[size_t(slice) * d + c];
        v[c] = sum;
    }
    free(partial);
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
        for (; c + VW <= n; c += VW) {
            const vec x = load(v + c);
            a0 += load(row[0] + c) * x;
            a1 += load(row[1] + c) * x;
            a2 += load(row[2] + c) * x;
            a3 += load(row[3] + c) * x;
            if (ZERO) store(row[0] + c, zero), store(row[1] + c, zero), store(row[2] + c, zero), store(row[3] + c, zero);
        }
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

// gp[i] = s_i <X_i, v> for rows [i0, i1), last row first; 0 for absent rows,
// which are not read (with ZERO they are zeroed all the same).
template <bool ZERO>
static void scaled_dots(float* X, const float* s, const float* v, int i0, int i1, int64_t d, int ahead, float* gp) {
    float* row[4];
    int at[4];
    float out[4];
    int m = 0;
    for (int i = i1 - 1; i >= i0; --i) {
        if (ahead > 0 && i - ahead >= 0) prefetch_row(X + int64_t(i - ahead) * d, d);  // into the next chunk too
        if (s[i] == 0.0f) {
            gp[i] = 0.0f;
            if (ZERO) memset(X + int64_t(i) * d, 0, sizeof(float) * d);
            continue;
        }
        row[m] = X + int64_t(i) * d;
        at[m++] = i;
        if (m == 4) {
            dots<ZERO>(row, v, 4, d, out);
            for (int r = 0; r < 4; ++r) gp[at[r]] = s[at[r]] * out[r];
            m = 0;
        }
    }
    if (m > 0) {
        dots<ZERO>(row, v, m, d, out);
        for (int r = 0; r < m; ++r) gp[at[r]] = s[at[r]] * out[r];
    }
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
                                    float* gp) {
    const int chunks = (k + STATS_CHUNK - 1) / STATS_CHUNK;
    Stats* part = (Stats*)malloc(sizeof(Stats) * chunks);
#pragma omp parallel for schedule(static) if (parallel)
    for (int c = chunks - 1; c >= 0; --c) {
        const int i0 = c * STATS_CHUNK, i1 = i0 + STATS_CHUNK < k ? i0 + STATS_CHUNK : k;
        scaled_dots<ZERO>(X, s, v, i0, i1, d, prefetch_rows(k, d), gp);
        part[c] = no_stats();
        add_stats(gp, s, i0, i1, part[c]);
    }
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
template <bool ZERO>
static Stats gp_with_stats(float* X, const float* scale, const float* p, int k, int64_t d, float* gp) {
    const bool parallel = int64_t(k) * d >= rnb_parallel_min_work;
    float* v = (float*)malloc(sizeof(float) * (d > 0 ? d : 1));
    weighted_sum(X, p, scale, k, d, parallel, v);
    const Stats st = scaled_dots_with_stats<ZERO>(X, scale, v, k, d, parallel, gp);
    free(v);
    return st;
}

void gram_times_p(const float* X, const float* scale, const float* p, int k, int64_t d, float* gp) {
    gp_with_stats<false>(const_cast<float*>(X), scale, p, k, d, gp);  // not written without ZERO
}

void gram_times_p_then_zero(float* X, const float* scale, const float* p, int k, int64_t d, float* gp) {
    gp_with_stats<true>(X, scale, p, k, d, gp);
}

int balance_round(const float* X, const float* scale, const float* p, const float* current, float lambda, int k,
                  int64_t d, float* next) {
    const Stats st = gp_with_stats<false>(const_cast<float*>(X), scale, p, k, d, next);
    return softmax_update(next, scale, current, lambda, k, st, next);
}

int balance_update(const float* gp, const float* scale, const float* current, float lambda, int k, float* next) {
    Stats st = no_stats();
    add_stats(gp, scale, 0, k, st);
    return softmax_update(gp, scale, current, lambda, k, st, next);
}

}  // namespace RNB_ISA
