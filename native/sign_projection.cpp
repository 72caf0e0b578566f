// A random sign projection for the factored sketch; same hash and contract as
// cuda/sign_projection.cu (see there).
#include "rnb_cpu.h"
#include "parallel.h"
#include "sketch_hash.h"

void rnb_cpu_sign_projection(float* out, int n, uint32_t seed, float scale) {
#pragma omp parallel for schedule(static) if (n >= rnb_parallel_min_work)
    for (int i = 0; i < n; ++i) {
        out[i] = (rnb_sketch_hash(uint32_t(i), seed) >> 31) ? -scale : scale;
    }
}
