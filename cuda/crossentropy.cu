// crossentropy.cu - fused softmax + cross-entropy over the output head's logits.
//
// Contracts (cuda/KERNELS.md; ModelOps.crossEntropy), logits N x V row-major,
// targets and weights N floats:
//   rnb_cross_entropy(losses, dlogits, logits, targets, weights, N, V)
//     block (256,1,1), grid (N,1,1): a block per row, block max and sum;
//     losses[n] = weights[n] * -log softmax(logits[n])[targets[n]] (0 when the
//     weight is 0: a masked row); when dlogits is not null,
//     dlogits[n] = weights[n] * (softmax - onehot(target)).
//   rnb_loss_sum(lossSum, losses, N)
//     block (256,1,1), grid (1,1,1); lossSum[0] = sum_n losses[n], fixed order.
#include "rnb_cuda_compat.cuh"
#include "reduce.cuh"

extern "C" __global__ void __launch_bounds__(256)
rnb_cross_entropy(float* __restrict__ losses, float* __restrict__ dlogits, const float* __restrict__ logits,
                  const float* __restrict__ targets, const float* __restrict__ weights, int N, int V) {
    RNB_SHARED(float, red, [RNB_BLOCK_REDUCE_SMEM]);
    const int n = (int)blockIdx.x;
    if (n >= N) return;  // whole block exits together
    const float* x = logits + (long long)n * V;
    float max = -INFINITY;
    for (int i = (int)threadIdx.x; i < V; i += (int)blockDim.x) max = fmaxf(max, x[i]);
    max = rnb_block_max(max, red);
    float sum = 0.0f;
    for (int i = (int)threadIdx.x; i < V; i += (int)blockDim.x) sum += expf(x[i] - max);
    sum = rnb_block_sum(sum, red);
    const int target = (int)targets[n];
    const float w = weights[n];
    if (threadIdx.x == 0) losses[n] = w == 0.0f ? 0.0f : -w * (x[target] - max - logf(sum));
    if (dlogits != nullptr) {
        const float inv = 1.0f / sum;
        float* d = dlogits + (long long)n * V;
        for (int i = (int)threadIdx.x; i < V; i += (int)blockDim.x) {
            d[i] = w * (expf(x[i] - max) * inv - (i == target ? 1.0f : 0.0f));
        }
    }
}

extern "C" __global__ void __launch_bounds__(256)
rnb_loss_sum(float* __restrict__ lossSum, const float* __restrict__ losses, int N) {
    RNB_SHARED(float, red, [RNB_BLOCK_REDUCE_SMEM]);
    float sum = 0.0f;
    for (int n = (int)threadIdx.x; n < N; n += (int)blockDim.x) sum += losses[n];
    sum = rnb_block_sum(sum, red);
    if (threadIdx.x == 0) lossSum[0] = sum;
}
