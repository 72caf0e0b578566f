// Causal multi-head self-attention, forward and backward (contracts in
// rnb_model.h). The backward runs in two passes so that no two threads add
// into one float: pass 1 owns a query row (softmax backward, dq), pass 2 owns
// a key/value row (dk, dv summed over the queries that see it, in order).
#include "rnb_model.h"

#include <cmath>
#include <vector>

void rnb_model_attention_forward(float* out, float* att, const float* qkv, int B, int T, int C, int NH) {
    const int hs = C / NH;
    const float scale = 1.0f / std::sqrt((float)hs);
    const int64_t C3 = 3LL * C;
#pragma omp parallel for collapse(3) schedule(static) if ((int64_t)B * NH * T * T * hs / 2 >= rnb_parallel_min_work)
    for (int b = 0; b < B; b++) {
        for (int h = 0; h < NH; h++) {
            for (int t = 0; t < T; t++) {
                const float* q = qkv + ((int64_t)b * T + t) * C3 + (int64_t)h * hs;
                float* a = att + (((int64_t)b * NH + h) * T + t) * T;
                float max = -INFINITY;
                for (int t2 = 0; t2 <= t; t2++) {
                    const float* k = qkv + ((int64_t)b * T + t2) * C3 + C + (int64_t)h * hs;
                    float dot = 0;
                    for (int i = 0; i < hs; i++) dot += q[i] * k[i];
                    a[t2] = dot * scale;
                    if (a[t2] > max) max = a[t2];
                }
                double sum = 0;
                for (int t2 = 0; t2 <= t; t2++) {
                    a[t2] = std::exp(a[t2] - max);
                    sum += a[t2];
                }
                const float inv = (float)(1.0 / sum);
                for (int t2 = 0; t2 < T; t2++) a[t2] = t2 <= t ? a[t2] * inv : 0.0f;
                float* o = out + ((int64_t)b * T + t) * C + (int64_t)h * hs;
                for (int i = 0; i < hs; i++) o[i] = 0.0f;
                for (int t2 = 0; t2 <= t; t2++) {
                    const float* v = qkv + ((int64_t)b * T + t2) * C3 + 2LL * C + (int64_t)h * hs;
                    for (int i = 0; i < hs; i++) o[i] += a[t2] * v[i];
                }
            }
        }
    }
}

void rnb_model_attention_backward(float* dqkv, float* dpreatt, const float* dout, const float* qkv, const float* att,
                                  int B, int T, int C, int NH) {
    const int hs = C / NH;
    const float scale = 1.0f / std::sqrt((float)hs);
    const int64_t C3 = 3LL * C;
#pragma omp parallel if ((int64_t)B * NH * T * T * hs / 2 >= rnb_parallel_min_work)
    {
        std::vector<float> datt(T);
        // Pass 1: a query row t. datt = <dout_t, v_t2>, dpreatt = softmax backward, dq.
#pragma omp for collapse(3) schedule(static)
        for (int b = 0; b < B; b++) {
            for (int h = 0; h < NH; h++) {
                for (int t = 0; t < T; t++) {
                    const float* a = att + (((int64_t)b * NH + h) * T + t) * T;
                    float* dp = dpreatt + (((int64_t)b * NH + h) * T + t) * T;
                    const float* d = dout + ((int64_t)b * T + t) * C + (int64_t)h * hs;
                    double dot = 0;
                    for (int t2 = 0; t2 <= t; t2++) {
                        const float* v = qkv + ((int64_t)b * T + t2) * C3 + 2LL * C + (int64_t)h * hs;
                        float s = 0;
                        for (int i = 0; i < hs; i++) s += d[i] * v[i];
                        datt[t2] = s;
                        dot += (double)a[t2] * s;
                    }
                    float* dq = dqkv + ((int64_t)b * T + t) * C3 + (int64_t)h * hs;
                    for (int t2 = 0; t2 < T; t2++) {
                        dp[t2] = t2 <= t ? a[t2] * (datt[t2] - (float)dot) : 0.0f;
                    }
                    for (int t2 = 0; t2 <= t; t2++) {
                        const float* k = qkv + ((int64_t)b * T + t2) * C3 + C + (int64_t)h * hs;
                        const float f = dp[t2] * scale;
                        for (int i = 0; i < hs; i++) dq[i] += k[i] * f;
                    }
                }
            }
        }
        // Pass 2: a key/value row t2, summed over the queries t >= t2 that attend to it.
#pragma omp for collapse(3) schedule(static)
        for (int b = 0; b < B; b++) {
            for (int h = 0; h < NH; h++) {
                for (int t2 = 0; t2 < T; t2++) {
                    float* dk = dqkv + ((int64_t)b * T + t2) * C3 + C + (int64_t)h * hs;
                    float* dv = dk + C;
                    for (int t = t2; t < T; t++) {
                        const int64_t row = (((int64_t)b * NH + h) * T + t) * T + t2;
                        const float f = dpreatt[row] * scale, a = att[row];
                        const float* q = qkv + ((int64_t)b * T + t) * C3 + (int64_t)h * hs;
                        const float* d = dout + ((int64_t)b * T + t) * C + (int64_t)h * hs;
                        for (int i = 0; i < hs; i++) {
                            dk[i] += q[i] * f;
                            dv[i] += a * d[i];
                        }
                    }
                }
            }
        }
    }
}
