// global_norm.cu - squared L2 norm of the whole gradient buffer (for clipping).
//
// Contract (cuda/KERNELS.md; ModelOps.squaredNorm):
//   rnb_squared_norm(out, x, n)  block (256,1,1), grid (1,1,1);
//     out[0] = sum_i x[i]^2 (overwrites), threads stride the buffer and one
//     block reduction combines them: a fixed order (deterministic), and the
//     value never leaves the device (AdamW reads it from there).
// Known limit: one block streams the whole buffer; fine for the byte-level
// models of this project (<= a few M parameters), not for large ones.
#include "rnb_cuda_compat.cuh"
#include "reduce.cuh"

extern "C" __global__ void __launch_bounds__(256)
rnb_squared_norm(float* __restrict__ out, const float* __restrict__ x, long long n) {
    RNB_SHARED(float, red, [RNB_BLOCK_REDUCE_SMEM]);
    float sum = 0.0f;
    for (long long i = threadIdx.x; i < n; i += blockDim.x) sum += x[i] * x[i];
    sum = rnb_block_sum(sum, red);
    if (threadIdx.x == 0) out[0] = sum;
}
