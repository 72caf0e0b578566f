// encoder.cu - token + position embedding of the byte-level GPT, forward and backward.
//
// Contracts (cuda/KERNELS.md; ModelOps.encoderForward/Backward), N = B*T rows of C:
//   rnb_encoder_forward(out, tokens, wte, wpe, N, T, C)
//     block (256,1,1), grid (ceil(N*C/256),1,1).
//     out[n*C+c] = wte[tokens[n]*C+c] + wpe[(n%T)*C+c]; token ids are floats.
//   rnb_encoder_backward(dwte, dwpe, dout, tokens, N, T, C)
//     same shape; dwte[tokens[n]*C+c] += dout[n*C+c], dwpe[(n%T)*C+c] += dout[n*C+c]
//     with atomicAdd (rows sharing a token or a position collide), so the sum
//     order, and the last bits, vary from run to run.
#include "rnb_cuda_compat.cuh"

extern "C" __global__ void __launch_bounds__(256)
rnb_encoder_forward(float* __restrict__ out, const float* __restrict__ tokens, const float* __restrict__ wte,
                    const float* __restrict__ wpe, int N, int T, int C) {
    const long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= (long long)N * C) return;
    const long long n = i / C;
    const int c = (int)(i % C);
    const long long tok = (long long)tokens[n];
    out[i] = wte[tok * C + c] + wpe[(n % T) * C + c];
}

extern "C" __global__ void __launch_bounds__(256)
rnb_encoder_backward(float* __restrict__ dwte, float* __restrict__ dwpe, const float* __restrict__ dout,
                     const float* __restrict__ tokens, int N, int T, int C) {
    const long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= (long long)N * C) return;
    const long long n = i / C;
    const int c = (int)(i % C);
    const float d = dout[i];
    atomicAdd(dwte + (long long)tokens[n] * C + c, d);
    atomicAdd(dwpe + (n % T) * C + c, d);
}
