// A loop split over OpenMP's threads only when it runs in parallel (the
// kernels' loops, parallel.h's threshold deciding). C++ only.
#pragma once
#include <stdint.h>

// body(i) for i in [0, n): split over OpenMP's threads (schedule static) when
// parallel, else a plain loop on the calling thread. An `if (false)` clause
// is not that: GCC's runtime still builds a team of one and tears it down
// (GOMP_parallel), code and data a round's end finds cold when the model's
// step ran in between: 6 to 17 us of the cold end of the round at 10^6
// domains (docs/scaling/round-cost-journal.md, "Serial loops without the
// OpenMP runtime; prefetches into L2; a second host").
template <class Body>
static inline void rnb_for(bool parallel, int64_t n, Body body) {
    if (!parallel) {
        for (int64_t i = 0; i < n; ++i) body(i);
        return;
    }
#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < n; ++i) body(i);
}
