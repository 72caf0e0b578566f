// The byte-level GPT's element kernels, compiled once per instruction set
// (CMakeLists.txt builds model_layers.cpp, model_attention.cpp and
// model_loss.cpp into the namespaces below, each with its own -m flags);
// model_dispatch.cpp picks one at load time and exposes the C API of
// rnb_model.h. Contracts and shapes are those of rnb_model.h. The kernel
// files must define nothing with external linkage outside their namespace
// (no std:: containers, no non-static helpers): the linker keeps one copy of
// an inline function, which could be the AVX-512 one.
#pragma once
#include <stdint.h>
#include "parallel.h"

// cblas_sgemm (row-major only), resolved from the loaded OpenBLAS by the Java side.
typedef void (*rnb_sgemm_fn)(int order, int transA, int transB, int M, int N, int K, float alpha, const float* A,
                             int lda, const float* B, int ldb, float beta, float* C, int ldc);

#define RNB_DECLARE_MODEL_KERNELS(ns)                                                                                   \
    namespace ns {                                                                                                      \
    void encoder_forward(float* out, const float* tokens, const float* wte, const float* wpe, int B, int T, int C);     \
    void encoder_backward(float* dwte, float* dwpe, const float* dout, const float* tokens, int B, int T, int C);       \
    void layernorm_forward(float* out, float* mean, float* rstd, const float* inp, const float* weight,                 \
                           const float* bias, int N, int C);                                                            \
    void residual_layernorm_forward(float* residual, float* out, float* mean, float* rstd, const float* inp,          \
                                    const float* delta, const float* weight, const float* bias, int N, int C);          \
    void layernorm_backward(float* dinp, float* dweight, float* dbias, const float* dout, const float* inp,             \
                            const float* weight, const float* mean, const float* rstd, int N, int C);                   \
    void residual_layernorm_backward(float* dinp, float* dweight, float* dbias, float* ddeltaBias, const float* dout,    \
                                     const float* inp, const float* weight, const float* mean, const float* rstd,       \
                                     int N, int C);                                                                     \
    void bias_add(float* out, const float* bias, int N, int OC);                                                        \
    void bias_backward(float* dbias, const float* dout, int N, int OC);                                                 \
    void attention_forward(float* out, float* att, const float* qkv, int B, int T, int C, int NH, rnb_sgemm_fn sgemm);  \
    void attention_backward(float* dqkv, float* dpreatt, const float* dout, const float* qkv, const float* att, int B,  \
                            int T, int C, int NH, rnb_sgemm_fn sgemm);                                                  \
    void gelu_forward(float* out, const float* inp, int64_t n);                                                         \
    void gelu_backward(float* dinp, const float* inp, const float* dout, int64_t n);                                    \
    void add(float* out, const float* a, const float* b, int64_t n);                                                    \
    void cross_entropy(float* losses, float* lossSum, float* dlogits, const float* logits, const float* targets,       \
                       const float* weights, int N, int V);                                                             \
    void squared_norm(float* out, const float* x, int64_t n);                                                           \
    void adamw(float* params, const float* grads, float* m, float* v, int64_t n, const float* normSq, float maxNorm,    \
               float lr, float beta1, float beta2, float eps, float weightDecay, int t);                                 \
    void gram_times_p(const float* X, const float* scale, const float* p, int k, int64_t d, float* gp);                 \
    void gram_times_p_then_zero(float* X, const float* scale, const float* p, int k, int64_t d, float* gp);             \
    void gram_times_p_then_zero_blocks(float* X, const float* scale, const float* p, int k, int64_t d,                  \
                                       const int* blocks, int nBlocks, float* gp);                                      \
    int balance_update(const float* gp, const float* scale, const float* current, float lambda, int k, float* next);    \
    int balance_round(const float* X, const float* scale, const float* p, const float* current, float lambda, int k,    \
                      int64_t d, float* next);                                                                          \
    }

RNB_DECLARE_MODEL_KERNELS(rnb_isa_baseline)
#if defined(__x86_64__)
RNB_DECLARE_MODEL_KERNELS(rnb_isa_avx2)
RNB_DECLARE_MODEL_KERNELS(rnb_isa_avx512)
#endif

// A batch's small per-domain pieces in one call (domain_pieces_small.cpp);
// contracts in rnb_model.h.
#define RNB_DECLARE_SMALL_PIECE_KERNELS(ns)                                                                            \
    namespace ns {                                                                                                      \
    void domain_grad_small(const float* h, const float* e, int hDim, int vDim, const int* runFirst,                    \
                           const int* runRows, const int* segmentRun, const int* segmentSlot, int segments, int rows,  \
                           float* g);                                                                                   \
    void domain_sketch_small(const float* h, const float* e, int hDim, int vDim, const int* runFirst,                  \
                             const int* runRows, const int* segmentRun, const int* segmentSlot, int segments,           \
                             int rows, int r, const uint32_t* codes, int firstFresh, int slotRows, float* sketch);      \
    }

RNB_DECLARE_SMALL_PIECE_KERNELS(rnb_isa_baseline)
#if defined(__x86_64__)
RNB_DECLARE_SMALL_PIECE_KERNELS(rnb_isa_avx2)
RNB_DECLARE_SMALL_PIECE_KERNELS(rnb_isa_avx512)

// R&B's fused head split (domain_grad_head.cpp, AVX-512 only); contract in rnb_model.h.
namespace rnb_isa_avx512 {
void domain_grad_with_head(const float* h, const float* e, int hDim, int vDim, const int* rowOrder,
                           const int* segmentStart, const int* segmentSlot, int segments, float* g, float* head,
                           float* scratch);
int domain_grad_with_head_scratch(int vDim, int hDim);
}
#endif
