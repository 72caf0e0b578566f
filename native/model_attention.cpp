// The two non-GEMM steps of causal self-attention: the masked softmax of the
// scores and its backward (contracts in rnb_model.h). The GEMMs around them
// (scores Q K^T, output P V and their gradients) are OpenBLAS calls made by
// CpuAttention.java, one per (batch, head), on strided views of qkv.
#include "rnb_model.h"
#include "fast_exp.h"

#include <cmath>

void rnb_model_causal_softmax(float* att, int BH, int T) {
#pragma omp parallel for schedule(static) if ((int64_t)BH * T * T >= rnb_parallel_min_work)
    for (int64_t row = 0; row < (int64_t)BH * T; row++) {
        const int t = (int)(row % T);
        float* a = att + row * T;
        float max = -INFINITY;
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
}

void rnb_model_causal_softmax_backward(float* dpreatt, const float* att, int BH, int T) {
#pragma omp parallel for schedule(static) if ((int64_t)BH * T * T >= rnb_parallel_min_work)
    for (int64_t row = 0; row < (int64_t)BH * T; row++) {
        const int t = (int)(row % T);
        const float* a = att + row * T;
        float* d = dpreatt + row * T;
        double dot = 0;
#pragma omp simd reduction(+ : dot)
        for (int t2 = 0; t2 <= t; t2++) dot += (double)a[t2] * d[t2];
        const float dotf = (float)dot;
#pragma omp simd
        for (int t2 = 0; t2 <= t; t2++) d[t2] = a[t2] * (d[t2] - dotf);
        for (int t2 = t + 1; t2 < T; t2++) d[t2] = 0.0f;
    }
}
