// gelu.cu - GELU, tanh approximation (as GPT-2 and llm.c), forward and backward.
//
// Contracts (cuda/KERNELS.md; ModelOps.geluForward/geluBackward), n elements:
//   rnb_gelu_forward(out, inp, n)        block (256,1,1), grid (ceil(n/256),1,1);
//     out[i] = 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))); out may alias inp.
//   rnb_gelu_backward(dinp, inp, dout, n) same shape; dinp[i] += GELU'(inp[i]) * dout[i].
#include "rnb_cuda_compat.cuh"

#define RNB_GELU_SCALE 0.7978845608028654f

extern "C" __global__ void __launch_bounds__(256)
rnb_gelu_forward(float* out, const float* inp, long long n) {
    const long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    const float x = inp[i];
    out[i] = 0.5f * x * (1.0f + tanhf(RNB_GELU_SCALE * (x + 0.044715f * x * x * x)));
}

extern "C" __global__ void __launch_bounds__(256)
rnb_gelu_backward(float* __restrict__ dinp, const float* __restrict__ inp, const float* __restrict__ dout, long long n) {
    const long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    const float x = inp[i];
    const float th = tanhf(RNB_GELU_SCALE * (x + 0.044715f * x * x * x));
    const float sech2 = 1.0f - th * th;
    const float grad = 0.5f * (1.0f + th) + 0.5f * x * sech2 * RNB_GELU_SCALE * (1.0f + 3.0f * 0.044715f * x * x);
    dinp[i] += grad * dout[i];
}
