// layernorm.cu - LayerNorm over rows of C (eps 1e-5, biased variance), forward and backward.
//
// Contracts (cuda/KERNELS.md; ModelOps.layerNormForward/Backward):
//   rnb_layernorm_forward(out, mean, rstd, inp, weight, bias, N, C)
//     block (256,1,1), grid (ceil(N/8),1,1): one warp per row, lanes stride the
//     row, warp-shuffle sums (two passes: mean, then variance about the mean).
//   rnb_layernorm_backward_input(dinp, dout, inp, weight, mean, rstd, N, C)
//     same shape; dinp[n,:] += (w*dout - mean(w*dout) - norm*mean(w*dout*norm)) * rstd.
//   rnb_layernorm_backward_params(dweight, dbias, dout, inp, mean, rstd, N, C)
//     block (256,1,1), grid (ceil(C/256),1,1): a thread owns a channel and walks
//     the rows in order (deterministic, no atomics);
//     dweight[c] += sum_n dout*norm, dbias[c] += sum_n dout.
// A warp whose row is past N exits whole, so every shuffle has 32 lanes.
#include "rnb_cuda_compat.cuh"
#include "reduce.cuh"

extern "C" __global__ void __launch_bounds__(256)
rnb_layernorm_forward(float* __restrict__ out, float* __restrict__ mean, float* __restrict__ rstd,
                      const float* __restrict__ inp, const float* __restrict__ weight, const float* __restrict__ bias,
                      int N, int C) {
    const int lane = (int)threadIdx.x % 32;
    const long long n = (long long)blockIdx.x * (blockDim.x / 32) + threadIdx.x / 32;
    if (n >= N) return;
    const float* x = inp + n * C;
    float sum = 0.0f;
    for (int c = lane; c < C; c += 32) sum += x[c];
    const float m = rnb_warp_sum(sum) / C;
    float var = 0.0f;
    for (int c = lane; c < C; c += 32) {
        const float d = x[c] - m;
        var += d * d;
    }
    const float s = rsqrtf(rnb_warp_sum(var) / C + 1e-5f);
    float* o = out + n * C;
    for (int c = lane; c < C; c += 32) o[c] = (x[c] - m) * s * weight[c] + bias[c];
    if (lane == 0) {
        mean[n] = m;
        rstd[n] = s;
    }
}

extern "C" __global__ void __launch_bounds__(256)
rnb_layernorm_backward_input(float* __restrict__ dinp, const float* __restrict__ dout, const float* __restrict__ inp,
                             const float* __restrict__ weight, const float* __restrict__ mean,
                             const float* __restrict__ rstd, int N, int C) {
    const int lane = (int)threadIdx.x % 32;
    const long long n = (long long)blockIdx.x * (blockDim.x / 32) + threadIdx.x / 32;
    if (n >= N) return;
    const float* x = inp + n * C;
    const float* d = dout + n * C;
    const float m = mean[n], s = rstd[n];
    float dm = 0.0f, dnm = 0.0f;
    for (int c = lane; c < C; c += 32) {
        const float norm = (x[c] - m) * s;
        const float dnorm = weight[c] * d[c];
        dm += dnorm;
        dnm += dnorm * norm;
    }
    dm = rnb_warp_sum(dm) / C;
    dnm = rnb_warp_sum(dnm) / C;
    float* di = dinp + n * C;
    for (int c = lane; c < C; c += 32) {
        const float norm = (x[c] - m) * s;
        di[c] += (weight[c] * d[c] - dm - norm * dnm) * s;
    }
}

extern "C" __global__ void __launch_bounds__(256)
rnb_layernorm_backward_params(float* __restrict__ dweight, float* __restrict__ dbias, const float* __restrict__ dout,
                              const float* __restrict__ inp, const float* __restrict__ mean,
                              const float* __restrict__ rstd, int N, int C) {
    const int c = (int)(blockIdx.x * blockDim.x + threadIdx.x);
    if (c >= C) return;
    float dw = 0.0f, db = 0.0f;
    for (int n = 0; n < N; n++) {
        const float d = dout[(long long)n * C + c];
        db += d;
        dw += d * (inp[(long long)n * C + c] - mean[n]) * rstd[n];
    }
    dweight[c] += dw;
    dbias[c] += db;
}
