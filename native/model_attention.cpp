// Causal self-attention, blocked by query tiles (contracts in rnb_model.h).
// For each (batch, head) and each tile of TILE query rows [r0, r0 + rows), only
// the keys [0, r0 + rows) can be seen: the tile's scores Q K^T, their masked
// softmax and the output P V are computed one after the other while the
// tile's rows of att (at most TILE x T floats) are still in cache, and the key
// tiles above the diagonal are never multiplied. At T = 256 that is 10 of 16
// tiles of the full T x T scores (the GEMMs it replaces computed all 16 and
// zeroed the upper triangle). The backward goes tile by tile the same way.
// The GEMMs are OpenBLAS calls on strided views of qkv (rows of 3C floats,
// head h at columns h*hs); the softmax rows between them run here.
#include "model_isa.h"
#include "fast_exp.h"

#include <cmath>

namespace RNB_ISA {

namespace {

const int ROW_MAJOR = 101, NO_TRANS = 111, TRANS = 112;  // CBLAS_ORDER, CBLAS_TRANSPOSE
const int TILE = 64;

// Row t of a tile: softmax of its first t+1 scaled scores, the rest of the row (to T) 0.
inline void causal_softmax_row(float* a, int t, int T) {
    float max = -INFINITY;
#pragma omp simd reduction(max : max)
    for (int t2 = 0; t2 <= t; t2++) max = a[t2] > max ? a[t2] : max;
    double sum = 0;
#pragma omp simd reduction(+ : sum)
    for (int t2 = 0; t2 <= t; t2++) {
        a[t2] = rnb_fast_exp(a[t2] - max);
        sum += a[t2];
    }
    const float inv = (float)(1.0 / sum);
#pragma omp simd
    for (int t2 = 0; t2 <= t; t2++) a[t2] *= inv;
    for (int t2 = t + 1; t2 < T; t2++) a[t2] = 0.0f;
}

// d holds dL/dP of row t on entry, the scores' gradient P (dP - <P, dP>) on return (0 above t, to T).
inline void causal_softmax_backward_row(float* d, const float* a, int t, int T) {
    double dot = 0;
#pragma omp simd reduction(+ : dot)
    for (int t2 = 0; t2 <= t; t2++) dot += (double)a[t2] * d[t2];
    const float dotf = (float)dot;
#pragma omp simd
    for (int t2 = 0; t2 <= t; t2++) d[t2] = a[t2] * (d[t2] - dotf);
    for (int t2 = t + 1; t2 < T; t2++) d[t2] = 0.0f;
}

}  // namespace

void attention_forward(float* out, float* att, const float* qkv, int B, int T, int C, int NH, rnb_sgemm_fn sgemm) {
    const int hs = C / NH, c3 = 3 * C;
    const float scale = (float)(1.0 / std::sqrt((double)hs));
    for (int b = 0; b < B; b++) {
        for (int h = 0; h < NH; h++) {
            const float* q = qkv + (int64_t)b * T * c3 + (int64_t)h * hs;
            const float* k = q + C;
            const float* v = q + 2 * C;
            float* a = att + ((int64_t)b * NH + h) * T * T;
            float* o = out + (int64_t)b * T * C + (int64_t)h * hs;
            for (int r0 = 0; r0 < T; r0 += TILE) {
                const int rows = T - r0 < TILE ? T - r0 : TILE, keys = r0 + rows;
                // scores (rows x keys) = scale Q[r0 .. r0+rows) K[0 .. keys)^T
                sgemm(ROW_MAJOR, NO_TRANS, TRANS, rows, keys, hs, scale, q + (int64_t)r0 * c3, c3, k, c3, 0.0f,
                      a + (int64_t)r0 * T, T);
                for (int t = r0; t < keys; t++) causal_softmax_row(a + (int64_t)t * T, t, T);
                // out rows (rows x hs) = P (rows x keys) V[0 .. keys)
                sgemm(ROW_MAJOR, NO_TRANS, NO_TRANS, rows, hs, keys, 1.0f, a + (int64_t)r0 * T, T, v, c3, 0.0f,
                      o + (int64_t)r0 * C, C);
            }
        }
    }
}

void attention_backward(float* dqkv, float* dpreatt, const float* dout, const float* qkv, const float* att, int B,
                        int T, int C, int NH, rnb_sgemm_fn sgemm) {
    const int hs = C / NH, c3 = 3 * C;
    const float scale = (float)(1.0 / std::sqrt((double)hs));
    for (int b = 0; b < B; b++) {
        for (int h = 0; h < NH; h++) {
            const int64_t qoff = (int64_t)b * T * c3 + (int64_t)h * hs;
            const float* q = qkv + qoff;
            const float* k = q + C;
            const float* v = q + 2 * C;
            float* dq = dqkv + qoff;
            float* dk = dq + C;
            float* dv = dq + 2 * C;
            const float* a = att + ((int64_t)b * NH + h) * T * T;
            float* d = dpreatt + ((int64_t)b * NH + h) * T * T;
            const float* dO = dout + (int64_t)b * T * C + (int64_t)h * hs;
            for (int r0 = 0; r0 < T; r0 += TILE) {
                const int rows = T - r0 < TILE ? T - r0 : TILE, keys = r0 + rows;
                const float* aTile = a + (int64_t)r0 * T;
                float* dTile = d + (int64_t)r0 * T;
                const float* dOTile = dO + (int64_t)r0 * C;
                // dP (rows x keys) = dO V^T; dV[0 .. keys) += P^T dO
                sgemm(ROW_MAJOR, NO_TRANS, TRANS, rows, keys, hs, 1.0f, dOTile, C, v, c3, 0.0f, dTile, T);
                sgemm(ROW_MAJOR, TRANS, NO_TRANS, keys, hs, rows, 1.0f, aTile, T, dOTile, C, 1.0f, dv, c3);
                for (int t = r0; t < keys; t++) causal_softmax_backward_row(d + (int64_t)t * T, a + (int64_t)t * T, t, T);
                // dQ rows += scale dS K[0 .. keys); dK[0 .. keys) += scale dS^T Q rows
                sgemm(ROW_MAJOR, NO_TRANS, NO_TRANS, rows, hs, keys, scale, dTile, T, k, c3, 1.0f,
                      dq + (int64_t)r0 * c3, c3);
                sgemm(ROW_MAJOR, TRANS, NO_TRANS, keys, hs, rows, scale, dTile, T, q + (int64_t)r0 * c3, c3, 1.0f, dk,
                      c3);
            }
        }
    }
}

}  // namespace RNB_ISA
