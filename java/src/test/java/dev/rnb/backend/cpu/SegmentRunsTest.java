package dev.rnb.backend.cpu;

import dev.rnb.backend.DomainSegments;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class SegmentRunsTest {

    @Test
    void runsOfConsecutiveRowsPerSegment() {
        // rows 0-39 domain 1, 40-79 domain 0, 80-119 domain 1, 120-159 domain 2
        int[] dom = new int[160];
        for (int r = 0; r < 160; r++) dom[r] = r < 40 ? 1 : r < 80 ? 0 : r < 120 ? 1 : 2;
        SegmentRuns runs = SegmentRuns.of(DomainSegments.of(dom, 160, 3));
        assertArrayEquals(new int[] {40, 0, 80, 120}, runs.start);
        assertArrayEquals(new int[] {40, 40, 40, 40}, runs.length);
        assertArrayEquals(new int[] {0, 1, 3, 4}, runs.firstRun);
    }

    @Test
    void shortRunsAreGatheredInstead() {
        int[] dom = new int[160];
        for (int r = 0; r < 160; r++) dom[r] = (r / 8) % 3; // runs of 8 rows
        assertNull(SegmentRuns.of(DomainSegments.of(dom, 160, 3)));
        assertNull(SegmentRuns.of(DomainSegments.of(new int[0], 0, 3)));
    }
}
