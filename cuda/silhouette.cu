// silhouette.cu - rnb_silhouette_rows: per-row silhouette values from a tile
// of pairwise squared distances produced by cuBLAS.
//
// Contract (cuda/KERNELS.md): m sampled points with squared norms norms[],
// cluster ids labels[] (floats) and cluster sizes clusterSize[] (floats);
// dots[r*m + j] = -2 x_(rowStart+r) . x_j for r in [0, rows). For row
// i = rowStart + r: dist(i, j) = sqrt(max(0, norms[i] + norms[j] + dots[r*m+j])),
// a = mean dist to the other members of i's cluster, b = smallest mean dist to
// another non-empty cluster, out[r] = (b - a) / max(a, b); 0 when i's cluster
// has one member, when no other cluster is non-empty, or when max(a, b) == 0.
// Launch: block (256,1,1), grid (rows,1,1), dynamic shared memory k doubles
// (the caller keeps k <= 6144).
//
// Why: a block owns one row, its threads stride over the m columns
// (coalesced) and add each distance into a per-cluster sum in shared memory
// (double, so long rows do not lose the small terms); one thread then forms
// s from the k sums, which is O(k) next to the O(m) pass.

#include "rnb_cuda_compat.cuh"

extern "C" __global__ void __launch_bounds__(256)
rnb_silhouette_rows(const float* __restrict__ dots, const float* __restrict__ norms, int rowStart, int rows, int m,
                    const float* __restrict__ labels, int k, const float* __restrict__ clusterSize,
                    float* __restrict__ out) {
    RNB_DYNAMIC_SHARED(double, rnb_silhouette_sums);
    const int r = (int)blockIdx.x;
    if (r >= rows) return;  // whole block
    const int i = rowStart + r;
    for (int j = (int)threadIdx.x; j < k; j += (int)blockDim.x) rnb_silhouette_sums[j] = 0.0;
    __syncthreads();
    const float* row = dots + (size_t)r * (size_t)m;
    const float ni = norms[i];
    for (int j = (int)threadIdx.x; j < m; j += (int)blockDim.x) {
        if (j == i) continue;
        const float sq = fmaxf(0.0f, ni + norms[j] + row[j]);
        atomicAdd(rnb_silhouette_sums + (int)labels[j], (double)sqrtf(sq));
    }
    __syncthreads();
    if (threadIdx.x != 0) return;
    const int own = (int)labels[i];
    double s = 0.0;
    if (clusterSize[own] > 1.0f) {
        const double a = rnb_silhouette_sums[own] / ((double)clusterSize[own] - 1.0);
        double b = INFINITY;
        for (int j = 0; j < k; ++j) {
            if (j != own && clusterSize[j] > 0.0f) b = fmin(b, rnb_silhouette_sums[j] / (double)clusterSize[j]);
        }
        if (b != INFINITY) {
            const double mx = fmax(a, b);
            s = mx == 0.0 ? 0.0 : (b - a) / mx;
        }
    }
    out[r] = (float)s;
}
