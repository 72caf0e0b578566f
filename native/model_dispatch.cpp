// The C API of rnb_model.h over the per-instruction-set builds of the model's
// element kernels (model_isa.h): one level is chosen when the library loads,
// the best this CPU runs, and can be changed (tests force each, the Java side
// applies rnb.cpu.isa / RNB_CPU_ISA).
#include "rnb_model.h"
#include "model_isa.h"

#include <chrono>
#include <string.h>

namespace {

enum Isa { BASELINE = 0, AVX2 = 1, AVX512 = 2 };
const char* const ISA_NAMES[] = {"baseline", "avx2", "avx512"};

bool supported(int isa) {
#if defined(__x86_64__)
    if (isa == AVX2) return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    if (isa == AVX512) {
        return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
               __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") &&
               __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    }
#endif
    return isa == BASELINE;
}

int best() {
    for (int isa = AVX512; isa > BASELINE; isa--) {
        if (supported(isa)) return isa;
    }
    return BASELINE;
}

int level = best();
rnb_sgemm_fn sgemm = nullptr;

// Attention's GEMMs happen inside its kernels; StepProfile counts their time
// as GEMM time through this wrapper, handed to the kernels only while on.
bool timeAttentionGemms = false;
int64_t attentionGemmNanos = 0;

void timed_sgemm(int order, int transA, int transB, int M, int N, int K, float alpha, const float* A, int lda,
                 const float* B, int ldb, float beta, float* C, int ldc) {
    const auto t0 = std::chrono::steady_clock::now();
    sgemm(order, transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
    attentionGemmNanos += std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0).count();
}

rnb_sgemm_fn attention_sgemm() { return timeAttentionGemms ? timed_sgemm : sgemm; }

}  // namespace

#if defined(__x86_64__)
#define RNB_DISPATCH(call)                              \
    switch (level) {                                    \
        case AVX512: return rnb_isa_avx512::call;       \
        case AVX2: return rnb_isa_avx2::call;           \
        default: return rnb_isa_baseline::call;         \
    }
#else
#define RNB_DISPATCH(call) return rnb_isa_baseline::call;
#endif

extern "C" {

int rnb_model_select_isa(const char* name) {
    for (int isa = BASELINE; isa <= AVX512; isa++) {
        if (strcmp(name, ISA_NAMES[isa]) == 0) {
            if (!supported(isa)) return -2;
            level = isa;
            return 0;
        }
    }
    return -1;
}

int rnb_model_isa_supported(const char* name) {
    for (int isa = BASELINE; isa <= AVX512; isa++) {
        if (strcmp(name, ISA_NAMES[isa]) == 0) return supported(isa) ? 1 : 0;
    }
    return 0;
}

const char* rnb_model_isa(void) { return ISA_NAMES[level]; }

void rnb_model_set_sgemm(void* fn) { sgemm = reinterpret_cast<rnb_sgemm_fn>(fn); }

void rnb_model_time_attention_gemms(int on) {
    timeAttentionGemms = on != 0;
    attentionGemmNanos = 0;
}

int64_t rnb_model_attention_gemm_nanos(void) { return attentionGemmNanos; }

void rnb_model_encoder_forward(float* out, const float* tokens, const float* wte, const float* wpe, int B, int T, int C) {
    RNB_DISPATCH(encoder_forward(out, tokens, wte, wpe, B, T, C))
}

void rnb_model_encoder_backward(float* dwte, float* dwpe, const float* dout, const float* tokens, int B, int T, int C) {
    RNB_DISPATCH(encoder_backward(dwte, dwpe, dout, tokens, B, T, C))
}

void rnb_model_layernorm_forward(float* out, float* mean, float* rstd, const float* inp, const float* weight,
                                 const float* bias, int N, int C) {
    RNB_DISPATCH(layernorm_forward(out, mean, rstd, inp, weight, bias, N, C))
}

void rnb_model_residual_layernorm_forward(float* residual, float* out, float* mean, float* rstd, const float* inp,
                                          const float* delta, const float* weight, const float* bias, int N, int C) {
    RNB_DISPATCH(residual_layernorm_forward(residual, out, mean, rstd, inp, delta, weight, bias, N, C))
}

void rnb_model_layernorm_backward(float* dinp, float* dweight, float* dbias, const float* dout, const float* inp,
                                  const float* weight, const float* mean, const float* rstd, int N, int C) {
    RNB_DISPATCH(layernorm_backward(dinp, dweight, dbias, dout, inp, weight, mean, rstd, N, C))
}

void rnb_model_residual_layernorm_backward(float* dinp, float* dweight, float* dbias, float* ddeltaBias,
                                           const float* dout, const float* inp, const float* weight, const float* mean,
                                           const float* rstd, int N, int C) {
    RNB_DISPATCH(residual_layernorm_backward(dinp, dweight, dbias, ddeltaBias, dout, inp, weight, mean, rstd, N, C))
}

void rnb_model_bias_add(float* out, const float* bias, int N, int OC) { RNB_DISPATCH(bias_add(out, bias, N, OC)) }

void rnb_model_bias_backward(float* dbias, const float* dout, int N, int OC) {
    RNB_DISPATCH(bias_backward(dbias, dout, N, OC))
}

void rnb_model_attention_forward(float* out, float* att, const float* qkv, int B, int T, int C, int NH) {
    RNB_DISPATCH(attention_forward(out, att, qkv, B, T, C, NH, attention_sgemm()))
}

void rnb_model_attention_backward(float* dqkv, float* dpreatt, const float* dout, const float* qkv, const float* att,
                                  int B, int T, int C, int NH) {
    RNB_DISPATCH(attention_backward(dqkv, dpreatt, dout, qkv, att, B, T, C, NH, attention_sgemm()))
}

void rnb_model_gelu_forward(float* out, const float* inp, int64_t n) { RNB_DISPATCH(gelu_forward(out, inp, n)) }

void rnb_model_gelu_backward(float* dinp, const float* inp, const float* dout, int64_t n) {
    RNB_DISPATCH(gelu_backward(dinp, inp, dout, n))
}

void rnb_model_add(float* out, const float* a, const float* b, int64_t n) { RNB_DISPATCH(add(out, a, b, n)) }

void rnb_model_cross_entropy(float* losses, float* lossSum, float* dlogits, const float* logits, const float* targets,
                             const float* weights, int N, int V) {
    RNB_DISPATCH(cross_entropy(losses, lossSum, dlogits, logits, targets, weights, N, V))
}

void rnb_model_squared_norm(float* out, const float* x, int64_t n) { RNB_DISPATCH(squared_norm(out, x, n)) }

void rnb_model_adamw(float* params, const float* grads, float* m, float* v, int64_t n, const float* normSq, float maxNorm,
                     float lr, float beta1, float beta2, float eps, float weightDecay, int t) {
    RNB_DISPATCH(adamw(params, grads, m, v, n, normSq, maxNorm, lr, beta1, beta2, eps, weightDecay, t))
}

int rnb_model_domain_grad_with_head(const float* h, const float* e, int hDim, int vDim, const int* rowOrder,
                                    const int* segmentStart, const int* segmentSlot, int segments, float* g,
                                    float* head, float* scratch) {
#if defined(__x86_64__)
    if (level == AVX512) {
        rnb_isa_avx512::domain_grad_with_head(h, e, hDim, vDim, rowOrder, segmentStart, segmentSlot, segments, g, head,
                                              scratch);
        return 1;
    }
#endif
    return 0;
}

int rnb_model_has_domain_grad_with_head(void) {
#if defined(__x86_64__)
    return level == AVX512 ? 1 : 0;
#else
    return 0;
#endif
}

int rnb_model_domain_grad_with_head_scratch(int vDim, int hDim) {
#if defined(__x86_64__)
    if (level == AVX512) return rnb_isa_avx512::domain_grad_with_head_scratch(vDim, hDim);
#endif
    return 0;
}

void rnb_model_domain_grad_small(const float* h, const float* e, int hDim, int vDim, const int* runFirst,
                                 const int* runRows, const int* segmentRun, const int* segmentSlot, int segments,
                                 int rows, float* g) {
    RNB_DISPATCH(domain_grad_small(h, e, hDim, vDim, runFirst, runRows, segmentRun, segmentSlot, segments, rows, g))
}

void rnb_model_domain_sketch_small(const float* h, const float* e, int hDim, int vDim, const int* runFirst,
                                   const int* runRows, const int* segmentRun, const int* segmentSlot, int segments,
                                   int rows, int r, const uint32_t* codes, int firstFresh, int slotRows, float* sketch) {
    RNB_DISPATCH(domain_sketch_small(h, e, hDim, vDim, runFirst, runRows, segmentRun, segmentSlot, segments, rows, r,
                                     codes, firstFresh, slotRows, sketch))
}

void rnb_model_gram_times_p(const float* X, const float* scale, const float* p, int k, int64_t d, float* gp) {
    RNB_DISPATCH(gram_times_p(X, scale, p, k, d, gp))
}

void rnb_model_gram_times_p_then_zero(float* X, const float* scale, const float* p, int k, int64_t d, float* gp) {
    RNB_DISPATCH(gram_times_p_then_zero(X, scale, p, k, d, gp))
}

void rnb_model_gram_times_p_then_zero_blocks(float* X, const float* scale, const float* p, int k, int64_t d,
                                             const int* blocks, int nBlocks, float* gp) {
    RNB_DISPATCH(gram_times_p_then_zero_blocks(X, scale, p, k, d, blocks, nBlocks, gp))
}

int rnb_model_balance_update(const float* gp, const float* scale, const float* current, float lambda, int k,
                             float* next) {
    RNB_DISPATCH(balance_update(gp, scale, current, lambda, k, next))
}

int rnb_model_balance_round(const float* X, const float* scale, const float* p, const float* current, float lambda,
                            int k, int64_t d, float* next) {
    RNB_DISPATCH(balance_round(X, scale, p, current, lambda, k, d, next))
}

}  // extern "C"
