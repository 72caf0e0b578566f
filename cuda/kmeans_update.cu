// kmeans_update.cu - the centroid step of Lloyd's k-means:
// rnb_kmeans_update_sums then rnb_kmeans_update_finish.
//
// Contracts (cuda/KERNELS.md), X n x d, assign n cluster ids stored as floats:
//   rnb_kmeans_update_sums(X, assign, n, d, sums, counts)
//     block (256,1,1), grid (ceil(d/256), slices, 1), slices in 1..n.
//     sums[a_i*d + c] += X[i*d + c]; counts[a_i] += 1 for every row i; block
//     y takes rows i = blockIdx.y, blockIdx.y + gridDim.y, ...; the caller
//     zeroes sums (k x d) and counts (k) first.
//   rnb_kmeans_update_finish(sums, counts, k, d, normalize, centroids, empty)
//     block (256,1,1), grid (k,1,1).
//     counts[j] > 0: centroids[j] = sums[j] / counts[j], scaled to unit length
//     when normalize != 0 and the mean is non-zero; counts[j] == 0: centroid j
//     is left as it is and empty[0] += 1 (the caller zeroes empty).
//
// Why atomics: rows of one cluster are scattered over X, so a thread owning
// column c of a slice of rows adds each row's value into its row's cluster;
// collisions happen only between slices working on the same cluster and
// column. Counts are added by one thread per row (column 0's block), floats
// are exact for counts below 2^24.

#include "rnb_cuda_compat.cuh"
#include "reduce.cuh"

extern "C" __global__ void __launch_bounds__(256)
rnb_kmeans_update_sums(const float* __restrict__ X, const float* __restrict__ assign, int n, int d,
                       float* __restrict__ sums, float* __restrict__ counts) {
    const int c = (int)(blockIdx.x * blockDim.x + threadIdx.x);
    if (c >= d) return;  // no barrier in this kernel
    for (int i = (int)blockIdx.y; i < n; i += (int)gridDim.y) {
        const int a = (int)assign[i];
        atomicAdd(sums + (size_t)a * (size_t)d + (size_t)c, X[(size_t)i * (size_t)d + (size_t)c]);
        if (c == 0) atomicAdd(counts + a, 1.0f);
    }
}

extern "C" __global__ void __launch_bounds__(256)
rnb_kmeans_update_finish(const float* __restrict__ sums, const float* __restrict__ counts, int k, int d,
                         int normalize, float* __restrict__ centroids, unsigned int* __restrict__ empty) {
    RNB_SHARED(float, red, [RNB_BLOCK_REDUCE_SMEM]);
    const int j = (int)blockIdx.x;
    if (j >= k) return;  // whole block
    const float count = counts[j];
    if (count == 0.0f) {  // whole block: counts[j] is the same for every thread
        if (threadIdx.x == 0) atomicAdd(empty, 1u);
        return;
    }
    const float* s = sums + (size_t)j * (size_t)d;
    float* out = centroids + (size_t)j * (size_t)d;
    float scale = 1.0f / count;
    if (normalize) {
        float acc = 0.0f;
        for (int c = (int)threadIdx.x; c < d; c += (int)blockDim.x) acc += s[c] * s[c];
        const float norm2 = rnb_block_sum(acc, red);  // ||sum||, the mean's direction is the sum's
        if (norm2 > 0.0f) scale = rsqrtf(norm2);
    }
    for (int c = (int)threadIdx.x; c < d; c += (int)blockDim.x) out[c] = s[c] * scale;
}
