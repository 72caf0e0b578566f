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

// The fused head split: for every slot s, g[slotDomain[s]*d + i] += pieces[s*d + i],
// and head[i] += sum_s pieces[s*d + i]. Slot domains must be distinct.
void rnb_cpu_domain_pieces_add(const float* pieces, const int* slotDomain, int slots, int64_t d, float* g, float* head);

// CountSketch: sketch[slotDomain[s]*r + bucket(i)] += sign(i) * dense[s*d + i]
// (contract and hash as cuda/count_sketch.cu); slot domains must be distinct.
void rnb_cpu_count_sketch_add(const float* dense, const int* slotDomain, int slots, int d, int r, uint32_t seed, float* sketch);

// The CountSketch of coordinate i as one word: codes[i] = bucket(i) | (sign bit << 31)
// for i in [0, d), from the sketch hash of (i, seed) (as rnb_cpu_count_sketch_add);
// the small-piece sketch kernel (rnb_model.h) reads them.
void rnb_cpu_sketch_codes(int d, int r, uint32_t seed, uint32_t* codes);

// A random sign projection (factored sketch): out[i] = -scale when the top bit of
// the sketch hash of (i, seed) is set, else scale (contract as cuda/sign_projection.cu).
void rnb_cpu_sign_projection(float* out, int n, uint32_t seed, float scale);

// Completes a Gram matrix whose upper triangle holds X X^T (from SYRK):
// mirrors it to the lower triangle and scales entry (i, j) by scale[i]*scale[j].
void rnb_cpu_gram_finish(float* out, const float* scale, int k);

// Zero-filled memory of at least `bytes` bytes on 2 MiB boundaries, backed by
// transparent huge pages where the kernel grants them (madvise; a hint), for
// buffers written at scattered lines across many 4 KiB pages (native/huge_pages.cpp).
// Null when bytes <= 0 or the mapping fails. Freed by rnb_cpu_unmap_huge with the same bytes.
float* rnb_cpu_map_huge(int64_t bytes);
void rnb_cpu_unmap_huge(float* p, int64_t bytes);

// ---- k-means and silhouette (native/kmeans.cpp); X is n x d row-major,
// cluster ids are floats. D = -2 X C^T (or -2 X X^T) comes from SGEMM.

// out[i] = ||X_i||^2 (double accumulation).
void rnb_cpu_row_sq_norms(const float* X, int64_t n, int d, float* out);

// Scales each row to unit length; all-zero rows stay zero.
void rnb_cpu_normalize_rows(float* X, int64_t n, int d);

// The assignment pass (native/kmeans_assign.cpp): every row of X to its
// nearest centroid of C (k x d), lowest j on ties; minDist[i] its squared
// distance; adds the rows whose assign changes to counters[0], the rows the
// bounds settled to counters[1] and the distances to *inertia. Tiles of tileRows rows (0: rnb_cpu_kmeans_tile_rows)
// get D = -2 X_tile C^T from `sgemm` (the address of OpenBLAS's cblas_sgemm,
// which must run single-threaded: the tiles run on OpenMP threads) and are
// reduced to the argmin at once. With lower (n floats) and previous (k x d)
// non-null, Hamerly's bounds skip rows whose centroid provably stays: lower[i]
// is a lower bound on row i's distance to its second-nearest centroid of
// `previous` (-inf: unknown, as before the first pass); both are updated.
void rnb_cpu_kmeans_assign(void* sgemm, const float* X, const float* xNorm, const float* C, int64_t n, int d, int k,
                           int tileRows, float* assign, float* minDist, float* lower, float* previous,
                           int64_t* counters, double* inertia);

// Rows per tile of rnb_cpu_kmeans_assign when tileRows is 0.
int rnb_cpu_kmeans_tile_rows(int d, int k);

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
