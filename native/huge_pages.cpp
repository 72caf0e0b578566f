// Memory on 2 MiB pages where the kernel gives them (issue #17): R&B's
// sketch slot buffer holds one 4 KiB page per touched domain at r = 1024
// floats, and each step scatters into 16 rows that the work between steps
// has evicted from the TLB, so every row first costs a page walk (two
// levels of them on a VM). On one 2 MiB page the round's 320 rows share a
// TLB entry (docs/scaling/round-cost-journal.md, "The slot buffer on a huge
// page, and the next batch's rows asked for at the end of each step": with
// the kernel asking for the next batch's rows early, 12 to 20 us off a cold
// round's accumulations at 10^6; either alone, nothing measurable). The
// pages are a hint: where the kernel declines them (its
// transparent_hugepage setting "never", another OS) the memory is ordinary.
#include "rnb_cpu.h"
#include <cstdint>
#include <sys/mman.h>

namespace {
constexpr uint64_t HUGE_PAGE = uint64_t(1) << 21;

uint64_t mapped_bytes(int64_t bytes) { return (uint64_t(bytes) + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1); }
}  // namespace

float* rnb_cpu_map_huge(int64_t bytes) {
    if (bytes <= 0) return nullptr;
    const uint64_t size = mapped_bytes(bytes);
    // Map a huge page more than asked and unmap the unaligned ends: mmap
    // aligns to 4 KiB only, and a huge page needs an aligned 2 MiB extent.
    void* raw = mmap(nullptr, size + HUGE_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED) return nullptr;
    const uintptr_t start = (uintptr_t(raw) + HUGE_PAGE - 1) & ~uintptr_t(HUGE_PAGE - 1);
    const uintptr_t end = start + size, rawEnd = uintptr_t(raw) + size + HUGE_PAGE;
    if (start > uintptr_t(raw)) munmap(raw, start - uintptr_t(raw));
    if (rawEnd > end) munmap((void*)end, rawEnd - end);
#ifdef MADV_HUGEPAGE
    madvise((void*)start, size, MADV_HUGEPAGE);  // a hint: its failure leaves 4 KiB pages
#endif
    return (float*)start;  // zero-filled, as every anonymous mapping
}

void rnb_cpu_unmap_huge(float* p, int64_t bytes) {
    if (p != nullptr) munmap(p, mapped_bytes(bytes));
}
