// C API of the CPU kernel library (native/). Bound to Java by JavaCPP in
// dev.rnb.backend.cpu.CpuKernels. GEMM and SYRK are not here: they come from
// OpenBLAS, called from Java; these are the kernels no BLAS has.
#pragma once
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

// dst[r, :] = src[rows[r], :] for r in [0, n); rows of `cols` floats.
void rnb_cpu_gather_rows(const float* src, int cols, const int* rows, int n, float* dst);

// vOut[c] = sum_j weight[j] * X[j*d + c]   (overwrites vOut)
void rnb_cpu_scaled_domain_sum(const float* X, const float* weight, int k, int64_t d, float* vOut);

// out[i] = scale[i] * <X[i, :], vec>
void rnb_cpu_scaled_domain_dots(const float* X, const float* scale, const float* vec, int k, int64_t d, float* out);

// CountSketch: sketch[slotDomain[s]*r + bucket(i)] += sign(i) * dense[s*d + i]
// (contract and hash as cuda/count_sketch.cu); slot domains must be distinct.
void rnb_cpu_count_sketch_add(const float* dense, const int* slotDomain, int slots, int d, int r, uint32_t seed, float* sketch);

// Completes a Gram matrix whose upper triangle holds X X^T (from SYRK):
// mirrors it to the lower triangle and scales entry (i, j) by scale[i]*scale[j].
void rnb_cpu_gram_finish(float* out, const float* scale, int k);

// The R&B update; same contract and status codes as cuda/balance_update.cu
// (see cuda/KERNELS.md). Returns the status.
int rnb_cpu_balance_update(const float* gp, const float* scale, const float* current, float lambda, int k, float* next);

#ifdef __cplusplus
}
#endif
