#include "rnb_cpu.h"
#include "parallel.h"
#include <cstring>

void rnb_cpu_gather_rows(const float* src, int cols, const int* rows, int n, float* dst) {
    const size_t rowBytes = size_t(cols) * sizeof(float);
#pragma omp parallel for schedule(static) if (int64_t(n) * cols >= rnb_parallel_min_work)
    for (int r = 0; r < n; ++r) {
        std::memcpy(dst + size_t(r) * cols, src + size_t(rows[r]) * cols, rowBytes);
    }
}
