// balance_update.cu - the R&B mixture update (softmax of the normalised
// per-domain gradient-alignment scores) as four grid-wide passes.
//
// Contract (cuda/KERNELS.md). Launched in this order, on one stream, all four
// with block (256,1,1) and the same grid (B,1,1), 1 <= B <= 256:
//   rnb_balance_stats(gp, scale, k, partial)
//   rnb_balance_norm(gp, scale, k, partial, status)
//   rnb_balance_exp(gp, scale, lambda, k, partial, next)
//   rnb_balance_normalise(k, partial, next, status)
// partial holds 8 * B floats (field f of block b at partial[f*B + b]); the
// caller allocates it, nothing needs zeroing.
//   Domain i is present when scale[i] != 0 (scale[i] = 1/n_i, 0 when n_i = 0).
//   logit_i = lambda * gp_i / ||gp||_2 (norm over present domains), 0 for
//   absent domains; next = softmax(logit) over all k entries, max-subtracted.
//   status[0]: 0 updated;
//              1 skipped, some PRESENT gp_i is not finite (NaN/Inf in an
//                absent domain's gp is ignored);
//              2 skipped, ||gp|| == 0 (every present gp_i is zero);
//              3 skipped, no domain present (also k == 0).
//   Precedence when several hold: 3, then 1, then 2. On a skip next is not
//   written: the caller keeps the current proportions (it has them).
//
// Why four kernels: k is the number of domains, up to 10^6 and more, and the
// update needs four grid-wide results in turn (flags and the extremes; the
// sum of squares; the softmax sum; then the division). A kernel boundary is
// the grid-wide barrier. Each pass is a grid-stride loop (coalesced, B blocks
// of 256 threads: the whole GPU instead of one SM) whose block totals go to
// the block's partial slots. Every later kernel starts with each WARP reducing
// all B partials itself (lane l takes partials l, l+32, ... in order, then a
// butterfly, which leaves the same bits in every lane), so every warp of every
// block sees the same values and takes the same branch, with no block barrier,
// no atomics, and a result that does not depend on the block schedule.
//   1. stats: any present, any absent, any present non-finite (isfinite on
//      each present gp, so the detection is exact: a max would drop NaN),
//      max |gp|, max gp and min gp over present domains;
//   2. norm: the status decision; on a skip block 0 writes it and every
//      kernel after this one returns at once. Else s = sum (gp_i / maxabs)^2
//      over present domains, so ||gp|| = maxabs * sqrt(s): the pre-scaling
//      makes the norm immune to overflow (|gp| ~ 1e20) and underflow
//      (|gp| ~ 1e-30), and "||gp|| == 0" means exactly "every present gp_i
//      is zero";
//   3. exp: logit_i = lambda * ((gp_i / maxabs) / sqrt(s)); m = max logit is
//      the larger of the logits of max gp and min gp (each rounded step is
//      monotone in gp_i: the divisors are positive, and lambda's sign only
//      says which end is the top), and 0 when some domain is absent;
//      next[i] = expf(logit_i - m) and the per-block sums of next;
//   4. normalise: next[i] /= Z; block 0 writes status 0.

#include "rnb_cuda_compat.cuh"
#include "reduce.cuh"

#define RNB_BU_THREADS 256
#define RNB_BU_WARPS (RNB_BU_THREADS / 32)
#define RNB_BU_MAX_BLOCKS 256

enum {
    RNB_BU_PRESENT, RNB_BU_ABSENT, RNB_BU_BAD, RNB_BU_MAXABS, RNB_BU_MAXGP, RNB_BU_NEGMINGP,  // max-reduced
    RNB_BU_SUMSQ, RNB_BU_EXPSUM,                                                           // summed
    RNB_BU_MAX_FIELDS = RNB_BU_SUMSQ
};

// Field f of all B = gridDim.x partials, reduced by the calling warp (all 32
// lanes call it); every lane gets the same bits.
__device__ __forceinline__ float rnb_bu_all_max(const float* partial, int f) {
    const int lane = (int)(threadIdx.x % warpSize), nb = (int)gridDim.x;
    float v = -INFINITY;
#pragma unroll
    for (int t = 0; t < RNB_BU_MAX_BLOCKS / 32; t++) {
        const int b = lane + 32 * t;
        if (b < nb) v = fmaxf(v, partial[f * nb + b]);
    }
    return rnb_warp_max(v);
}

__device__ __forceinline__ float rnb_bu_all_sum(const float* partial, int f) {
    const int lane = (int)(threadIdx.x % warpSize), nb = (int)gridDim.x;
    float v = 0.0f;
#pragma unroll
    for (int t = 0; t < RNB_BU_MAX_BLOCKS / 32; t++) {
        const int b = lane + 32 * t;
        if (b < nb) v += partial[f * nb + b];
    }
    return rnb_warp_sum(v);
}

struct RnbBalanceStats {
    int status;
    float maxAbs;
    float maxGp;
    float minGp;
    bool anyAbsent;
};

// The grid-wide results of pass 1, in every thread of every block.
__device__ RnbBalanceStats rnb_bu_stats(const float* partial) {
    const float anyPresent = rnb_bu_all_max(partial, RNB_BU_PRESENT);
    const float anyBad = rnb_bu_all_max(partial, RNB_BU_BAD);
    RnbBalanceStats st;
    st.anyAbsent = rnb_bu_all_max(partial, RNB_BU_ABSENT) != 0.0f;
    st.maxAbs = rnb_bu_all_max(partial, RNB_BU_MAXABS);
    st.maxGp = rnb_bu_all_max(partial, RNB_BU_MAXGP);
    st.minGp = -rnb_bu_all_max(partial, RNB_BU_NEGMINGP);
    st.status = anyPresent == 0.0f ? 3 : anyBad != 0.0f ? 1 : st.maxAbs == 0.0f ? 2 : 0;
    return st;
}

__device__ __forceinline__ float rnb_bu_logit(float g, float lambda, float maxAbs, float rootS) {
    return lambda * ((g / maxAbs) / rootS);
}

__device__ __forceinline__ int rnb_bu_first() { return (int)(blockIdx.x * blockDim.x + threadIdx.x); }

__device__ __forceinline__ int rnb_bu_stride() { return (int)(gridDim.x * blockDim.x); }

extern "C" __global__ void __launch_bounds__(RNB_BU_THREADS)
rnb_balance_stats(const float* gp, const float* scale, int k, float* partial) {
    RNB_SHARED(float, perWarp, [RNB_BU_MAX_FIELDS * RNB_BU_WARPS]);
    float v[RNB_BU_MAX_FIELDS] = {0.0f, 0.0f, 0.0f, 0.0f, -INFINITY, -INFINITY};
    for (int i = rnb_bu_first(); i < k; i += rnb_bu_stride()) {
        if (scale[i] == 0.0f) {
            v[RNB_BU_ABSENT] = 1.0f;
            continue;
        }
        v[RNB_BU_PRESENT] = 1.0f;
        const float g = gp[i];
        if (isfinite(g)) {
            v[RNB_BU_MAXABS] = fmaxf(v[RNB_BU_MAXABS], fabsf(g));
            v[RNB_BU_MAXGP] = fmaxf(v[RNB_BU_MAXGP], g);
            v[RNB_BU_NEGMINGP] = fmaxf(v[RNB_BU_NEGMINGP], -g);
        } else {
            v[RNB_BU_BAD] = 1.0f;
        }
    }
    // All six are maxima: warp maxima, then one barrier, then thread f takes field f over the warps.
    const int lane = (int)(threadIdx.x % warpSize), warp = (int)(threadIdx.x / warpSize);
#pragma unroll
    for (int f = 0; f < RNB_BU_MAX_FIELDS; f++) v[f] = rnb_warp_max(v[f]);
    if (lane == 0) {
#pragma unroll
        for (int f = 0; f < RNB_BU_MAX_FIELDS; f++) perWarp[f * RNB_BU_WARPS + warp] = v[f];
    }
    __syncthreads();
    const int f = (int)threadIdx.x;
    if (f < RNB_BU_MAX_FIELDS) {
        float m = perWarp[f * RNB_BU_WARPS];
        for (int w = 1; w < (int)(blockDim.x / warpSize); w++) m = fmaxf(m, perWarp[f * RNB_BU_WARPS + w]);
        partial[f * (int)gridDim.x + (int)blockIdx.x] = m;
    }
}

extern "C" __global__ void __launch_bounds__(RNB_BU_THREADS)
rnb_balance_norm(const float* gp, const float* scale, int k, float* partial, int* status) {
    RNB_SHARED(float, red, [RNB_BLOCK_REDUCE_SMEM]);
    const RnbBalanceStats st = rnb_bu_stats(partial);
    if (st.status != 0) {
        if (blockIdx.x == 0 && threadIdx.x == 0) status[0] = st.status;
        return;  // uniform: every thread of every block computed the same status
    }
    float s = 0.0f;
    for (int i = rnb_bu_first(); i < k; i += rnb_bu_stride()) {
        if (scale[i] != 0.0f) {
            const float r = gp[i] / st.maxAbs;
            s += r * r;
        }
    }
    s = rnb_block_sum(s, red);
    if (threadIdx.x == 0) partial[RNB_BU_SUMSQ * (int)gridDim.x + (int)blockIdx.x] = s;
}

extern "C" __global__ void __launch_bounds__(RNB_BU_THREADS)
rnb_balance_exp(const float* gp, const float* scale, float lambda, int k, float* partial, float* next) {
    RNB_SHARED(float, red, [RNB_BLOCK_REDUCE_SMEM]);
    const RnbBalanceStats st = rnb_bu_stats(partial);
    if (st.status != 0) return;
    const float rootS = sqrtf(rnb_bu_all_sum(partial, RNB_BU_SUMSQ));
    const float m = fmaxf(fmaxf(rnb_bu_logit(st.maxGp, lambda, st.maxAbs, rootS),
                                rnb_bu_logit(st.minGp, lambda, st.maxAbs, rootS)),
                          st.anyAbsent ? 0.0f : -INFINITY);
    float z = 0.0f;
    for (int i = rnb_bu_first(); i < k; i += rnb_bu_stride()) {
        const float logit = scale[i] == 0.0f ? 0.0f : rnb_bu_logit(gp[i], lambda, st.maxAbs, rootS);
        const float e = expf(logit - m);
        next[i] = e;
        z += e;
    }
    z = rnb_block_sum(z, red);
    if (threadIdx.x == 0) partial[RNB_BU_EXPSUM * (int)gridDim.x + (int)blockIdx.x] = z;
}

extern "C" __global__ void __launch_bounds__(RNB_BU_THREADS)
rnb_balance_normalise(int k, const float* partial, float* next, int* status) {
    const RnbBalanceStats st = rnb_bu_stats(partial);
    if (st.status != 0) return;
    const float z = rnb_bu_all_sum(partial, RNB_BU_EXPSUM);
    for (int i = rnb_bu_first(); i < k; i += rnb_bu_stride()) next[i] = next[i] / z;
    if (blockIdx.x == 0 && threadIdx.x == 0) status[0] = 0;
}
