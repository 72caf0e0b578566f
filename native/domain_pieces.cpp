// The fused split of the output head's weight gradient: a batch's per-domain
// pieces X_s = E_s^T H_s (formed by one SGEMM each, see CpuBalanceOps) go into
// their domains' accumulators and, summed, into the head's gradient, so the
// head's own GEMM over the same rows is not run (issue #15).
#include "rnb_cpu.h"
#include "parallel.h"
#include <algorithm>

// acc[c] += x[c] and sum[c] += x[c]; the three never overlap (restrict lets the
// compiler vectorise without run-time overlap checks: 1.5x faster in cache).
static inline void add_to_both(const float* __restrict__ x, float* __restrict__ acc, float* __restrict__ sum, int64_t n) {
    for (int64_t c = 0; c < n; ++c) {
        const float value = x[c];
        acc[c] += value;
        sum[c] += value;
    }
}

void rnb_cpu_domain_pieces_add(const float* pieces, const int* slotDomain, int slots, int64_t d, float* g, float* head) {
    // Threads own disjoint column blocks of 2048 floats (8 KiB, stays in L1):
    // the block's head sum is built there while the slots stream by, so the
    // head is read and written once per call and no reduction crosses threads.
    const int64_t block = 2048;
    const int64_t blocks = (d + block - 1) / block;
#pragma omp parallel for schedule(static) if (int64_t(slots) * d >= rnb_parallel_min_work)
    for (int64_t b = 0; b < blocks; ++b) {
        const int64_t c0 = b * block, n = std::min(d, c0 + block) - c0;
        if (slots == 1) {  // one piece (the serial path): straight into its domain and the head
            add_to_both(pieces + c0, g + int64_t(slotDomain[0]) * d + c0, head + c0, n);
            continue;
        }
        float sum[block];
        std::fill(sum, sum + n, 0.0f);
        for (int s = 0; s < slots; ++s) {
            add_to_both(pieces + int64_t(s) * d + c0, g + int64_t(slotDomain[s]) * d + c0, sum, n);
        }
        float* out = head + c0;
        for (int64_t c = 0; c < n; ++c) out[c] += sum[c];
    }
}
