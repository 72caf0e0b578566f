// G p without forming G: v = sum_j w_j X_j, then (G p)_i = s_i <X_i, v>.
// Two streaming passes over X (k x d); both are memory-bound, so the loops are
// laid out for sequential reads and vectorisation, and the threads split the
// work so that each reads a disjoint part of X exactly once.
#include "rnb_cpu.h"
#include "parallel.h"
#include <omp.h>
#include <algorithm>
#include <vector>

void rnb_cpu_scaled_domain_sum(const float* X, const float* weight, int k, int64_t d, float* vOut) {
    // Threads own disjoint column blocks, so no reduction across threads is
    // needed; a block of 2048 floats (8 KiB) stays in L1 while rows stream by.
    const int64_t block = 2048;
    const int64_t blocks = (d + block - 1) / block;
    const bool parallel = int64_t(k) * d >= rnb_parallel_min_work;
    if (blocks >= omp_get_max_threads() || k < 64 || !parallel) {
#pragma omp parallel for schedule(static) if (parallel)
        for (int64_t b = 0; b < blocks; ++b) {
            const int64_t c0 = b * block, c1 = std::min(d, c0 + block);
            float* out = vOut + c0;
            std::fill(out, out + (c1 - c0), 0.0f);
            for (int j = 0; j < k; ++j) {
                const float w = weight[j];
                if (w == 0.0f) continue;
                const float* row = X + j * d + c0;
                for (int64_t c = 0; c < c1 - c0; ++c) out[c] += w * row[c];
            }
        }
        return;
    }
    // Few columns, many rows: split the rows, reduce per-thread partial sums.
    const int threads = omp_get_max_threads();
    std::vector<float> partial(size_t(threads) * d, 0.0f);
#pragma omp parallel
    {
        float* mine = partial.data() + size_t(omp_get_thread_num()) * d;
#pragma omp for schedule(static)
        for (int j = 0; j < k; ++j) {
            const float w = weight[j];
            if (w == 0.0f) continue;
            const float* row = X + j * d;
            for (int64_t c = 0; c < d; ++c) mine[c] += w * row[c];
        }
    }
    for (int64_t c = 0; c < d; ++c) {
        float s = 0.0f;
        for (int t = 0; t < threads; ++t) s += partial[size_t(t) * d + c];
        vOut[c] = s;
    }
}

void rnb_cpu_scaled_domain_dots(const float* X, const float* scale, const float* vec, int k, int64_t d, float* out) {
#pragma omp parallel for schedule(static) if (int64_t(k) * d >= rnb_parallel_min_work)
    for (int i = 0; i < k; ++i) {
        if (scale[i] == 0.0f) { out[i] = 0.0f; continue; }
        const float* row = X + i * d;
        // Eight independent partial sums let the compiler vectorise without
        // -ffast-math reassociation.
        float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
        int64_t c = 0;
        for (; c + 8 <= d; c += 8)
            for (int l = 0; l < 8; ++l) acc[l] += row[c + l] * vec[c + l];
        float s = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
        for (; c < d; ++c) s += row[c] * vec[c];
        out[i] = scale[i] * s;
    }
}

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
