package dev.rnb.backend.cpu;

import dev.rnb.backend.Backend;
import dev.rnb.backend.Tensor;
import dev.rnb.testing.Rng;
import dev.rnb.testing.TestBackends;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The cpu backend's huge-paged tensors start on a 2 MiB boundary (where a
 * transparent huge page can back them) once they fill a page, and on a
 * 64-byte one (a cache line, as every cpu tensor) below that; closing
 * unmaps them (the process's address space shrinks back).
 */
class HugePagedTensorTest {

    @Test
    void alignedToTheirPages() {
        Rng rng = new Rng();
        try (Backend b = TestBackends.openOrSkip("cpu")) {
            long page = NativeTensor.HUGE_PAGE_BYTES / Float.BYTES;
            for (long size : new long[] {1 + rng.nextInt(100), page - 1 - rng.nextInt(100), page, page + 1 + rng.nextInt((int) page), 5 * page}) {
                try (Tensor t = b.allocateHugePaged(size)) {
                    long address = NativeTensor.at(t).address();
                    long alignment = size >= page ? NativeTensor.HUGE_PAGE_BYTES : 64;
                    assertEquals(0, address % alignment, rng + ": " + size + " floats at " + Long.toHexString(address));
                }
            }
        }
    }

    @Test
    void closedMappingsAreFreed() throws java.io.IOException {
        java.nio.file.Path status = java.nio.file.Path.of("/proc/self/status");
        Assumptions.assumeTrue(java.nio.file.Files.isReadable(status), "no /proc/self/status to read the address space from");
        try (Backend b = TestBackends.openOrSkip("cpu")) {
            long before = virtualKiB(status);
            Tensor[] held = new Tensor[4];
            for (int i = 0; i < held.length; i++) held[i] = b.allocateHugePaged(64L << 20); // 256 MiB each
            long mapped = virtualKiB(status);
            for (Tensor t : held) t.close();
            long after = virtualKiB(status);
            assertTrue(mapped - before >= 1L << 20, "4 x 256 MiB mapped: " + before + " -> " + mapped + " KiB");
            assertTrue(mapped - after >= 1L << 20, "and unmapped at close: " + mapped + " -> " + after + " KiB");
        }
    }

    /** VmSize: the process's mapped address space, KiB. */
    private static long virtualKiB(java.nio.file.Path status) throws java.io.IOException {
        for (String line : java.nio.file.Files.readAllLines(status)) {
            if (line.startsWith("VmSize:")) return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
        throw new IllegalStateException("no VmSize in " + status);
    }
}
