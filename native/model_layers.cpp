// Embedding, LayerNorm (alone and fused with the residual add), bias, GELU and residual kernels of the byte-level GPT
// (contracts in rnb_model.h / dev.rnb.backend.ModelOps). Parallel loops own
// disjoint outputs, so results do not depend on the thread count.
#include "model_isa.h"
#include "fast_exp.h"

#include <cmath>
#include <stdlib.h>

namespace RNB_ISA {

// Column sums over rows (bias and LayerNorm parameter gradients). Walking a
// column down the rows touches one float per cache line; instead a thread
// owns a block of columns and adds whole row segments into its accumulators,
// row by row (the same summation order as a column walk).
static const int RNB_COLUMN_BLOCK = 64;

void encoder_forward(float* out, const float* tokens, const float* wte, const float* wpe, int B, int T, int C) {
#pragma omp parallel for schedule(static) if ((int64_t)B * T * C >= rnb_parallel_min_work)
    for (int64_t n = 0; n < (int64_t)B * T; n++) {
        const int64_t t = n % T;
        const float* e = wte + (int64_t)tokens[n] * C;
        const float* p = wpe + t * C;
        float* o = out + n * C;
        for (int c = 0; c < C; c++) o[c] = e[c] + p[c];
    }
}

void encoder_backward(float* dwte, float* dwpe, const float* dout, const float* tokens, int B, int T, int C) {
    // A thread owns a column c: rows are added in order, no two threads write one float.
#pragma omp parallel for schedule(static) if ((int64_t)B * T * C >= rnb_parallel_min_work)
    for (int c = 0; c < C; c++) {
        for (int64_t n = 0; n < (int64_t)B * T; n++) {
            const float d = dout[n * C + c];
            dwte[(int64_t)tokens[n] * C + c] += d;
            dwpe[(n % T) * C + c] += d;
        }
    }
}

// One row of LayerNorm: mean and variance in double over the row (in cache
// after the first pass), then the normalised, scaled and shifted row.
static inline void layernorm_row(float* o, float* mean, float* rstd, const float* x, const float* weight,
                                 const float* bias, int C, double sum) {
    const double m = sum / C;
    double var = 0;
#pragma omp simd reduction(+ : var)
    for (int c = 0; c < C; c++) {
        const double d = x[c] - m;
        var += d * d;
    }
    var /= C;
    const float s = (float)(1.0 / std::sqrt(var + 1e-5));
    const float mf = (float)m;
    for (int c = 0; c < C; c++) o[c] = (x[c] - mf) * s * weight[c] + bias[c];
    *mean = mf;
    *rstd = s;
}

void layernorm_forward(float* out, float* mean, float* rstd, const float* inp, const float* weight,
                       const float* bias, int N, int C) {
#pragma omp parallel for schedule(static) if ((int64_t)N * C >= rnb_parallel_min_work)
    for (int n = 0; n < N; n++) {
        const float* x = inp + (int64_t)n * C;
        double m = 0;
#pragma omp simd reduction(+ : m)
        for (int c = 0; c < C; c++) m += x[c];
        layernorm_row(out + (int64_t)n * C, mean + n, rstd + n, x, weight, bias, C, m);
    }
}

// The residual add folded into LayerNorm's first pass (the mean's): the sum
// row is written once and normalised while it is in cache, instead of add
// writing it and LayerNorm reading it back. residual may alias inp or delta
// (each element is read before it is written, by the same iteration).
void residual_layernorm_forward(float* residual, float* out, float* mean, float* rstd, const float* inp,
                                const float* delta, const float* weight, const float* bias, int N, int C) {
#pragma omp parallel for schedule(static) if ((int64_t)N * C >= rnb_parallel_min_work)
    for (int n = 0; n < N; n++) {
        const float* x = inp + (int64_t)n * C;
        const float* y = delta + (int64_t)n * C;
        float* r = residual + (int64_t)n * C;
        double m = 0;
#pragma omp simd reduction(+ : m)
        for (int c = 0; c < C; c++) {
            const float v = x[c] + y[c];
            r[c] = v;
            m += v;
        }
        layernorm_row(out + (int64_t)n * C, mean + n, rstd + n, r, weight, bias, C, m);
    }
}

// One row of LayerNorm's backward needs two means over the row: of
// dnorm = weight * dout, and of dnorm * norm (norm = (x - mean) * rstd).
// x, dout, weight: [C]; writes *dmf, *dnmf. Summed in double, as everywhere.
static inline void layernorm_row_dots(float* dmf, float* dnmf, const float* x, const float* d, const float* weight,
                                      float m, float s, int C) {
    double dm = 0, dnm = 0;
#pragma omp simd reduction(+ : dm, dnm)
    for (int c = 0; c < C; c++) {
        const float norm = (x[c] - m) * s;
        const float dnorm = weight[c] * d[c];
        dm += dnorm;
        dnm += (double)dnorm * norm;
    }
    *dmf = (float)(dm / C);
    *dnmf = (float)(dnm / C);
}

void layernorm_backward(float* dinp, float* dweight, float* dbias, const float* dout, const float* inp,
                        const float* weight, const float* mean, const float* rstd, int N, int C) {
#pragma omp parallel if ((int64_t)N * C >= rnb_parallel_min_work)
    {
#pragma omp for schedule(static) nowait
        for (int n = 0; n < N; n++) {
            const float* x = inp + (int64_t)n * C;
            const float* d = dout + (int64_t)n * C;
            const float m = mean[n], s = rstd[n];
            float dmf, dnmf;
            layernorm_row_dots(&dmf, &dnmf, x, d, weight, m, s, C);
            float* di = dinp + (int64_t)n * C;
            for (int c = 0; c < C; c++) {
                const float norm = (x[c] - m) * s;
                di[c] += (weight[c] * d[c] - dmf - norm * dnmf) * s;
            }
        }
#pragma omp for schedule(static)
        for (int blk = 0; blk < (C + RNB_COLUMN_BLOCK - 1) / RNB_COLUMN_BLOCK; blk++) {
            const int c0 = blk * RNB_COLUMN_BLOCK, width = C - c0 < RNB_COLUMN_BLOCK ? C - c0 : RNB_COLUMN_BLOCK;
            double dw[RNB_COLUMN_BLOCK] = {0}, db[RNB_COLUMN_BLOCK] = {0};
            for (int n = 0; n < N; n++) {
                const float* d = dout + (int64_t)n * C + c0;
                const float* x = inp + (int64_t)n * C + c0;
                const float m = mean[n], s = rstd[n];
#pragma omp simd
                for (int c = 0; c < width; c++) {
                    db[c] += d[c];
                    dw[c] += (double)d[c] * ((x[c] - m) * s);
                }
            }
            for (int c = 0; c < width; c++) {
                dweight[c0 + c] += (float)dw[c];
                dbias[c0 + c] += (float)db[c];
            }
        }
    }
}

// Rows per chunk of the one-pass backward below: each chunk's column sums
// are kept apart and added in chunk order, so they do not depend on the
// number of threads.
static const int RNB_ROW_CHUNK = 64;

// Narrower rows take the two kernels: measured single-threaded (AVX-512,
// docs/BENCHMARKS.md), the one pass took 1.04-1.13x their time at width 64
// (1024-4096 rows) and 1024 x 128 (the rows stay in cache between their
// passes; 2048 x 128 was 0.87x), and 0.68-0.87x at widths 256 to 768.
static const int RNB_ONE_PASS_MIN_WIDTH = 256;

// layernorm_backward and then bias_backward of the updated dinp, in one pass
// over the rows: each row's dout, inp and dinp are read once, and the
// column sums (dweight, dbias, ddeltaBias) are added from that same pass into
// per-chunk double accumulators; separately the two kernels read dout and inp
// twice (rows, then column blocks) and dinp once more. Rows narrower than
// RNB_ONE_PASS_MIN_WIDTH, or no memory for the accumulators: the two kernels.
void residual_layernorm_backward(float* dinp, float* dweight, float* dbias, float* ddeltaBias, const float* dout,
                                 const float* inp, const float* weight, const float* mean, const float* rstd, int N,
                                 int C) {
    const int chunks = (N + RNB_ROW_CHUNK - 1) / RNB_ROW_CHUNK;
    // per chunk: dweight | dbias | ddeltaBias, C doubles each
    double* partial = C < RNB_ONE_PASS_MIN_WIDTH ? nullptr : (double*)calloc((size_t)chunks * 3 * C + 1, sizeof(double));
    if (partial == nullptr) {
        layernorm_backward(dinp, dweight, dbias, dout, inp, weight, mean, rstd, N, C);
        bias_backward(ddeltaBias, dinp, N, C);
        return;
    }
#pragma omp parallel if ((int64_t)N * C >= rnb_parallel_min_work)
    {
#pragma omp for schedule(static)
        for (int k = 0; k < chunks; k++) {
            double* dw = partial + (size_t)k * 3 * C;
            double* db = dw + C;
            double* dd = db + C;
            const int end = N - k * RNB_ROW_CHUNK < RNB_ROW_CHUNK ? N : (k + 1) * RNB_ROW_CHUNK;
            for (int n = k * RNB_ROW_CHUNK; n < end; n++) {
                const float* x = inp + (int64_t)n * C;
                const float* d = dout + (int64_t)n * C;
                const float m = mean[n], s = rstd[n];
                float dmf, dnmf;
                layernorm_row_dots(&dmf, &dnmf, x, d, weight, m, s, C);
                float* di = dinp + (int64_t)n * C;
#pragma omp simd
                for (int c = 0; c < C; c++) {
                    const float norm = (x[c] - m) * s;
                    const float v = di[c] + (weight[c] * d[c] - dmf - norm * dnmf) * s;
                    di[c] = v;
                    dw[c] += (double)d[c] * norm;
                    db[c] += d[c];
                    dd[c] += v;
                }
            }
        }
#pragma omp for schedule(static)
        for (int c = 0; c < C; c++) {
            double w = 0, b = 0, e = 0;
            for (int k = 0; k < chunks; k++) {
                const double* p = partial + (size_t)k * 3 * C + c;
                w += p[0];
                b += p[C];
                e += p[2 * C];
            }
            dweight[c] += (float)w;
            dbias[c] += (float)b;
            ddeltaBias[c] += (float)e;
        }
    }
    free(partial);
}

void bias_add(float* out, const float* bias, int N, int OC) {
#pragma omp parallel for schedule(static) if ((int64_t)N * OC >= rnb_parallel_min_work)
    for (int n = 0; n < N; n++) {
        float* o = out + (int64_t)n * OC;
        for (int c = 0; c < OC; c++) o[c] += bias[c];
    }
}

void bias_backward(float* dbias, const float* dout, int N, int OC) {
    const int blocks = (OC + RNB_COLUMN_BLOCK - 1) / RNB_COLUMN_BLOCK;
#pragma omp parallel for schedule(static) if ((int64_t)N * OC >= rnb_parallel_min_work)
    for (int blk = 0; blk < blocks; blk++) {
        const int c0 = blk * RNB_COLUMN_BLOCK, width = OC - c0 < RNB_COLUMN_BLOCK ? OC - c0 : RNB_COLUMN_BLOCK;
        double sum[RNB_COLUMN_BLOCK] = {0};
        for (int n = 0; n < N; n++) {
            const float* row = dout + (int64_t)n * OC + c0;
#pragma omp simd
            for (int c = 0; c < width; c++) sum[c] += row[c];
        }
        for (int c = 0; c < width; c++) dbias[c0 + c] += (float)sum[c];
    }
}

static inline float rnb_gelu_u(float x) { return 0.7978845608028654f * (x + 0.044715f * x * x * x); }

// GELU(x) = 0.5 x (1 + tanh(u)) = x s with s = 1 / (1 + exp(-2u)), since
// 1 + tanh(u) = 2 / (1 + exp(-2u)) (no cancellation where tanh(u) is near -1);
// the derivative is s + 2 x s (1 - s) u'. One fast exp per element instead of
// a tanh call (see fast_exp.h); error against double tanh: GeluAccuracyTest.
//
// -2u is clamped to [-64, 64], and s is taken as 0 where -2u >= 64 (x below
// about -8.9, where s < 1.7e-28: GELU's error there is below 1.7e-28 |x|, its
// derivative's below 1e-25). The clamp used to be rnb_fast_exp's, at 88, and
// GCC turned it into a second path computed for every lane and then
// discarded: x * (1 / (1 + e^88)), whose constant is a denormal (6.05e-39), so
// each such multiply took a microcode assist and the forward ran at 2-5x the
// backward's time (StepProfile, docs/BENCHMARKS.md). The paths the clamps make
// now multiply by 0 or 1.
static inline float rnb_gelu_s(float x) {
    float z = -2.0f * rnb_gelu_u(x);
    const float s = 1.0f / (1.0f + rnb_exp_in_range(z < -64.0f ? -64.0f : z < 64.0f ? z : 64.0f));
    return z < 64.0f ? s : 0.0f;
}

void gelu_forward(float* out, const float* inp, int64_t n) {
#pragma omp parallel for simd schedule(static) if (parallel : n >= rnb_parallel_min_work)
    for (int64_t i = 0; i < n; i++) {
        const float x = inp[i];
        out[i] = x * rnb_gelu_s(x);
    }
}

// Beyond |x| = 10, s (1 - s) is exactly 0 and u' (from x clamped to [-10, 10])
// stays finite, so the derivative is exactly 0 or 1 there, never NaN.
void gelu_backward(float* dinp, const float* inp, const float* dout, int64_t n) {
#pragma omp parallel for simd schedule(static) if (parallel : n >= rnb_parallel_min_work)
    for (int64_t i = 0; i < n; i++) {
        const float x = inp[i];
        const float s = rnb_gelu_s(x);
        const float xc = x < -10.0f ? -10.0f : x < 10.0f ? x : 10.0f;
        const float du = 0.7978845608028654f * (1.0f + 3.0f * 0.044715f * xc * xc);
        dinp[i] += (s + 2.0f * x * s * (1.0f - s) * du) * dout[i];
    }
}

void add(float* out, const float* a, const float* b, int64_t n) {
#pragma omp parallel for schedule(static) if (n >= rnb_parallel_min_work)
    for (int64_t i = 0; i < n; i++) out[i] = a[i] + b[i];
}

}  // namespace RNB_ISA
