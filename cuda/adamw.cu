// adamw.cu - AdamW update with global-norm clipping read from device memory.
//
// Contract (cuda/KERNELS.md; ModelOps.adamw), n parameters:
//   rnb_adamw(params, grads, m, v, n, normSq, maxNorm, lr, beta1, beta2, eps,
//             weightDecay, c1, c2)
//     block (256,1,1), grid (ceil(n/256),1,1).
//     clip = maxNorm / sqrt(normSq[0]) when maxNorm > 0 and sqrt(normSq[0]) > maxNorm, else 1;
//     g = grads*clip; m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2;
//     params -= lr * ((m/c1) / (sqrt(v/c2) + eps) + weightDecay * params),
//     with the bias corrections c1 = 1-b1^t, c2 = 1-b2^t computed by the caller.
#include "rnb_cuda_compat.cuh"

extern "C" __global__ void __launch_bounds__(256)
rnb_adamw(float* __restrict__ params, const float* __restrict__ grads, float* __restrict__ m, float* __restrict__ v,
          long long n, const float* __restrict__ normSq, float maxNorm, float lr, float beta1, float beta2, float eps,
          float weightDecay, float c1, float c2) {
    const long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    const float norm = sqrtf(normSq[0]);
    const float clip = (maxNorm > 0.0f && norm > maxNorm) ? maxNorm / norm : 1.0f;
    const float g = grads[i] * clip;
    const float mi = beta1 * m[i] + (1.0f - beta1) * g;
    const float vi = beta2 * v[i] + (1.0f - beta2) * g * g;
    m[i] = mi;
    v[i] = vi;
    params[i] -= lr * ((mi / c1) / (sqrtf(vi / c2) + eps) + weightDecay * params[i]);
}
