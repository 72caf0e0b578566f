// k-means and silhouette kernels of the cpu backend: the centroid means, the
// norms, and the per-row silhouette from a chunk of pairwise distances (an
// OpenBLAS SGEMM called from Java). The assignment pass, GEMM and argmin
// fused, is native/kmeans_assign.cpp.
#include "rnb_cpu.h"
#include "parallel.h"
#include <omp.h>
#include <algorithm>
#include <cmath>
#include <vector>

// ||row||^2 in double with eight independent partial sums: one sum chained
// through every element cost an add's latency per float (about 90 us for the
// round report's 8 rows of 16,384 floats, docs/BENCHMARKS.md), and the
// compiler may not reorder it by itself.
static double row_sq_norm(const float* row, int d) {
    double acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    int c = 0;
    for (; c + 8 <= d; c += 8)
        for (int l = 0; l < 8; ++l) acc[l] += double(row[c + l]) * row[c + l];
    double s = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
    for (; c < d; ++c) s += double(row[c]) * row[c];
    return s;
}

void rnb_cpu_row_sq_norms(const float* X, int64_t n, int d, float* out) {
#pragma omp parallel for schedule(static) if (n * d >= rnb_parallel_min_work)
    for (int64_t i = 0; i < n; ++i) out[i] = float(row_sq_norm(X + i * d, d));
}

void rnb_cpu_normalize_rows(float* X, int64_t n, int d) {
#pragma omp parallel for schedule(static) if (n * d >= rnb_parallel_min_work)
    for (int64_t i = 0; i < n; ++i) {
        float* row = X + i * d;
        const double s = row_sq_norm(row, d);
        if (s > 0.0) {
            const double inv = 1.0 / std::sqrt(s);
            for (int c = 0; c < d; ++c) row[c] = float(row[c] * inv);
        }
    }
}

int rnb_cpu_kmeans_update(const float* X, const float* assign, int64_t n, int d, int k, int normalize,
                          float* centroids, float* counts) {
    std::vector<int64_t> count(size_t(k), 0);
    for (int64_t i = 0; i < n; ++i) ++count[size_t(assign[i])];
    // Slices of rows, each summed into its own k x d doubles (one read of its
    // rows), then added slice by slice in order: the means do not depend on
    // the number of threads. At most 16 slices, each of at least 4k rows and
    // all of them within 256 MiB, so the partial sums stay small next to X.
    const int64_t kd = int64_t(k) * d;
    const int64_t slices = std::max<int64_t>(1, std::min<int64_t>({16, n / (4 * int64_t(k)), (int64_t(1) << 25) / kd}));
    const int64_t perSlice = (n + slices - 1) / slices;
    std::vector<double> sums(size_t(slices * kd), 0.0);
#pragma omp parallel for schedule(dynamic, 1) if (slices > 1 && n * d >= rnb_parallel_min_work)
    for (int64_t sl = 0; sl < slices; ++sl) {
        double* own = sums.data() + sl * kd;
        for (int64_t i = sl * perSlice; i < std::min(n, (sl + 1) * perSlice); ++i) {
            double* s = own + int64_t(assign[i]) * d;
            const float* row = X + i * d;
            for (int c = 0; c < d; ++c) s[c] += row[c];
        }
    }
    int empty = 0;
#pragma omp parallel for schedule(static) reduction(+ : empty) if (kd >= rnb_parallel_min_work)
    for (int j = 0; j < k; ++j) {
        counts[j] = float(count[size_t(j)]);
        if (count[size_t(j)] == 0) { ++empty; continue; }
        float* c = centroids + int64_t(j) * d;
        double norm2 = 0.0;
        for (int t = 0; t < d; ++t) {
            double total = 0.0;
            for (int64_t sl = 0; sl < slices; ++sl) total += sums[size_t(sl * kd + int64_t(j) * d + t)];
            const double mean = total / double(count[size_t(j)]);
            c[t] = float(mean);
            norm2 += mean * mean;
        }
        if (normalize && norm2 > 0.0) {
            const double inv = 1.0 / std::sqrt(norm2);
            for (int t = 0; t < d; ++t) c[t] = float(c[t] * inv);
        }
    }
    return empty;
}

void rnb_cpu_silhouette_rows(const float* dots, const float* norms, int rowStart, int rows, int m,
                             const float* labels, int k, const float* clusterSize, float* out) {
#pragma omp parallel
    {
        std::vector<double> sum(static_cast<size_t>(k));
#pragma omp for schedule(static)
        for (int r = 0; r < rows; ++r) {
            const int i = rowStart + r;
            const float* row = dots + int64_t(r) * m;
            std::fill(sum.begin(), sum.end(), 0.0);
            for (int j = 0; j < m; ++j) {
                if (j == i) continue;
                const float sq = std::max(0.0f, norms[i] + norms[j] + row[j]);
                sum[size_t(labels[j])] += std::sqrt(double(sq));
            }
            const int own = int(labels[i]);
            double s = 0.0;
            if (clusterSize[own] > 1.0f) {
                const double a = sum[size_t(own)] / (double(clusterSize[own]) - 1.0);
                double b = INFINITY;
                for (int j = 0; j < k; ++j)
                    if (j != own && clusterSize[j] > 0.0f) b = std::min(b, sum[size_t(j)] / double(clusterSize[j]));
                if (b != INFINITY) {
                    const double mx = std::max(a, b);
                    s = mx == 0.0 ? 0.0 : (b - a) / mx;
                }
            }
            out[r] = float(s);
        }
    }
}
