// p' = softmax(lambda * G p / ||G p||), with the degenerate cases of
// cuda/KERNELS.md: absent domains (scale 0) get logit 0 and are left out of
// the norm; a non-finite present entry, a zero norm or no present domain skip
// the round and keep the current proportions.
#include "rnb_cpu.h"
#include <cmath>
#include <algorithm>

int rnb_cpu_balance_update(const float* gp, const float* scale, const float* current, float lambda, int k, float* next) {
    double sumSquares = 0.0;
    int present = 0;
    for (int i = 0; i < k; ++i) {
        if (scale[i] == 0.0f) continue;
        if (!std::isfinite(gp[i])) { std::copy(current, current + k, next); return 1; }
        sumSquares += double(gp[i]) * gp[i];
        ++present;
    }
    if (present == 0) { std::copy(current, current + k, next); return 3; }
    if (sumSquares == 0.0) { std::copy(current, current + k, next); return 2; }
    const float factor = float(lambda / std::sqrt(sumSquares));
    float maxLogit = -INFINITY;
    for (int i = 0; i < k; ++i) {
        const float logit = scale[i] == 0.0f ? 0.0f : factor * gp[i];
        next[i] = logit;
        maxLogit = std::max(maxLogit, logit);
    }
    double total = 0.0;
    for (int i = 0; i < k; ++i) {
        next[i] = std::exp(next[i] - maxLogit);
        total += next[i];
    }
    const float inv = float(1.0 / total);
    for (int i = 0; i < k; ++i) next[i] *= inv;
    return 0;
}
