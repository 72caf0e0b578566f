// The k-means assignment pass of the cpu backend, GEMM and argmin fused per
// tile of rows: each OpenMP thread takes a tile of T rows, has OpenBLAS
// compute D = -2 X_tile C^T (T x k, sized to stay in the core's cache) and
// reduces every row of D to its argmin at once, so the n x k distances are
// never written to memory. With Hamerly's bounds (lower != nullptr) a row is
// put in a tile only when the bounds cannot prove its centroid unchanged.
//
// Why bounds keep Lloyd's assignments: a row is skipped only when the bounds
// prove that its centroid is nearer than every other one by more than twice
// the rounding error of the GEMM identity ||x||^2 - 2 x.c + ||c||^2 (the
// error plain Lloyd's argmin works with), so plain Lloyd picks the same
// centroid; rows closer to a tie than that are always recomputed.
#include "rnb_cpu.h"
#include "parallel.h"
#include <omp.h>
#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

namespace {

// OpenBLAS's cblas_sgemm (rnb_cpu does not link OpenBLAS; Java passes its address).
typedef void (*SgemmFn)(int order, int transA, int transB, int m, int n, int k, float alpha, const float* a, int lda,
                        const float* b, int ldb, float beta, float* c, int ldc);
const int kRowMajor = 101, kNoTrans = 111, kTrans = 112;

typedef float Floats4 __attribute__((vector_size(16)));
typedef int Ints4 __attribute__((vector_size(16)));

Floats4 load4(const float* p) {
    Floats4 v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

// Lowest j of argmin_j row[j] + cNorm[j] over k scores (score in *best), and
// the smallest score of the other k - 1 centroids in *second (+inf when k = 1).
// Four lanes (lane l sees j = l mod 4) keep a running (best, index, second)
// with vector compares and blends; lanes merge lowest index first on ties, so
// the index is the serial scan's exactly.
int argminRow(const float* row, const float* cNorm, int k, float* best, float* second) {
    int j = 0, bestJ = 0;
    float bestS = INFINITY, secondS = INFINITY;
    if (k >= 8) {
        const Floats4 inf = {INFINITY, INFINITY, INFINITY, INFINITY};
        Floats4 lane = load4(row) + load4(cNorm), lane2 = inf;
        Ints4 laneIdx = {0, 1, 2, 3}, idx = laneIdx;
        const Ints4 step = {4, 4, 4, 4};
        for (j = 4; j + 4 <= k; j += 4) {
            const Floats4 s = load4(row + j) + load4(cNorm + j);
            idx += step;
            const Ints4 better = s < lane;
            const Floats4 other = better ? lane : s;  // the score that is not the lane's new best
            lane2 = other < lane2 ? other : lane2;
            lane = better ? s : lane;
            laneIdx = better ? idx : laneIdx;
        }
        int winner = 0;
        for (int l = 1; l < 4; ++l)
            if (lane[l] < lane[winner] || (lane[l] == lane[winner] && laneIdx[l] < laneIdx[winner])) winner = l;
        bestS = lane[winner];
        bestJ = laneIdx[winner];
        for (int l = 0; l < 4; ++l) secondS = std::min(secondS, l == winner ? lane2[l] : lane[l]);
    }
    for (; j < k; ++j) {  // the tail holds higher indices than every lane: strict < keeps ties low
        const float s = row[j] + cNorm[j];
        if (s < bestS) {
            secondS = bestS;
            bestS = s;
            bestJ = j;
        } else {
            secondS = std::min(secondS, s);
        }
    }
    *best = bestS;
    *second = secondS;
    return bestJ;
}

// ||a - b||^2 over d floats, in float with eight partial sums: every term is
// non-negative, so the relative error stays under (d + 3) units of rounding.
float squaredDistance(const float* a, const float* b, int d) {
    Floats4 s0 = {0, 0, 0, 0}, s1 = s0;
    int c = 0;
    for (; c + 8 <= d; c += 8) {
        const Floats4 t0 = load4(a + c) - load4(b + c), t1 = load4(a + c + 4) - load4(b + c + 4);
        s0 += t0 * t0;
        s1 += t1 * t1;
    }
    const Floats4 s = s0 + s1;
    float sum = (s[0] + s[1]) + (s[2] + s[3]);
    for (; c < d; ++c) {
        const float t = a[c] - b[c];
        sum += t * t;
    }
    return sum;
}

double distance(const float* a, const float* b, int d) {
    double s = 0.0;
    for (int c = 0; c < d; ++c) {
        const double t = double(a[c]) - b[c];
        s += t * t;
    }
    return std::sqrt(s);
}

// What the pruning test needs about the centroids (Hamerly): how far each one
// moved since the previous pass (the largest two moves, to take from lower
// bounds), and half the distance from each to its nearest other centroid.
struct CentroidMoves {
    std::vector<double> half;  // k; +inf when k = 1 or not computed
    double maxMove = 0, secondMove = 0;
    int maxMoveJ = -1;
};

CentroidMoves centroidMoves(const float* C, const float* previous, int64_t n, int d, int k) {
    CentroidMoves m;
    for (int j = 0; j < k; ++j) {
        // Rounded up a little: the bound must not shrink by less than the true move.
        const double move = distance(C + int64_t(j) * d, previous + int64_t(j) * d, d) * (1 + 1e-12);
        if (move > m.maxMove) {
            m.secondMove = m.maxMove;
            m.maxMove = move;
            m.maxMoveJ = j;
        } else {
            m.secondMove = std::max(m.secondMove, move);
        }
    }
    m.half.assign(size_t(k), INFINITY);
    // k^2 d work: worth it only when small next to the pass's n k d.
    if (int64_t(k) * 16 > n) std::fill(m.half.begin(), m.half.end(), 0.0);
    else {
#pragma omp parallel for schedule(static) if (int64_t(k) * k * d >= rnb_parallel_min_work)
        for (int j = 0; j < k; ++j) {
            double nearest = INFINITY;
            for (int o = 0; o < k; ++o)
                if (o != j) nearest = std::min(nearest, distance(C + int64_t(j) * d, C + int64_t(o) * d, d));
            m.half[size_t(j)] = 0.5 * nearest * (1 - 1e-12);
        }
    }
    return m;
}

struct Pass {
    SgemmFn sgemm;
    const float *X, *xNorm, *C, *cNorm;
    int64_t n;
    int d, k, tile;
    float *assign, *minDist, *lower;
    double errorScale;  // rounding bound of a GEMM-identity distance, per unit of ||x||^2 + max ||c||^2
    float maxCNorm;
    const CentroidMoves* moves;
};

// Writes row i's outcome from its row of D; returns whether its cluster changed.
bool assignFromScores(const Pass& p, int64_t i, const float* scores, double* sum) {
    float best, second;
    const int j = argminRow(scores, p.cNorm, p.k, &best, &second);
    const float dist = std::max(0.0f, p.xNorm[i] + best);
    const bool moved = p.assign[i] != float(j);
    p.assign[i] = float(j);
    p.minDist[i] = dist;
    *sum += dist;
    if (p.lower) {
        // Distance to the second-nearest centroid, less its rounding error.
        const double error = p.errorScale * (double(p.xNorm[i]) + p.maxCNorm);
        const double low = std::sqrt(std::max(0.0, double(p.xNorm[i]) + second - error));
        p.lower[i] = std::nextafter(float(low), -INFINITY);
    }
    return moved;
}

// Hamerly's test for row i: true when its centroid is provably kept (then
// minDist and the lower bound are updated here).
bool keepsCentroid(const Pass& p, int64_t i, double* sum) {
    const float low = p.lower[i];
    if (!(low > -INFINITY)) return false;  // no bound yet
    const int a = int(p.assign[i]);
    const double lowered = double(low) - (a == p.moves->maxMoveJ ? p.moves->secondMove : p.moves->maxMove);
    const double bound = std::max(lowered, p.moves->half[size_t(a)]);
    if (!(bound > 0)) return false;
    const float u2 = squaredDistance(p.X + i * p.d, p.C + int64_t(a) * p.d, p.d);
    // u2's own rounding, plus twice the GEMM identity's: the margin plain Lloyd's argmin needs.
    const double margin = 2 * p.errorScale * (double(p.xNorm[i]) + p.maxCNorm) + (p.d + 3) * 1.2e-7 * u2;
    if (double(u2) + margin > bound * bound) return false;
    p.minDist[i] = u2;
    *sum += u2;
    p.lower[i] = std::nextafter(float(lowered), -INFINITY);
    return true;
}

// One tile of rows [r0, r0 + rows): returns rows whose cluster changed, and
// in *computed the rows whose distances to every centroid it computed.
int64_t assignTile(const Pass& p, int64_t r0, int rows, float* xTile, float* dots, int64_t* picked, double* sum,
                   int* computed) {
    int count = 0;
    for (int r = 0; r < rows; ++r)
        if (!p.lower || !keepsCentroid(p, r0 + r, sum)) picked[count++] = r0 + r;
    *computed = count;
    if (count == 0) return 0;
    const float* xs = p.X + r0 * p.d;
    if (count < rows) {  // gather the rows the bounds could not settle
        for (int r = 0; r < count; ++r) std::memcpy(xTile + int64_t(r) * p.d, p.X + picked[r] * p.d, sizeof(float) * p.d);
        xs = xTile;
    }
    p.sgemm(kRowMajor, kNoTrans, kTrans, count, p.k, p.d, -2.0f, xs, p.d, p.C, p.d, 0.0f, dots, p.k);
    int64_t moved = 0;
    for (int r = 0; r < count; ++r) moved += assignFromScores(p, picked[r], dots + int64_t(r) * p.k, sum);
    return moved;
}

}  // namespace

int rnb_cpu_kmeans_tile_rows(int d, int k) {
    // X tile and D tile (T (d + k) floats) in 256 KiB; at least 64 rows so
    // that OpenBLAS's packing of C (k d floats per call) stays a small share.
    const int rows = int(std::min<int64_t>(1024, std::max<int64_t>(64, (int64_t(1) << 16) / (int64_t(d) + k))));
    return rows / 16 * 16;
}

void rnb_cpu_kmeans_assign(void* sgemm, const float* X, const float* xNorm, const float* C, int64_t n, int d, int k,
                           int tileRows, float* assign, float* minDist, float* lower, float* previous,
                           int64_t* counters, double* inertia) {
    std::vector<float> cNorm(static_cast<size_t>(k));
    rnb_cpu_row_sq_norms(C, k, d, cNorm.data());
    CentroidMoves moves;
    if (lower) moves = centroidMoves(C, previous, n, d, k);
    Pass p{reinterpret_cast<SgemmFn>(sgemm), X, xNorm, C, cNorm.data(), n, d, k,
           tileRows > 0 ? tileRows : rnb_cpu_kmeans_tile_rows(d, k), assign, minDist, lower,
           (d + 4) * std::ldexp(1.0, -23), *std::max_element(cNorm.begin(), cNorm.end()), &moves};
    const int64_t tiles = (n + p.tile - 1) / p.tile;
    // Per-tile partial sums, added in tile order: the inertia does not depend on the thread schedule.
    std::vector<double> sums(size_t(tiles), 0.0);
    std::vector<int64_t> moved(size_t(tiles), 0), settled(size_t(tiles), 0);
#pragma omp parallel if (n * k * d >= rnb_parallel_min_work)
    {
        std::vector<float> xTile(size_t(p.tile) * d), dots(size_t(p.tile) * k);
        std::vector<int64_t> picked(size_t(p.tile));
        // Dynamic: on a shared machine a descheduled thread must not hold back half the tiles.
#pragma omp for schedule(dynamic, 1)
        for (int64_t t = 0; t < tiles; ++t) {
            const int64_t r0 = t * p.tile;
            const int rows = int(std::min<int64_t>(p.tile, n - r0));
            double sum = 0.0;
            int computed = 0;
            moved[size_t(t)] = assignTile(p, r0, rows, xTile.data(), dots.data(), picked.data(), &sum, &computed);
            sums[size_t(t)] = sum;
            settled[size_t(t)] = rows - computed;
        }
    }
    for (int64_t t = 0; t < tiles; ++t) {
        *inertia += sums[size_t(t)];
        counters[0] += moved[size_t(t)];
        counters[1] += settled[size_t(t)];
    }
    if (lower) std::memcpy(previous, C, sizeof(float) * size_t(k) * d);
}
