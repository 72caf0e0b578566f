// The kernels the CPU CUDA emulator can launch (rnb_emu_launch looks them up by
// name). Every new cuda/*.cu kernel file adds two things here: an #include of
// the .cu file and one RNB_EMU_KERNEL(name) line per extern "C" __global__
// kernel in it. All kernel files become one translation unit, so non-kernel
// helpers in them should be `static` or have file-unique names.
//
// Build (see cuda/emulator/selftest_main.cpp for the full command set):
//   g++ -std=c++17 -O2 -fPIC -pthread -Icuda -Icuda/emulator -c cuda/emulator/registry.cpp
#include "cuda_emulation.h"
#include "registry.h"

#include "../emulator_selftest.cu"

RNB_EMU_REGISTRY_ANCHOR()

RNB_EMU_KERNEL(rnb_selftest_block_reverse);
RNB_EMU_KERNEL(rnb_selftest_reverse_racy);
RNB_EMU_KERNEL(rnb_selftest_block_sum);
RNB_EMU_KERNEL(rnb_selftest_warp_allreduce);
RNB_EMU_KERNEL(rnb_selftest_histogram);
RNB_EMU_KERNEL(rnb_selftest_atomics);
RNB_EMU_KERNEL(rnb_selftest_dynamic_shared_scan);
RNB_EMU_KERNEL(rnb_selftest_barrier_bench);
RNB_EMU_KERNEL(rnb_selftest_misuse);

// Balance kernels (cuda/KERNELS.md); checked by cuda/emulator/balance_kernels_check.cpp.
#include "../domain_grad.cu"
#include "../gram.cu"
#include "../gram_vector.cu"
#include "../balance_update.cu"

RNB_EMU_KERNEL(rnb_domain_grad_accumulate);
RNB_EMU_KERNEL(rnb_domain_grad_head_accumulate);
RNB_EMU_KERNEL(rnb_gram);
RNB_EMU_KERNEL(rnb_scaled_domain_sum);
RNB_EMU_KERNEL(rnb_scaled_domain_dots);
RNB_EMU_KERNEL(rnb_balance_update);

#include "../count_sketch.cu"

RNB_EMU_KERNEL(rnb_count_sketch_add);

// Byte-level GPT kernels (cuda/KERNELS.md); tested by dev.rnb.model.ModelOpsConformanceTest
// (the attention layout kernels by dev.rnb.backend.cuda.AttentionLayoutTest).
#include "../encoder.cu"
#include "../layernorm.cu"
#include "../bias.cu"
#include "../attention.cu"
#include "../attention_layout.cu"
#include "../gelu.cu"
#include "../residual.cu"
#include "../crossentropy.cu"
#include "../global_norm.cu"
#include "../adamw.cu"

RNB_EMU_KERNEL(rnb_encoder_forward);
RNB_EMU_KERNEL(rnb_encoder_backward);
RNB_EMU_KERNEL(rnb_layernorm_forward);
RNB_EMU_KERNEL(rnb_layernorm_backward_input);
RNB_EMU_KERNEL(rnb_layernorm_backward_params);
RNB_EMU_KERNEL(rnb_bias_add);
RNB_EMU_KERNEL(rnb_bias_backward);
RNB_EMU_KERNEL(rnb_attention_forward);
RNB_EMU_KERNEL(rnb_attention_backward_query);
RNB_EMU_KERNEL(rnb_attention_backward_key);
RNB_EMU_KERNEL(rnb_attention_rows_to_heads);
RNB_EMU_KERNEL(rnb_attention_heads_to_rows);
RNB_EMU_KERNEL(rnb_gelu_forward);
RNB_EMU_KERNEL(rnb_gelu_backward);
RNB_EMU_KERNEL(rnb_add);
RNB_EMU_KERNEL(rnb_cross_entropy);
RNB_EMU_KERNEL(rnb_loss_sum);
RNB_EMU_KERNEL(rnb_squared_norm);
RNB_EMU_KERNEL(rnb_adamw);
// Regroup kernels (k-means, silhouette; cuda/KERNELS.md).
#include "../row_norms.cu"
#include "../kmeans_assign.cu"
#include "../kmeans_update.cu"
#include "../silhouette.cu"

RNB_EMU_KERNEL(rnb_row_sq_norms);
RNB_EMU_KERNEL(rnb_normalize_rows);
RNB_EMU_KERNEL(rnb_kmeans_assign);
RNB_EMU_KERNEL(rnb_kmeans_update_sums);
RNB_EMU_KERNEL(rnb_kmeans_update_finish);
RNB_EMU_KERNEL(rnb_silhouette_rows);
