// CUDA emulation header: lets cuda/*.cu kernels compile as plain C++ with g++
// and run on the CPU under the runtime in emulator.cpp.
//
//   g++ -std=c++17 -x c++ -include cuda/emulator/cuda_emulation.h kernel.cu
//
// Model (see emulator.cpp for the details):
//  * every CUDA thread of a block is a real OS thread (pooled), so races between
//    the threads of a block are real races (ThreadSanitizer can see them);
//  * blocks of a grid run one after another, or (RNB_EMU_BLOCK_ORDER=concurrent)
//    several at once in a random order, so that races between blocks are real
//    races too;
//  * static shared memory is declared RNB_SHARED(type, name, [dims]) (a plain
//    `__shared__` is a compile error here): each running block gets its own
//    copy, refilled with 0xFF before every block like dynamic shared memory, so
//    reading what this block did not write gives NaN / -1, never the previous
//    block's values;
//  * __syncthreads() is a real barrier over the block's non-exited threads;
//  * warp intrinsics exchange values through a per-warp slot array under a
//    warp-level barrier and are checked (mask, divergence, inactive source lane);
//  * atomics are real gcc __atomic operations (relaxed, like CUDA's).
//
// Not emulated: texture/surface memory, cooperative groups, __half, inline PTX.
#ifndef RNB_CUDA_EMULATION_H
#define RNB_CUDA_EMULATION_H

#if defined(__CUDACC__)
#error "cuda_emulation.h is for host compilers only; nvcc uses the real CUDA headers"
#endif

#include <math.h>  // <math.h>, not <cmath>: CUDA code calls isfinite/expf unqualified
#include <float.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <assert.h>
#include <type_traits>

// ---------------------------------------------------------------- qualifiers
#define __global__
#define __device__
#define __host__
#define __constant__
#define __managed__
// A function-local static would be shared by concurrent blocks and keep the
// previous block's values; kernels use RNB_SHARED instead (below).
#define __shared__ \
  _Pragma("GCC error \"write static shared memory as RNB_SHARED(type, name, [dims]) (cuda/rnb_cuda_compat.cuh): the emulator gives each block its own copy\"")
#define __forceinline__ inline __attribute__((always_inline))
// __noinline__ is deliberately not defined: glibc/libstdc++ headers spell
// __attribute__((__noinline__)), which such a macro would break.
#define __align__(n) __attribute__((aligned(n)))
#define __launch_bounds__(...)
// __restrict__ is already a g++ keyword.

// ---------------------------------------------------------------- vector types
struct uint3 { unsigned x, y, z; };
struct dim3 {
  unsigned x, y, z;
  constexpr dim3(unsigned x_ = 1, unsigned y_ = 1, unsigned z_ = 1) : x(x_), y(y_), z(z_) {}
  constexpr dim3(uint3 v) : x(v.x), y(v.y), z(v.z) {}
};
struct __attribute__((aligned(8))) float2 { float x, y; };
struct float3 { float x, y, z; };
struct __attribute__((aligned(16))) float4 { float x, y, z, w; };
struct __attribute__((aligned(8))) int2 { int x, y; };
struct __attribute__((aligned(16))) int4 { int x, y, z, w; };
inline uint3 make_uint3(unsigned x, unsigned y, unsigned z) { return {x, y, z}; }
inline float2 make_float2(float x, float y) { return {x, y}; }
inline float3 make_float3(float x, float y, float z) { return {x, y, z}; }
inline float4 make_float4(float x, float y, float z, float w) { return {x, y, z, w}; }
inline int2 make_int2(int x, int y) { return {x, y}; }
inline int4 make_int4(int x, int y, int z, int w) { return {x, y, z, w}; }

// ---------------------------------------------------------------- runtime hooks
namespace rnb_emu {

// Per-OS-thread view of "which CUDA thread am I"; set by the runtime before the
// kernel body runs on a pool thread.
struct ThreadCtx {
  uint3 thread_idx;
  uint3 block_idx;
  dim3 block_dim;
  dim3 grid_dim;
  void* launch;  // runtime-private: the running block's state; null outside a launch
  int tid;       // linear thread id in the block (x fastest, then y, z)
  int lane;      // tid % 32
  int warp;      // tid / 32
};
extern thread_local ThreadCtx t_ctx;

enum WarpOpKind { kShflIdx, kShflUp, kShflDown, kShflXor, kBallot, kAny, kAll, kSyncWarp };

// Block barrier; file/line identify the call site so that threads arriving at
// different __syncthreads() calls are reported as divergence.
void syncthreads(const char* file, int line);
// Collective warp operation. Every non-exited lane of the warp must make the
// same call (same kind, mask, width and call site); returns the selected
// lane's 64-bit payload (shuffles) or the lane mask (ballot/any/all).
uint64_t warp_op(int kind, unsigned mask, uint64_t value, long long arg, int width,
                 const char* file, int line);
unsigned active_mask();
void* dynamic_shared_ptr();
// The running block's copy of the static shared variable declared at `site`.
void* static_shared(const void* site, size_t bytes, size_t align);
long long clock_ns();
void sleep_ns(unsigned ns);

template <class T>
inline uint64_t to_bits(T v) {
  static_assert(std::is_trivially_copyable<T>::value && sizeof(T) <= 8,
                "warp shuffles move values of at most 8 bytes");
  uint64_t b = 0;
  memcpy(&b, &v, sizeof(T));
  return b;
}
template <class T>
inline T from_bits(uint64_t b) {
  T v;
  memcpy(&v, &b, sizeof(T));
  return v;
}
}  // namespace rnb_emu

// Builtin variables: read-only views of the thread context.
#define threadIdx (static_cast<const ::uint3&>(::rnb_emu::t_ctx.thread_idx))
#define blockIdx (static_cast<const ::uint3&>(::rnb_emu::t_ctx.block_idx))
#define blockDim (static_cast<const ::dim3&>(::rnb_emu::t_ctx.block_dim))
#define gridDim (static_cast<const ::dim3&>(::rnb_emu::t_ctx.grid_dim))
constexpr int warpSize = 32;

// Dynamic shared memory (the emulator side of RNB_DYNAMIC_SHARED; nvcc gets
// `extern __shared__ type name[]` from cuda/rnb_cuda_compat.cuh). The buffer is
// per launch, exactly dynamicSharedBytes long (so ASan sees overruns) and filled
// with 0xFF before every block (so reading unwritten shared memory shows up).
#ifndef RNB_DYNAMIC_SHARED
#define RNB_DYNAMIC_SHARED(type, name) \
  type* const name = static_cast<type*>(::rnb_emu::dynamic_shared_ptr())
#endif

// Static shared memory: RNB_SHARED(float, tile, [32][33]) is nvcc's
// `__shared__ float tile[32][33]` (cuda/rnb_cuda_compat.cuh). Here `tile` is a
// reference to the running block's copy, found by the address of a tag
// variable unique to the declaration.
#define RNB_SHARED(type, name, dims)                                                  \
  static const char rnb_shared_site_##name = 0;                                       \
  type(&name) dims = *static_cast<type(*) dims>(                                      \
      ::rnb_emu::static_shared(&rnb_shared_site_##name, sizeof(type dims), alignof(type)))

// ---------------------------------------------------------------- synchronisation
// __builtin_FILE/LINE as default arguments evaluate at the call site.
inline void __syncthreads(const char* f = __builtin_FILE(), int l = __builtin_LINE()) {
  ::rnb_emu::syncthreads(f, l);
}
inline void __syncwarp(unsigned mask = 0xffffffffu, const char* f = __builtin_FILE(),
                       int l = __builtin_LINE()) {
  ::rnb_emu::warp_op(::rnb_emu::kSyncWarp, mask, 0, 0, 32, f, l);
}
inline void __threadfence() { __atomic_thread_fence(__ATOMIC_SEQ_CST); }
inline void __threadfence_block() { __atomic_thread_fence(__ATOMIC_SEQ_CST); }
inline void __threadfence_system() { __atomic_thread_fence(__ATOMIC_SEQ_CST); }
inline unsigned __activemask() { return ::rnb_emu::active_mask(); }
// Nanoseconds rather than cycles; only differences are meaningful in CUDA too.
inline long long clock64() { return ::rnb_emu::clock_ns(); }
// A real sleep, so that other threads and blocks run meanwhile.
inline void __nanosleep(unsigned ns) { ::rnb_emu::sleep_ns(ns); }

// ---------------------------------------------------------------- warp shuffles
template <class T>
inline T __shfl_sync(unsigned mask, T var, int srcLane, int width = 32,
                     const char* f = __builtin_FILE(), int l = __builtin_LINE()) {
  return ::rnb_emu::from_bits<T>(::rnb_emu::warp_op(::rnb_emu::kShflIdx, mask,
                                                    ::rnb_emu::to_bits(var), srcLane, width, f, l));
}
template <class T>
inline T __shfl_up_sync(unsigned mask, T var, unsigned delta, int width = 32,
                        const char* f = __builtin_FILE(), int l = __builtin_LINE()) {
  return ::rnb_emu::from_bits<T>(::rnb_emu::warp_op(::rnb_emu::kShflUp, mask,
                                                    ::rnb_emu::to_bits(var), delta, width, f, l));
}
template <class T>
inline T __shfl_down_sync(unsigned mask, T var, unsigned delta, int width = 32,
                          const char* f = __builtin_FILE(), int l = __builtin_LINE()) {
  return ::rnb_emu::from_bits<T>(::rnb_emu::warp_op(::rnb_emu::kShflDown, mask,
                                                    ::rnb_emu::to_bits(var), delta, width, f, l));
}
template <class T>
inline T __shfl_xor_sync(unsigned mask, T var, int laneMask, int width = 32,
                         const char* f = __builtin_FILE(), int l = __builtin_LINE()) {
  return ::rnb_emu::from_bits<T>(::rnb_emu::warp_op(::rnb_emu::kShflXor, mask,
                                                    ::rnb_emu::to_bits(var), laneMask, width, f, l));
}
inline unsigned __ballot_sync(unsigned mask, int pred, const char* f = __builtin_FILE(),
                              int l = __builtin_LINE()) {
  return (unsigned)::rnb_emu::warp_op(::rnb_emu::kBallot, mask, pred != 0, 0, 32, f, l);
}
inline int __any_sync(unsigned mask, int pred, const char* f = __builtin_FILE(),
                      int l = __builtin_LINE()) {
  return (int)::rnb_emu::warp_op(::rnb_emu::kAny, mask, pred != 0, 0, 32, f, l);
}
inline int __all_sync(unsigned mask, int pred, const char* f = __builtin_FILE(),
                      int l = __builtin_LINE()) {
  return (int)::rnb_emu::warp_op(::rnb_emu::kAll, mask, pred != 0, 0, 32, f, l);
}

// ---------------------------------------------------------------- atomics
// Relaxed, like CUDA's atomics; ordering comes from __threadfence/__syncthreads.
#define RNB_EMU_ATOMIC_INT_OPS(T)                                                              \
  inline T atomicAdd(T* a, T v) { return __atomic_fetch_add(a, v, __ATOMIC_RELAXED); }        \
  inline T atomicSub(T* a, T v) { return __atomic_fetch_sub(a, v, __ATOMIC_RELAXED); }        \
  inline T atomicExch(T* a, T v) { return __atomic_exchange_n(a, v, __ATOMIC_RELAXED); }      \
  inline T atomicAnd(T* a, T v) { return __atomic_fetch_and(a, v, __ATOMIC_RELAXED); }        \
  inline T atomicOr(T* a, T v) { return __atomic_fetch_or(a, v, __ATOMIC_RELAXED); }          \
  inline T atomicXor(T* a, T v) { return __atomic_fetch_xor(a, v, __ATOMIC_RELAXED); }        \
  inline T atomicCAS(T* a, T expected, T desired) {                                            \
    __atomic_compare_exchange_n(a, &expected, desired, false, __ATOMIC_RELAXED,                \
                                __ATOMIC_RELAXED);                                             \
    return expected; /* on failure gcc stores the current value here */                        \
  }                                                                                            \
  inline T atomicMax(T* a, T v) {                                                              \
    T old = __atomic_load_n(a, __ATOMIC_RELAXED);                                              \
    while (old < v &&                                                                          \
           !__atomic_compare_exchange_n(a, &old, v, true, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) \
      ;                                                                                        \
    return old;                                                                                \
  }                                                                                            \
  inline T atomicMin(T* a, T v) {                                                              \
    T old = __atomic_load_n(a, __ATOMIC_RELAXED);                                              \
    while (old > v &&                                                                          \
           !__atomic_compare_exchange_n(a, &old, v, true, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) \
      ;                                                                                        \
    return old;                                                                                \
  }
RNB_EMU_ATOMIC_INT_OPS(int)
RNB_EMU_ATOMIC_INT_OPS(unsigned)
RNB_EMU_ATOMIC_INT_OPS(unsigned long long)
RNB_EMU_ATOMIC_INT_OPS(long long)
#undef RNB_EMU_ATOMIC_INT_OPS

// Floating-point add as a CAS loop on the value's bit pattern (the generic
// __atomic_compare_exchange compares bytes, so NaN and -0.0 behave like CUDA).
template <class F>
inline F rnb_emu_atomic_fadd(F* a, F v) {
  F old;
  __atomic_load(a, &old, __ATOMIC_RELAXED);
  for (;;) {
    F desired = old + v;
    if (__atomic_compare_exchange(a, &old, &desired, true, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
      return old;
  }
}
inline float atomicAdd(float* a, float v) { return rnb_emu_atomic_fadd(a, v); }
inline double atomicAdd(double* a, double v) { return rnb_emu_atomic_fadd(a, v); }
inline float atomicExch(float* a, float v) {
  float old;
  __atomic_exchange(a, &v, &old, __ATOMIC_RELAXED);
  return old;
}
inline unsigned atomicInc(unsigned* a, unsigned limit) {
  unsigned old = __atomic_load_n(a, __ATOMIC_RELAXED);
  while (!__atomic_compare_exchange_n(a, &old, old >= limit ? 0u : old + 1u, true,
                                      __ATOMIC_RELAXED, __ATOMIC_RELAXED))
    ;
  return old;
}
inline unsigned atomicDec(unsigned* a, unsigned limit) {
  unsigned old = __atomic_load_n(a, __ATOMIC_RELAXED);
  while (!__atomic_compare_exchange_n(a, &old, (old == 0u || old > limit) ? limit : old - 1u,
                                      true, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
    ;
  return old;
}

// ---------------------------------------------------------------- loads, math, bits
template <class T>
inline T __ldg(const T* p) { return *p; }

inline float __expf(float x) { return expf(x); }
inline float __logf(float x) { return logf(x); }
inline float __log2f(float x) { return log2f(x); }
inline float __sinf(float x) { return sinf(x); }
inline float __cosf(float x) { return cosf(x); }
inline float __tanf(float x) { return tanf(x); }
inline float __powf(float x, float y) { return powf(x, y); }
inline float __exp10f(float x) { return powf(10.0f, x); }
inline float __fdividef(float a, float b) { return a / b; }
inline float __frcp_rn(float x) { return 1.0f / x; }
inline float __fsqrt_rn(float x) { return sqrtf(x); }
inline float rsqrtf(float x) { return 1.0f / sqrtf(x); }
inline double rsqrt(double x) { return 1.0 / sqrt(x); }
inline float __frsqrt_rn(float x) { return 1.0f / sqrtf(x); }
inline float __saturatef(float x) { return x < 0.0f ? 0.0f : (x > 1.0f ? 1.0f : x); }
inline float __fadd_rn(float a, float b) { return a + b; }
inline float __fmul_rn(float a, float b) { return a * b; }
inline float __fmaf_rn(float a, float b, float c) { return fmaf(a, b, c); }
inline float __int_as_float(int i) { return rnb_emu::from_bits<float>((uint32_t)i); }
inline int __float_as_int(float f) { return (int)(uint32_t)rnb_emu::to_bits(f); }
inline float __uint_as_float(unsigned i) { return rnb_emu::from_bits<float>(i); }
inline unsigned __float_as_uint(float f) { return (unsigned)rnb_emu::to_bits(f); }
inline int __popc(unsigned x) { return __builtin_popcount(x); }
inline int __popcll(unsigned long long x) { return __builtin_popcountll(x); }
inline int __clz(int x) { return x == 0 ? 32 : __builtin_clz((unsigned)x); }
inline int __ffs(int x) { return __builtin_ffs(x); }
inline unsigned __brev(unsigned x) {
  unsigned r = 0;
  for (int i = 0; i < 32; ++i) r |= ((x >> i) & 1u) << (31 - i);
  return r;
}
// CUDA's unqualified min/max overloads.
inline int min(int a, int b) { return a < b ? a : b; }
inline int max(int a, int b) { return a > b ? a : b; }
inline unsigned min(unsigned a, unsigned b) { return a < b ? a : b; }
inline unsigned max(unsigned a, unsigned b) { return a > b ? a : b; }
inline long long min(long long a, long long b) { return a < b ? a : b; }
inline long long max(long long a, long long b) { return a > b ? a : b; }
inline float min(float a, float b) { return fminf(a, b); }
inline float max(float a, float b) { return fmaxf(a, b); }
inline double min(double a, double b) { return fmin(a, b); }
inline double max(double a, double b) { return fmax(a, b); }

#endif  // RNB_CUDA_EMULATION_H
