// balance_update.cu - rnb_balance_update: the R&B mixture update (softmax of
// the normalised per-domain gradient-alignment scores).
//
// Contract (cuda/KERNELS.md):
//   rnb_balance_update(gp, scale, current, lambda, k, next, status)
//   block (1024,1,1) (any multiple of 32, at most 1024), grid (1,1,1).
//   Domain i is present when scale[i] != 0 (scale[i] = 1/n_i, 0 when n_i = 0).
//   logit_i = lambda * gp_i / ||gp||_2 (norm over present domains), 0 for
//   absent domains; next = softmax(logit) over all k entries, max-subtracted.
//   status[0]: 0 updated;
//              1 skipped, some PRESENT gp_i is not finite (NaN/Inf in an
//                absent domain's gp is ignored);
//              2 skipped, ||gp|| == 0 (every present gp_i is zero);
//              3 skipped, no domain present (also k == 0).
//   Precedence when several hold: 3, then 1, then 2. On a skip next = current.
//
// Why a single block: k is the number of domains (tens to thousands, up to
// 10^6 supported); the update is O(k) and a one-block kernel needs no grid-wide
// synchronisation between its reductions. Every pass is a block-strided loop
// over i (i = tid, tid + blockDim.x, ...), so any k works, followed by a block
// reduction (warp shuffles + a 33-float shared array, reduce.cuh). Passes:
//   1. flags and scale: any present, any present non-finite (isfinite on each
//      present gp, so the detection is exact; sums would hide nothing but a
//      max would drop NaN), max |gp| over present domains;
//   2. s = sum (gp_i / maxabs)^2 over present domains; ||gp|| = maxabs*sqrt(s).
//      The pre-scaling makes the norm immune to overflow (|gp| ~ 1e20) and
//      underflow (|gp| ~ 1e-30), so "||gp|| == 0" means exactly "every present
//      gp_i is zero", and logit_i = lambda * ((gp_i / maxabs) / sqrt(s));
//   3. m = max logit (absent domains contribute 0);
//   4. next[i] = expf(logit_i - m), Z = sum next; 5. next[i] /= Z.
//   Each thread only re-reads next[] entries it wrote itself, so passes 4-5
//   need no extra barrier. All decisions derive from block-reduced values that
//   every thread sees, so all threads take the same branch (barriers are
//   uniform).

#include "rnb_cuda_compat.cuh"
#include "reduce.cuh"

__device__ __forceinline__ float rnb_bu_logit(const float* gp, const float* scale, int i,
                                              float lambda, float maxAbs, float rootS) {
    if (scale[i] == 0.0f) return 0.0f;
    return lambda * ((gp[i] / maxAbs) / rootS);
}

extern "C" __global__ void __launch_bounds__(1024)
rnb_balance_update(const float* gp, const float* scale, const float* current, float lambda,
                   int k, float* next, int* status) {
    RNB_SHARED(float, red, [RNB_BLOCK_REDUCE_SMEM]);
    const int tid = (int)threadIdx.x;
    const int nt = (int)blockDim.x;

    // Pass 1: presence, non-finite detection, max |gp| over present domains.
    float anyPresent = 0.0f;
    float anyBad = 0.0f;
    float maxAbs = 0.0f;
    for (int i = tid; i < k; i += nt) {
        if (scale[i] != 0.0f) {
            anyPresent = 1.0f;
            const float g = gp[i];
            if (isfinite(g)) {
                maxAbs = fmaxf(maxAbs, fabsf(g));
            } else {
                anyBad = 1.0f;
            }
        }
    }
    anyPresent = rnb_block_max(anyPresent, red);
    anyBad = rnb_block_max(anyBad, red);
    maxAbs = rnb_block_max(maxAbs, red);

    int st = 0;
    if (anyPresent == 0.0f) {
        st = 3;
    } else if (anyBad != 0.0f) {
        st = 1;
    } else if (maxAbs == 0.0f) {
        st = 2;
    }
    if (st != 0) {
        for (int i = tid; i < k; i += nt) next[i] = current[i];
        if (tid == 0) status[0] = st;
        return;  // uniform: every thread computed the same st
    }

    // Pass 2: scaled sum of squares -> ||gp|| = maxAbs * sqrt(s), s >= 1.
    float s = 0.0f;
    for (int i = tid; i < k; i += nt) {
        if (scale[i] != 0.0f) {
            const float r = gp[i] / maxAbs;
            s += r * r;
        }
    }
    s = rnb_block_sum(s, red);
    const float rootS = sqrtf(s);

    // Pass 3: max logit.
    float m = -INFINITY;
    for (int i = tid; i < k; i += nt) {
        m = fmaxf(m, rnb_bu_logit(gp, scale, i, lambda, maxAbs, rootS));
    }
    m = rnb_block_max(m, red);

    // Pass 4: exponentials and their sum.
    float z = 0.0f;
    for (int i = tid; i < k; i += nt) {
        const float e = expf(rnb_bu_logit(gp, scale, i, lambda, maxAbs, rootS) - m);
        next[i] = e;
        z += e;
    }
    z = rnb_block_sum(z, red);

    // Pass 5: normalise (each thread touches only the entries it wrote).
    for (int i = tid; i < k; i += nt) next[i] = next[i] / z;
    if (tid == 0) status[0] = 0;
}
