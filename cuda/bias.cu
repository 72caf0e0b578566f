// bias.cu - the bias of a linear layer (the matmul itself is cuBLAS), forward and backward.
//
// Contracts (cuda/KERNELS.md; ModelOps.biasAdd/biasBackward), out is N x OC:
//   rnb_bias_add(out, bias, N, OC)
//     block (256,1,1), grid (ceil(N*OC/256),1,1); out[n*OC+o] += bias[o].
//   rnb_bias_backward(dbias, dout, N, OC)
//     block (256,1,1), grid (ceil(OC/256),1,1); a thread owns a column and sums
//     the rows in order (deterministic); dbias[o] += sum_n dout[n*OC+o].
#include "rnb_cuda_compat.cuh"

extern "C" __global__ void __launch_bounds__(256)
rnb_bias_add(float* __restrict__ out, const float* __restrict__ bias, int N, int OC) {
    const long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= (long long)N * OC) return;
    out[i] += bias[i % OC];
}

extern "C" __global__ void __launch_bounds__(256)
rnb_bias_backward(float* __restrict__ dbias, const float* __restrict__ dout, int N, int OC) {
    const int o = (int)(blockIdx.x * blockDim.x + threadIdx.x);
    if (o >= OC) return;
    float sum = 0.0f;
    for (int n = 0; n < N; n++) sum += dout[(long long)n * OC + o];
    dbias[o] += sum;
}
