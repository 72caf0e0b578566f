// reduce.cuh - shared device reduction helpers for the rnb Balance kernels.
//
// Contract:
//   rnb_warp_sum / rnb_warp_max: butterfly (__shfl_xor_sync) reduction over a
//     FULL warp (all 32 lanes must call it, mask 0xffffffff); every lane gets
//     the result.
//   rnb_block_sum / rnb_block_max: reduction over the whole block; every thread
//     of the block must call it (it contains two __syncthreads()), every thread
//     gets the result. The block size must be a multiple of warpSize and at
//     most 32 warps (1024 threads). `smem` must point to an RNB_SHARED float
//     array of at least RNB_BLOCK_REDUCE_SMEM (33) floats declared by the
//     calling kernel (the CPU emulator only supports static shared arrays
//     declared inside kernels, hence it is passed in).
//     Back-to-back calls on the same smem are safe without an extra barrier:
//     slots 0..31 are only rewritten after the second barrier of the previous
//     call, and the broadcast slot 32 is only rewritten after the first barrier
//     of the next call, which every thread passes after it has read slot 32.
//   fmaxf ignores a NaN operand, so rnb_*_max is "max over the non-NaN values";
//   callers that must see NaN detect it separately (isfinite).
//
// Only features supported by the CPU emulator are used (see cuda/emulator).
#ifndef RNB_REDUCE_CUH
#define RNB_REDUCE_CUH

#include "rnb_cuda_compat.cuh"

#define RNB_BLOCK_REDUCE_SMEM 33

__device__ __forceinline__ float rnb_warp_sum(float v) {
    for (int off = warpSize / 2; off > 0; off >>= 1) {
        v += __shfl_xor_sync(0xffffffff, v, off);
    }
    return v;
}

__device__ __forceinline__ float rnb_warp_max(float v) {
    for (int off = warpSize / 2; off > 0; off >>= 1) {
        v = fmaxf(v, __shfl_xor_sync(0xffffffff, v, off));
    }
    return v;
}

__device__ __forceinline__ int rnb_block_linear_tid() {
    return (int)(threadIdx.x + blockDim.x * (threadIdx.y + blockDim.y * threadIdx.z));
}

__device__ __forceinline__ int rnb_block_num_threads() {
    return (int)(blockDim.x * blockDim.y * blockDim.z);
}

__device__ __forceinline__ float rnb_block_sum(float v, float* smem) {
    const int tid = rnb_block_linear_tid();
    const int lane = tid % warpSize;
    const int warp = tid / warpSize;
    const int nwarps = rnb_block_num_threads() / warpSize;
    v = rnb_warp_sum(v);
    if (lane == 0) smem[warp] = v;
    __syncthreads();
    if (warp == 0) {
        float r = (lane < nwarps) ? smem[lane] : 0.0f;
        r = rnb_warp_sum(r);
        if (lane == 0) smem[32] = r;
    }
    __syncthreads();
    return smem[32];
}

__device__ __forceinline__ float rnb_block_max(float v, float* smem) {
    const int tid = rnb_block_linear_tid();
    const int lane = tid % warpSize;
    const int warp = tid / warpSize;
    const int nwarps = rnb_block_num_threads() / warpSize;
    v = rnb_warp_max(v);
    if (lane == 0) smem[warp] = v;
    __syncthreads();
    if (warp == 0) {
        float r = (lane < nwarps) ? smem[lane] : -INFINITY;
        r = rnb_warp_max(r);
        if (lane == 0) smem[32] = r;
    }
    __syncthreads();
    return smem[32];
}

#endif  // RNB_REDUCE_CUH
