// residual.cu - elementwise sum for the residual stream (and dst += src in the backward).
//
// Contract (cuda/KERNELS.md; ModelOps.add):
//   rnb_add(out, a, b, n)  block (256,1,1), grid (ceil(n/256),1,1);
//     out[i] = a[i] + b[i]; out may alias a or b (each thread reads before it writes its own i).
#include "rnb_cuda_compat.cuh"

extern "C" __global__ void __launch_bounds__(256)
rnb_add(float* out, const float* a, const float* b, long long n) {
    const long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    out[i] = a[i] + b[i];
}
