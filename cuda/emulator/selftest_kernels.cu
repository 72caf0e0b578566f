// Self-test kernels for the CPU CUDA emulator (cuda/emulator/), built only into
// its test library (never the fatbin or the jar). They are real CUDA
// (nvcc -arch=sm_90 -c -x cu -I cuda cuda/emulator/selftest_kernels.cu builds
// them) and each gives the right answer only if barriers, shared memory, warp
// shuffles or atomics behave as on a GPU. Deliberately wrong code the emulator
// must expose: rnb_selftest_misuse (launch errors), rnb_selftest_reverse_racy
// (a race between the threads of a block), rnb_selftest_stale_shared (reads
// shared memory another block wrote) and rnb_selftest_unsynchronised_total (a
// race between blocks).
#include "rnb_cuda_compat.cuh"

// Each block reverses its chunk of blockDim.x (<= 1024) elements through
// shared memory. Without the barrier a thread reads a slot another thread has
// not written yet (in the emulator: the previous block's data).
extern "C" __global__ void rnb_selftest_block_reverse(const float* in, float* out, int n) {
  RNB_SHARED(float, tile, [1024]);
  const int t = threadIdx.x;
  const int base = blockIdx.x * blockDim.x;
  const int len = min((int)blockDim.x, n - base);
  if (t < len) tile[t] = in[base + t];
  __syncthreads();
  if (t < len) out[base + t] = tile[len - 1 - t];
}

// The same without the barrier: a data race on purpose.
extern "C" __global__ void rnb_selftest_reverse_racy(const float* in, float* out, int n) {
  RNB_SHARED(float, tile, [1024]);
  const int t = threadIdx.x;
  const int base = blockIdx.x * blockDim.x;
  const int len = min((int)blockDim.x, n - base);
  if (t < len) tile[t] = in[base + t];
  if (t < len) out[base + t] = tile[len - 1 - t];
}

__device__ __forceinline__ float rnb_selftest_warp_sum_down(float v) {
  for (int offset = warpSize / 2; offset > 0; offset >>= 1)
    v += __shfl_down_sync(0xffffffffu, v, offset);
  return v;  // lane 0 holds the warp's sum
}

// out[blockIdx.x] = sum of the block's chunk. blockDim.x must be a multiple of
// 32: warp reduction with __shfl_down_sync, per-warp partials through shared
// memory, then a final warp.
extern "C" __global__ void __launch_bounds__(1024)
    rnb_selftest_block_sum(const float* __restrict__ in, float* __restrict__ out, int n) {
  RNB_SHARED(float, partial, [32]);
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  const int lane = threadIdx.x % warpSize;
  const int warp = threadIdx.x / warpSize;
  float v = i < n ? __ldg(in + i) : 0.0f;
  v = rnb_selftest_warp_sum_down(v);
  if (lane == 0) partial[warp] = v;
  __syncthreads();
  if (warp == 0) {
    const int nwarps = blockDim.x / warpSize;
    v = lane < nwarps ? partial[lane] : 0.0f;
    v = rnb_selftest_warp_sum_down(v);
    if (lane == 0) out[blockIdx.x] = v;
  }
}

// Butterfly all-reduce: every lane ends with its warp's total. Launch with a
// multiple of 32 threads in total (in has one element per thread).
extern "C" __global__ void rnb_selftest_warp_allreduce(const float* in, float* out) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  float v = in[i];
  for (int m = 16; m >= 1; m >>= 1) v += __shfl_xor_sync(0xffffffffu, v, m);
  out[i] = v;
}

// Histogram of values in [0, nbins), nbins <= 256: shared-memory bins with
// shared atomics, then one global atomicAdd per bin and block. Grid-stride.
extern "C" __global__ void rnb_selftest_histogram(const int* in, int n, int* bins, int nbins) {
  RNB_SHARED(int, local, [256]);
  for (int b = threadIdx.x; b < nbins; b += blockDim.x) local[b] = 0;
  __syncthreads();
  for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += blockDim.x * gridDim.x)
    atomicAdd(&local[in[i]], 1);
  __syncthreads();
  for (int b = threadIdx.x; b < nbins; b += blockDim.x)
    if (local[b] != 0) atomicAdd(&bins[b], local[b]);
}

// Float atomicAdd, atomicMax and an atomicCAS increment loop on global memory.
extern "C" __global__ void rnb_selftest_atomics(const float* x, const int* v, int n, float* sum,
                                                int* maxOut, int* casCount) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= n) return;
  atomicAdd(sum, x[i]);
  atomicMax(maxOut, v[i]);
  int old = 0;  // a guess; atomicCAS returns the real value when it is wrong
  for (;;) {
    const int seen = atomicCAS(casCount, old, old + 1);
    if (seen == old) break;
    old = seen;
  }
}

// Inclusive scan of each block's segment [b*seg, min(n, (b+1)*seg)),
// seg = ceil(n / gridDim.x), processed in chunks of blockDim.x with a running
// carry. Hillis-Steele in dynamic shared memory of 2 * blockDim.x ints
// (double-buffered), with a barrier after every step.
extern "C" __global__ void rnb_selftest_dynamic_shared_scan(const int* in, int* out, int n) {
  RNB_DYNAMIC_SHARED(int, scanBuf);
  const int t = threadIdx.x;
  const int bd = blockDim.x;
  const int seg = (n + gridDim.x - 1) / gridDim.x;
  const int begin = blockIdx.x * seg;
  const int end = min(n, begin + seg);
  int carry = 0;
  for (int base = begin; base < end; base += bd) {
    const int i = base + t;
    int cur = 0;  // buffer holding the current step's values
    scanBuf[t] = i < end ? in[i] : 0;
    __syncthreads();
    for (int off = 1; off < bd; off <<= 1) {
      int v = scanBuf[cur * bd + t];
      if (t >= off) v += scanBuf[cur * bd + t - off];
      cur ^= 1;
      scanBuf[cur * bd + t] = v;
      __syncthreads();
    }
    if (i < end) out[i] = carry + scanBuf[cur * bd + t];
    carry += scanBuf[cur * bd + bd - 1];
    __syncthreads();  // everyone has read the totals before the next chunk overwrites them
  }
}

// Overhead benchmark: `iters` rounds of write / barrier / read neighbour / barrier.
extern "C" __global__ void rnb_selftest_barrier_bench(float* data, int iters) {
  RNB_SHARED(float, s, [1024]);
  const int t = threadIdx.x;
  float v = (float)t;
  for (int k = 0; k < iters; ++k) {
    s[t] = v;
    __syncthreads();
    v += s[(t + 1) % blockDim.x];
    __syncthreads();
  }
  data[blockIdx.x * blockDim.x + t] = v;
}

// Deliberately broken kernels; the emulator must fail the launch with a message.
//  0: threads reach different __syncthreads() calls
//  1: half of each warp in a full-mask shuffle, the other half in __syncthreads (deadlock)
//  2: a shuffle whose mask does not name all active lanes
//  3: thread 0 stalls for `spin` clock64 units while the others wait in a barrier (watchdog)
//  4: a shuffle reading a lane that has returned
//  5: lanes of one warp in two different shuffles
extern "C" __global__ void rnb_selftest_misuse(int mode, long long spin, float* out) {
  const int t = threadIdx.x;
  const int lane = t % 32;
  float v = (float)t;
  switch (mode) {
    case 0:
      if (t < 32) {
        __syncthreads();
      } else {
        __syncthreads();
      }
      break;
    case 1:
      if (lane < 16) v = __shfl_xor_sync(0xffffffffu, v, 1);
      __syncthreads();
      break;
    case 2:
      v = __shfl_xor_sync(0x0000ffffu, v, 1);
      break;
    case 3:
      if (t == 0) {
        const long long start = clock64();
        while (clock64() - start < spin) {
        }
      }
      __syncthreads();
      break;
    case 4:
      if (lane >= 16) return;
      v = __shfl_xor_sync(0xffffffffu, v, 16);
      break;
    case 5:
      if (lane % 2 == 0)
        v = __shfl_xor_sync(0xffffffffu, v, 2);
      else
        v = __shfl_xor_sync(0xffffffffu, v, 4);
      break;
  }
  out[blockIdx.x * blockDim.x + t] = v;
}

// Wrong on purpose: block 0 fills `carry`, the other blocks read it without
// writing it. On a GPU they read whatever their SM's shared memory held; the
// emulator poisons every block's shared memory, so out is NaN outside block 0
// (a sequential emulator without poisoning would hand them block 0's values).
extern "C" __global__ void rnb_selftest_stale_shared(const float* in, float* out) {
  RNB_SHARED(float, carry, [1024]);
  const int t = threadIdx.x;
  if (blockIdx.x == 0) carry[t] = in[t];
  __syncthreads();
  out[blockIdx.x * blockDim.x + t] = carry[t];
}

// Wrong on purpose: each block adds its sum into *total with a plain read and
// write instead of atomicAdd. Blocks run one after another in any order give
// the right total; concurrent blocks (as on a GPU) lose updates. A sleep of
// `delayNs` between the read and the write widens the window.
extern "C" __global__ void rnb_selftest_unsynchronised_total(const float* in, float* total,
                                                            unsigned delayNs) {
  RNB_SHARED(float, partial, [1]);
  if (threadIdx.x == 0) partial[0] = 0.0f;
  __syncthreads();
  atomicAdd(&partial[0], in[blockIdx.x * blockDim.x + threadIdx.x]);
  __syncthreads();
  if (threadIdx.x == 0) {
    const float before = *(volatile float*)total;
    __nanosleep(delayNs);
    *(volatile float*)total = before + partial[0];
  }
}
