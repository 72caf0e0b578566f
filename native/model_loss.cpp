// Fused softmax + cross-entropy (exp in float arithmetic, fast_exp.h), squared
// gradient norm and AdamW (contracts in rnb_model.h). Sums run over fixed chunks combined in order, so results are
// the same for any thread count (the cpu trainer resumes bit-identically).
#include "model_isa.h"
#include "fast_exp.h"

#include <cmath>

namespace RNB_ISA {

void cross_entropy(float* losses, float* lossSum, float* dlogits, const float* logits, const float* targets,
                   const float* weights, int N, int V) {
#pragma omp parallel for schedule(static) if ((int64_t)N * V >= rnb_parallel_min_work)
    for (int n = 0; n < N; n++) {
        const float* x = logits + (int64_t)n * V;
        float max = -INFINITY;
#pragma omp simd reduction(max : max)
        for (int i = 0; i < V; i++) max = x[i] > max ? x[i] : max;
        double sum = 0;
#pragma omp simd reduction(+ : sum)
        for (int i = 0; i < V; i++) sum += rnb_fast_exp(x[i] - max);
        const int target = (int)targets[n];
        const float w = weights[n];
        const double logp = (double)(x[target] - max) - std::log(sum);
        losses[n] = w == 0.0f ? 0.0f : (float)(-(double)w * logp);
        if (dlogits) {
            float* d = dlogits + (int64_t)n * V;
            const float inv = (float)(1.0 / sum);
#pragma omp simd
            for (int i = 0; i < V; i++) d[i] = w * (rnb_fast_exp(x[i] - max) * inv);
            d[target] -= w;
        }
    }
    double total = 0;
    for (int n = 0; n < N; n++) total += losses[n];
    lossSum[0] = (float)total;
}

void squared_norm(float* out, const float* x, int64_t n) {
    const int chunks = 64;
    double part[chunks] = {0};
    const int64_t per = (n + chunks - 1) / chunks;
#pragma omp parallel for schedule(static) if (n >= rnb_parallel_min_work)
    for (int c = 0; c < chunks; c++) {
        const int64_t lo = c * per, hi = lo + per < n ? lo + per : n;
        double s = 0;
#pragma omp simd reduction(+ : s)
        for (int64_t i = lo; i < hi; i++) s += (double)x[i] * x[i];
        part[c] = s;
    }
    double total = 0;
    for (int c = 0; c < chunks; c++) total += part[c];
    out[0] = (float)total;
}

void adamw(float* params, const float* grads, float* m, float* v, int64_t n, const float* normSq, float maxNorm,
           float lr, float beta1, float beta2, float eps, float weightDecay, int t) {
    const float norm = std::sqrt(normSq[0]);
    const float clip = (maxNorm > 0.0f && norm > maxNorm) ? maxNorm / norm : 1.0f;
    const float c1 = (float)(1.0 - std::pow((double)beta1, t));
    const float c2 = (float)(1.0 - std::pow((double)beta2, t));
#pragma omp parallel for schedule(static) if (n >= rnb_parallel_min_work)
    for (int64_t i = 0; i < n; i++) {
        const float g = grads[i] * clip;
        const float mi = beta1 * m[i] + (1.0f - beta1) * g;
        const float vi = beta2 * v[i] + (1.0f - beta2) * g * g;
        m[i] = mi;
        v[i] = vi;
        params[i] -= lr * ((mi / c1) / (std::sqrt(vi / c2) + eps) + weightDecay * params[i]);
    }
}

}  // namespace RNB_ISA
