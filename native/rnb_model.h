// C API of the byte-level GPT's CPU kernels (native/model_*.cpp, dispatched by
// native/model_dispatch.cpp); bound to Java
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

// The instruction set the kernels below run with: "baseline" (x86-64: SSE2),
// "avx2" (AVX2 + FMA) or "avx512" (F, DQ, BW, VL); the best this CPU supports
// unless selected. select returns 0, -1 for an unknown name, -2 for one this
// CPU lacks; isa_supported returns 1 or 0.
int rnb_model_select_isa(const char* name);
int rnb_model_isa_supported(const char* name);
const char* rnb_model_isa(void);

void rnb_model_encoder_forward(float* out, const float* tokens, const float* wte, const float* wpe, int B, int T, int C);
void rnb_model_encoder_backward(float* dwte, float* dwpe, const float* dout, const float* tokens, int B, int T, int C);

void rnb_model_layernorm_forward(float* out, float* mean, float* rstd, const float* inp, const float* weight,
                                 const float* bias, int N, int C);
// residual = inp + delta, then LayerNorm of residual into out, mean, rstd, in
// one pass over the rows (ModelOps.residualLayerNormForward); residual may
// alias inp or delta.
void rnb_model_residual_layernorm_forward(float* residual, float* out, float* mean, float* rstd, const float* inp,
                                          const float* delta, const float* weight, const float* bias, int N, int C);
void rnb_model_layernorm_backward(float* dinp, float* dweight, float* dbias, const float* dout, const float* inp,
                                  const float* weight, const float* mean, const float* rstd, int N, int C);
// layernorm_backward, then ddeltaBias += column sums of the updated dinp, in
// one pass over the rows (ModelOps.residualLayerNormBackward).
void rnb_model_residual_layernorm_backward(float* dinp, float* dweight, float* dbias, float* ddeltaBias,
                                           const float* dout, const float* inp, const float* weight, const float* mean,
                                           const float* rstd, int N, int C);

void rnb_model_bias_add(float* out, const float* bias, int N, int OC);
void rnb_model_bias_backward(float* dbias, const float* dout, int N, int OC);

// Causal multi-head attention (contract: dev.rnb.backend.ModelOps), qkv (B,T,3C)
// with rows [q | k | v], out (B,T,C), att and dpreatt (B,NH,T,T). Blocked by
// query tiles, each tile's scores, softmax and output computed together and
// the key tiles above the diagonal skipped (model_attention.cpp); the GEMMs
// are OpenBLAS's, through the address given to rnb_model_set_sgemm first.
void rnb_model_set_sgemm(void* cblas_sgemm);
// While on, attention's GEMM calls are timed: the nanoseconds since it was
// switched on (for StepProfile, which counts them as GEMM time).
void rnb_model_time_attention_gemms(int on);
int64_t rnb_model_attention_gemm_nanos(void);
void rnb_model_attention_forward(float* out, float* att, const float* qkv, int B, int T, int C, int NH);
void rnb_model_attention_backward(float* dqkv, float* dpreatt, const float* dout, const float* qkv, const float* att,
                                  int B, int T, int C, int NH);

void rnb_model_gelu_forward(float* out, const float* inp, int64_t n);
void rnb_model_gelu_backward(float* dinp, const float* inp, const float* dout, int64_t n);
void rnb_model_add(float* out, const float* a, const float* b, int64_t n);

// dlogits may be null (forward only).
void rnb_model_cross_entropy(float* losses, float* lossSum, float* dlogits, const float* logits, const float* targets,
                             const float* weights, int N, int V);

void rnb_model_squared_norm(float* out, const float* x, int64_t n);
void rnb_model_adamw(float* params, const float* grads, float* m, float* v, int64_t n, const float* normSq, float maxNorm,
                     float lr, float beta1, float beta2, float eps, float weightDecay, int t);

// R&B's fused head split (native/domain_grad_head.cpp): for every segment s,
// with its batch rows rowOrder[segmentStart[s] .. segmentStart[s+1]) and
// X_s = E_s^T H_s (vDim x hDim),
//   g[segmentSlot[s]] += X_s   and   head += X_s,
// without forming X_s: each register tile goes to both outputs.
//   h            rows x hDim         the head's input H (row-major)
//   e            rows x vDim         d loss / d logits E (row-major)
//   rowOrder     segmentStart[segments]  batch rows, grouped by segment
//   segmentStart segments + 1        offsets into rowOrder (non-decreasing)
//   segmentSlot  segments            accumulator of each segment (distinct)
//   g            slots x vDim x hDim the accumulators
//   head         vDim x hDim         the head's weight gradient
//   scratch      rnb_model_domain_grad_with_head_scratch(vDim, hDim) floats
// Returns 1, or 0 without touching anything when the selected instruction set
// has no such kernel (only AVX-512 has: the caller runs its GEMMs instead).
int rnb_model_domain_grad_with_head(const float* h, const float* e, int hDim, int vDim, const int* rowOrder,
                                    const int* segmentStart, const int* segmentSlot, int segments, float* g,
                                    float* head, float* scratch);
// Floats of scratch the selected instruction set's split needs at these widths (0 without one).
int rnb_model_domain_grad_with_head_scratch(int vDim, int hDim);
// 1 when the selected instruction set has the split (rnb_model_domain_grad_with_head runs), else 0.
int rnb_model_has_domain_grad_with_head(void);

// A batch's small per-domain pieces in one call (native/domain_pieces_small.cpp):
// for every segment s, with its batch rows the runs segmentRun[s] .. segmentRun[s+1]-1
// (run j: rows runFirst[j] .. runFirst[j] + runRows[j] - 1; DomainSegments)
// and X_s = E_s^T H_s (vDim x hDim, summed over the rows in batch order, so the
// result does not depend on the number of threads: segments are spread over them),
//   h, e, segmentSlot   as rnb_model_domain_grad_with_head
//   rows                the batch's rows (all in some segment): the work, for the threading threshold
//   grad:   g[segmentSlot[s]] += X_s                       g: slots x vDim x hDim
//   sketch: sketch[segmentSlot[s] * r + bucket(i)] += sign(i) * X_s[i]   (r floats a slot),
//           codes: vDim * hDim from rnb_cpu_sketch_codes(vDim * hDim, r, seed, codes)
//           (contract of rnb_cpu_count_sketch_add and cuda/count_sketch.cu);
//           firstFresh: the rows of slots from this one on are asked for ahead of
//           their writes (prefetched), the others not (a round's rows already
//           written are in the caches; 0: every row; DomainSegments.firstFresh,
//           which DomainGradients sets to the slots used before the batch).
//           slotRows: the rows of sketch (its floats / r). After the batch, as
//           many rows as it had fresh segments, from the one after its highest
//           slot (below slotRows), are asked for with this call's codes: the
//           next batch's new domains take those slots (DomainGradients).
//           No result depends on firstFresh or slotRows.
// Any size runs; the cpu backend sends only pieces below its measured
// crossover with OpenBLAS's GEMMs (CpuBalanceOps).
void rnb_model_domain_grad_small(const float* h, const float* e, int hDim, int vDim, const int* runFirst,
                                 const int* runRows, const int* segmentRun, const int* segmentSlot, int segments,
                                 int rows, float* g);
void rnb_model_domain_sketch_small(const float* h, const float* e, int hDim, int vDim, const int* runFirst,
                                   const int* runRows, const int* segmentRun, const int* segmentSlot, int segments,
                                   int rows, int r, const uint32_t* codes, int firstFresh, int slotRows, float* sketch);

// R&B's G p and update (native/balance_round.cpp), for G = diag(scale) X X^T diag(scale):
//   X        k x d   per-domain gradients (row-major); rows with scale 0 are never read
//   scale    k       1 / rows of each domain, 0 for an absent domain
//   p        k       the evaluation proportions
//   gp       k       out: (G p)_i = scale_i <X_i, sum_j p_j scale_j X_j>
void rnb_model_gram_times_p(const float* X, const float* scale, const float* p, int k, int64_t d, float* gp);
// The same G p (the same bits), and X's k x d floats zeroed on the way: each
// row is overwritten right after pass 2 read it (the end of an R&B round,
// whose accumulators are emptied after G p). Rows with scale 0 are zeroed too.
void rnb_model_gram_times_p_then_zero(float* X, const float* scale, const float* p, int k, int64_t d, float* gp);
// The same, when every row of X is zero outside some 16-float column blocks
// (a cache line each; the caller's promise, e.g. a round's CountSketch rows at
// d = v x h < r, whose coordinates hash into the same lines for every domain):
//   blocks   nBlocks   ascending, distinct block indices below d / 16 (d % 16 == 0)
// Only those blocks are read and zeroed, the rest of X is not touched; G p has
// the same bits as rnb_model_gram_times_p_then_zero's on such X (the columns
// left out add exact zeros), up to the sign of a zero.
void rnb_model_gram_times_p_then_zero_blocks(float* X, const float* scale, const float* p, int k, int64_t d,
                                             const int* blocks, int nBlocks, float* gp);
// The update p' = softmax(lambda G p / ||G p||) with the statuses and degenerate
// cases of cuda/balance_update.cu (cuda/KERNELS.md):
//   gp, scale, current   k   in (current: kept when the round is skipped)
//   next                 k   out (may not alias the inputs)
int rnb_model_balance_update(const float* gp, const float* scale, const float* current, float lambda, int k,
                             float* next);
// Both in one call: G p is written into next, and its norm, maximum and checks
// are taken on the way, so the update adds one exponential and one scaling pass.
//   X k x d, scale / p / current k in, next k out; returns the update's status.
int rnb_model_balance_round(const float* X, const float* scale, const float* p, const float* current, float lambda,
                            int k, int64_t d, float* next);

#ifdef __cplusplus
}
#endif
