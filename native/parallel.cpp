// The work threshold below which the model kernels stay on the calling thread
// (see parallel.h).
#include "parallel.h"

int64_t rnb_parallel_min_work = int64_t(1) << 22;

void rnb_model_set_parallel_min_work(int64_t work) { rnb_parallel_min_work = work; }

int64_t rnb_model_parallel_min_work(void) { return rnb_parallel_min_work; }
