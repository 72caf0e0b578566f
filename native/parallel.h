// When a loop of the CPU kernels runs in parallel (OpenMP).
#pragma once
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

// Loops over fewer floats of work than this (default 2^22) run on the calling
// thread. A parallel region costs microseconds to start and, when a core is
// busy (OpenBLAS's own workers spin for a while after each GEMM), its end
// waits milliseconds for a descheduled thread: on 2 cores the default model's
// step took 12x longer with its loops parallel than with them serial, and the
// R&B accumulation 30x longer than its GEMMs (docs/BENCHMARKS.md). Tests set 0 to run every parallel path.
// Bound to Java through ModelKernels.
extern int64_t rnb_parallel_min_work;
void rnb_model_set_parallel_min_work(int64_t work);
int64_t rnb_model_parallel_min_work(void);

#ifdef __cplusplus
}
#endif
