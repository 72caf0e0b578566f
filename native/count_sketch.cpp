// CountSketch of dense per-domain gradients; same hash and contract as
// cuda/count_sketch.cu (see there). Slots are independent (each adds into its
// own domain's sketch row, domains distinct), so threads split the slots.
#include "rnb_cpu.h"
#include "parallel.h"
#include "sketch_hash.h"

void rnb_cpu_count_sketch_add(const float* dense, const int* slotDomain, int slots, int d, int r, uint32_t seed, float* sketch) {
#pragma omp parallel for schedule(static) if (int64_t(slots) * d >= rnb_parallel_min_work)
    for (int s = 0; s < slots; ++s) {
        const float* x = dense + int64_t(s) * d;
        float* row = sketch + int64_t(slotDomain[s]) * r;
        for (int i = 0; i < d; ++i) {
            const float value = x[i];
            if (value == 0.0f) continue;
            const uint32_t h = rnb_sketch_hash(uint32_t(i), seed);
            row[(h & 0x7FFFFFFFu) % uint32_t(r)] += (h >> 31) ? -value : value;
        }
    }
}

void rnb_cpu_sketch_codes(int d, int r, uint32_t seed, uint32_t* codes) {
    for (int i = 0; i < d; ++i) {
        const uint32_t h = rnb_sketch_hash(uint32_t(i), seed);
        codes[i] = (h & 0x80000000u) | ((h & 0x7FFFFFFFu) % uint32_t(r));
    }
}
