// C API of the CPU kernel library (native/). Bound to Java by JavaCPP in
// dev.rnb.backend.cpu.CpuKernels. GEMM and SYRK are not here: they come from
// OpenBLAS, called from Java; these are the kernels no BLAS has.
#pragma once
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

// fn(n) / fn() for OpenBLAS's openblas_set_num_threads / openblas_get_num_threads,
// whose addresses the Java side resolves once (see BlasThreads.java).
void rnb_cpu_call_set_threads(void* fn, int n);
int rnb_cpu_call_get_threads(void* fn);

// dst[r, :] = src[rows[r], :] for r in [0, n); rows of `cols` floats.
void rnb_cpu_gather_rows(const float* src, int cols, const int* rows, int n, float* dst);

// vOut[c] = sum_j weight[j] * X[j*d + c]   (overwrites vOut)
void rnb_cpu_scaled_domain_sum(const float* X, const float* weight, int k, int64_t d, float* vOut);

// out[i] = scale[i] * <X[i, :], vec>
void rnb_cpu_scaled_domain_dots(const float* X, const float* scale, const float* vec, int k, int64_t d, float* out);

// The fused head split: for every slot s, g[slotDomain[s]*d + i] += pieces[s*d + i],
// and head[i] += sum_s pieces[s*d + i]. Slot domains must be distinct.
void rnb_cpu_domain_pieces_add(const float* pieces, const int* slotDomain, int slots, int64_t d, float* g, float* head);

// CountSketch: sketch[slotDomain[s]*r + bucket(i)] += sign(i) * dense[s*d + i]
// (contract and hash as cuda/count_sketch.cu); slot domains must be distinct.
void rnb_cpu_count_sketch_add(const float* dense, const int* slotDomain, int slots, int d, int r, uint32_t seed, float* sketch);

// A random sign projection (factored sketch): out[i] = -scale when the top bit of
// the sketch hash of (i, seed) is set, else scale (contract as cuda/sign_projection.cu).
void rnb_cpu_sign_projection(float* out, int n, uint32_t seed, float scale);

// Completes a Gram matrix whose upper triangle holds X X^T (from SYRK):
// mirrors it to the lower triangle and scales entry (i, j) by scale[i]*scale[j].
void rnb_cpu_gram_finish(float* out, const float* scale, int k);

// The R&B update; same contract and status codes as cuda/balance_update.cu
// (see cuda/KERNELS.md). Returns the status.
int rnb_cpu_balance_update(const float* gp, const float* scale, const float* current, float lambda, int k, float* next);

// ---- k-means and silhouette (native/kmeans.cpp); X is n x d row-major,
// cluster ids are floats. D = -2 X C^T (or -2 X X^T) comes from SGEMM.

// out[i] = ||X_i||^2 (double accumulation).
void rnb_cpu_row_sq_norms(const float* X, int64_t n, int d, float* out);

// Scales each row to unit length; all-zero rows stay zero.
void rnb_cpu_normalize_rows(float* X, int64_t n, int d);

// For each of `rows` rows: best = argmin_j D[r, j] + cNorm[j] (lowest j on
// ties), minDist = max(0, xNorm[r] + that); counts rows whose assign changes;
// adds to *changed and *inertia.
void rnb_cpu_kmeans_argmin(const float* dots, const float* xNorm, const float* cNorm, int rows, int k,
                           float* assign, float* minDist, int64_t* changed, double* inertia);

// Centroid j = mean of its rows (unit length when normalize); empty clusters
// keep their centroid. Writes counts; returns the number of empty clusters.
int rnb_cpu_kmeans_update(const float* X, const float* assign, int64_t n, int d, int k, int normalize,
                          float* centroids, float* counts);

// Silhouette of rows rowStart .. rowStart+rows-1 of the m sampled points, from
// D[r, j] = -2 x_(rowStart+r) . x_j and the squared norms (see dev.rnb.backend.ClusterOps).
void rnb_cpu_silhouette_rows(const float* dots, const float* norms, int rowStart, int rows, int m,
                             const float* labels, int k, const float* clusterSize, float* out);

#ifdef __cplusplus
}
#endif
