// attention_layout.cu - moves attention operands between our row layout and
// cuDNN's per-head layout, for the cuDNN attention path (CudnnAttention.java).
//
// Row layout (ModelOps): row n = b*T + t of a matrix whose rows are `stride`
// floats apart; head h owns columns h*hs .. h*hs+hs-1 (hs = C/NH) counted from
// the start pointer. For qkv (stride 3C) the caller passes qkv, qkv + C and
// qkv + 2C for q, k and v; for out / dout (stride C) the matrix itself.
// Head layout: (B, NH, T, hs) contiguous, i.e. B*NH sequences of T vectors of
// hs floats: cuDNN's batch = B*NH, time = T, vector = hs.
//
// Contracts (cuda/KERNELS.md), both kernels: block (256,1,1),
// grid (ceil(B*T*C/256),1,1), one thread per float, no atomics (one owner each).
//   rnb_attention_rows_to_heads(heads, rows, stride, B, T, C, NH)
//     heads[((b*NH + h)*T + t)*hs + d] = rows[(b*T + t)*stride + h*hs + d];
//     threads are numbered in head order, so the writes are coalesced.
//   rnb_attention_heads_to_rows(rows, heads, stride, B, T, C, NH, accumulate)
//     rows[(b*T + t)*stride + h*hs + d] (=, or += when accumulate != 0)
//     heads[((b*NH + h)*T + t)*hs + d]; threads are numbered in row order, so
//     the read-modify-writes of the accumulating case are coalesced.
#include "rnb_cuda_compat.cuh"

extern "C" __global__ void __launch_bounds__(256)
rnb_attention_rows_to_heads(float* __restrict__ heads, const float* __restrict__ rows, int stride,
                            int B, int T, int C, int NH) {
    const long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= (long long)B * T * C) return;
    const int hs = C / NH;
    const int d = (int)(i % hs);
    const long long seq = i / hs;               // (b*NH + h)*T + t
    const int t = (int)(seq % T);
    const int h = (int)((seq / T) % NH);
    const long long b = seq / ((long long)T * NH);
    heads[i] = rows[(b * T + t) * stride + (long long)h * hs + d];
}

extern "C" __global__ void __launch_bounds__(256)
rnb_attention_heads_to_rows(float* __restrict__ rows, const float* __restrict__ heads, int stride,
                            int B, int T, int C, int NH, int accumulate) {
    const long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= (long long)B * T * C) return;
    const int hs = C / NH;
    const int c = (int)(i % C);
    const long long n = i / C;                  // b*T + t
    const int t = (int)(n % T);
    const long long b = n / T;
    const int h = c / hs;
    const float x = heads[((b * NH + h) * T + t) * hs + c % hs];
    float* dst = rows + n * stride + c;
    *dst = accumulate ? *dst + x : x;
}
