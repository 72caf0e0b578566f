// The Gram matrix's second half after SSYRK (CpuBalanceOps.gram). G p without
// G and the update are in balance_round.cpp.
#include "rnb_cpu.h"

void rnb_cpu_gram_finish(float* out, const float* scale, int k) {
#pragma omp parallel for schedule(dynamic, 16) if (k >= 128)
    for (int i = 0; i < k; ++i) {
        for (int j = i; j < k; ++j) {
            const float g = out[int64_t(i) * k + j] * scale[i] * scale[j];
            out[int64_t(i) * k + j] = g;
            out[int64_t(j) * k + i] = g;
        }
    }
}
