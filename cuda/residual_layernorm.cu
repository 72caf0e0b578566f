// residual_layernorm.cu - the residual add and the LayerNorm of its sum in one pass over the rows.
//
// Contract (cuda/KERNELS.md; ModelOps.residualLayerNormForward):
//   rnb_residual_layernorm_forward(residual, out, mean, rstd, inp, delta, weight, bias, N, C)
//     block (256,1,1), grid (ceil(N/8),1,1): one warp per row, lanes stride the row.
//     residual = inp + delta, then out = LayerNorm(residual) exactly as
//     rnb_layernorm_forward computes it (eps 1e-5, biased variance, mean and
//     rstd saved). The sum is written once and read back by the lane that
//     wrote it (from L1/L2), instead of rnb_add writing it and a second kernel
//     reading it from memory. residual may alias inp or delta (a lane reads
//     its elements before writing them), so those three are not __restrict__.
// A warp whose row is past N exits whole, so every shuffle has 32 lanes.
#include "rnb_cuda_compat.cuh"
#include "reduce.cuh"

extern "C" __global__ void __launch_bounds__(256)
rnb_residual_layernorm_forward(float* residual,               // N x C, written: inp + delta
                               float* __restrict__ out,        // N x C, written: LayerNorm(residual)
                               float* __restrict__ mean,       // N, written
                               float* __restrict__ rstd,       // N, written
                               const float* inp,               // N x C, the residual stream so far
                               const float* delta,             // N x C, the sublayer's output
                               const float* __restrict__ weight,  // C
                               const float* __restrict__ bias,    // C
                               int N, int C) {
    const int lane = (int)threadIdx.x % 32;
    const long long n = (long long)blockIdx.x * (blockDim.x / 32) + threadIdx.x / 32;
    if (n >= N) return;
    const float* x = inp + n * C;
    const float* y = delta + n * C;
    float* r = residual + n * C;
    float sum = 0.0f;
    for (int c = lane; c < C; c += 32) {
        const float v = x[c] + y[c];
        r[c] = v;
        sum += v;
    }
    const float m = rnb_warp_sum(sum) / C;
    float var = 0.0f;
    for (int c = lane; c < C; c += 32) {
        const float d = r[c] - m;
        var += d * d;
    }
    const float s = rsqrtf(rnb_warp_sum(var) / C + 1e-5f);
    float* o = out + n * C;
    for (int c = lane; c < C; c += 32) o[c] = (r[c] - m) * s * weight[c] + bias[c];
    if (lane == 0) {
        mean[n] = m;
        rstd[n] = s;
    }
}
