// k-means and silhouette kernels of the cpu backend. The O(n k d) part of
// every pass is an OpenBLAS SGEMM producing D = -2 X C^T for a chunk of rows
// (called from Java); these kernels are the cheap O(n k) / O(n d) remainder:
// the fused argmin over D + ||x||^2 + ||c||^2, the centroid means, the norms,
// and the per-row silhouette from a chunk of pairwise distances.
#include "rnb_cpu.h"
#include "parallel.h"
#include <omp.h>
#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

void rnb_cpu_row_sq_norms(const float* X, int64_t n, int d, float* out) {
#pragma omp parallel for schedule(static) if (n * d >= rnb_parallel_min_work)
    for (int64_t i = 0; i < n; ++i) {
        const float* row = X + i * d;
        double s = 0.0;
        for (int c = 0; c < d; ++c) s += double(row[c]) * row[c];
        out[i] = float(s);
    }
}

void rnb_cpu_normalize_rows(float* X, int64_t n, int d) {
#pragma omp parallel for schedule(static) if (n * d >= rnb_parallel_min_work)
    for (int64_t i = 0; i < n; ++i) {
        float* row = X + i * d;
        double s = 0.0;
        for (int c = 0; c < d; ++c) s += double(row[c]) * row[c];
        if (s > 0.0) {
            const double inv = 1.0 / std::sqrt(s);
            for (int c = 0; c < d; ++c) row[c] = float(row[c] * inv);
        }
    }
}

// Four floats / ints in one vector register (GCC and Clang vector extensions:
// SSE2 on baseline x86-64, NEON on arm64).
typedef float Floats4 __attribute__((vector_size(16)));
typedef int Ints4 __attribute__((vector_size(16)));

// Lowest j of argmin_j row[j] + cNorm[j] over k scores, its score in *bestScore.
// Four lanes (lane l sees j = l mod 4) each keep their first running minimum
// with vector compares and blends instead of a serial compare-and-branch; the
// lanes merge lowest index first on ties, so the result is the serial scan's
// exactly.
static inline int argminRow(const float* row, const float* cNorm, int k, float* bestScore) {
    int j, best = 0;
    float bestS;
    if (k >= 8) {
        Floats4 lane, r, c;
        std::memcpy(&r, row, sizeof r);
        std::memcpy(&c, cNorm, sizeof c);
        lane = r + c;
        Ints4 laneIdx = {0, 1, 2, 3}, idx = laneIdx;
        const Ints4 step = {4, 4, 4, 4};
        for (j = 4; j + 4 <= k; j += 4) {
            std::memcpy(&r, row + j, sizeof r);
            std::memcpy(&c, cNorm + j, sizeof c);
            const Floats4 s = r + c;
            idx += step;
            const Ints4 better = s < lane;
            lane = better ? s : lane;
            laneIdx = better ? idx : laneIdx;
        }
        bestS = lane[0];
        best = laneIdx[0];
        for (int l = 1; l < 4; ++l)
            if (lane[l] < bestS || (lane[l] == bestS && laneIdx[l] < best)) { bestS = lane[l]; best = laneIdx[l]; }
    } else {
        bestS = row[0] + cNorm[0];
        j = 1;
    }
    for (; j < k; ++j) {  // the tail holds higher indices than every lane: strict < keeps ties low
        const float s = row[j] + cNorm[j];
        if (s < bestS) { bestS = s; best = j; }
    }
    *bestScore = bestS;
    return best;
}

void rnb_cpu_kmeans_argmin(const float* dots, const float* xNorm, const float* cNorm, int rows, int k,
                           float* assign, float* minDist, int64_t* changed, double* inertia) {
    int64_t moved = 0;
    double sum = 0.0;
#pragma omp parallel for schedule(static) reduction(+ : moved, sum) if (int64_t(rows) * k >= rnb_parallel_min_work)
    for (int r = 0; r < rows; ++r) {
        // Only -2 x.c + ||c||^2 decides the argmin; ||x||^2 is added once after.
        float bestScore;
        const int best = argminRow(dots + int64_t(r) * k, cNorm, k, &bestScore);
        const float dist = std::max(0.0f, xNorm[r] + bestScore);
        if (assign[r] != float(best)) ++moved;
        assign[r] = float(best);
        minDist[r] = dist;
        sum += dist;
    }
    *changed += moved;
    *inertia += sum;
}

int rnb_cpu_kmeans_update(const float* X, const float* assign, int64_t n, int d, int k, int normalize,
                          float* centroids, float* counts) {
    std::vector<int64_t> count(size_t(k), 0);
    for (int64_t i = 0; i < n; ++i) ++count[size_t(assign[i])];
    // Threads own disjoint column blocks of every centroid, so the double
    // sums need no reduction across threads and each row is read once per block.
    const int block = 64;
    const int blocks = (d + block - 1) / block;
    std::vector<double> norm2(size_t(k), 0.0);
#pragma omp parallel
    {
        std::vector<double> sums(size_t(k) * block);
        std::vector<double> myNorm(size_t(k), 0.0);
#pragma omp for schedule(static)
        for (int b = 0; b < blocks; ++b) {
            const int c0 = b * block, w = std::min(block, d - c0);
            std::fill(sums.begin(), sums.end(), 0.0);
            for (int64_t i = 0; i < n; ++i) {
                double* s = sums.data() + size_t(assign[i]) * block;
                const float* row = X + i * d + c0;
                for (int c = 0; c < w; ++c) s[c] += row[c];
            }
            for (int j = 0; j < k; ++j) {
                if (count[size_t(j)] == 0) continue;
                for (int c = 0; c < w; ++c) {
                    const double mean = sums[size_t(j) * block + c] / double(count[size_t(j)]);
                    centroids[int64_t(j) * d + c0 + c] = float(mean);
                    myNorm[size_t(j)] += mean * mean;
                }
            }
        }
#pragma omp critical
        for (int j = 0; j < k; ++j) norm2[size_t(j)] += myNorm[size_t(j)];
    }
    int empty = 0;
    for (int j = 0; j < k; ++j) {
        counts[j] = float(count[size_t(j)]);
        if (count[size_t(j)] == 0) { ++empty; continue; }
        if (normalize && norm2[size_t(j)] > 0.0) {
            const double inv = 1.0 / std::sqrt(norm2[size_t(j)]);
            float* c = centroids + int64_t(j) * d;
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
