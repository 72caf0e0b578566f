// C API of the byte-level GPT's CPU kernels (native/model_*.cpp); bound to Java
// by JavaCPP in dev.rnb.backend.cpu.ModelKernels. Contracts are those of
// dev.rnb.backend.ModelOps (shapes as llm.c: N = B*T rows, weights OC x IC,
// qkv rows [q | k | v]); token ids, targets and loss weights are floats.
// Every kernel is deterministic: reductions have a fixed order that does not
// depend on the number of OpenMP threads.
#pragma once
#include <stdint.h>
#include "parallel.h"

#ifdef __cplusplus
extern "C" {
#endif

void rnb_model_encoder_forward(float* out, const float* tokens, const float* wte, const float* wpe, int B, int T, int C);
void rnb_model_encoder_backward(float* dwte, float* dwpe, const float* dout, const float* tokens, int B, int T, int C);

void rnb_model_layernorm_forward(float* out, float* mean, float* rstd, const float* inp, const float* weight,
                                 const float* bias, int N, int C);
void rnb_model_layernorm_backward(float* dinp, float* dweight, float* dbias, const float* dout, const float* inp,
                                  const float* weight, const float* mean, const float* rstd, int N, int C);

void rnb_model_bias_add(float* out, const float* bias, int N, int OC);
void rnb_model_bias_backward(float* dbias, const float* dout, int N, int OC);

// att holds BH blocks of T x T scaled scores; row t becomes the softmax of its
// first t+1 entries, the rest 0 (causal). In place.
void rnb_model_causal_softmax(float* att, int BH, int T);
// dpreatt holds d loss / d probabilities on entry; on return the gradient of
// the scaled scores: P * (dP - <P, dP>) on and below the diagonal, 0 above.
void rnb_model_causal_softmax_backward(float* dpreatt, const float* att, int BH, int T);

void rnb_model_gelu_forward(float* out, const float* inp, int64_t n);
void rnb_model_gelu_backward(float* dinp, const float* inp, const float* dout, int64_t n);
void rnb_model_add(float* out, const float* a, const float* b, int64_t n);

// dlogits may be null (forward only).
void rnb_model_cross_entropy(float* losses, float* lossSum, float* dlogits, const float* logits, const float* targets,
                             const float* weights, int N, int V);

void rnb_model_squared_norm(float* out, const float* x, int64_t n);
void rnb_model_adamw(float* params, const float* grads, float* m, float* v, int64_t n, const float* normSq, float maxNorm,
                     float lr, float beta1, float beta2, float eps, float weightDecay, int t);

#ifdef __cplusplus
}
#endif
