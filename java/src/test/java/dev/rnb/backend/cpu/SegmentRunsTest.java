package dev.rnb.backend.cpu;

import dev.rnb.backend.DomainSegments;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
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

    /** From the segments' runs, the runs that the rows consecutive in the row order give, also for runs given split. */
    @Test
    void theSegmentsRunsGiveTheRowOrdersRuns() {
        SplittableRandom rng = new SplittableRandom(4);
        for (int trial = 0; trial < 300; trial++) {
            int domains = 1 + rng.nextInt(5), rows = 0;
            DomainSegments.Builder builder = new DomainSegments.Builder();
            for (int runs = 1 + rng.nextInt(12), i = 0; i < runs; i++) { // the same domain twice in a row: a run given split
                builder.run(rows, rng.nextInt(domains));
                rows += 1 + rng.nextInt(rng.nextBoolean() ? 4 : 90);
            }
            DomainSegments segments = builder.build(rows, domains);
            SegmentRuns runs = SegmentRuns.of(segments);
            int[] order = segments.rowOrder(), segStart = segments.segmentStarts();
            int expected = 0;
            for (int s = 0; s < segments.segmentCount(); s++) {
                for (int t = segStart[s]; t < segStart[s + 1]; t++) {
                    if (t == segStart[s] || order[t] != order[t - 1] + 1) expected++;
                }
            }
            if ((long) expected * SegmentRuns.MIN_MEAN_RUN > rows) {
                assertNull(runs, "trial " + trial);
                continue;
            }
            assertEquals(expected, runs.start.length, "trial " + trial);
            for (int s = 0; s < segments.segmentCount(); s++) {
                int t = segStart[s];
                for (int r = runs.firstRun[s]; r < runs.firstRun[s + 1]; r++) {
                    assertEquals(order[t], runs.start[r], "trial " + trial);
                    for (int q = 0; q < runs.length[r]; q++) assertEquals(runs.start[r] + q, order[t + q], "trial " + trial);
                    t += runs.length[r];
                }
                assertEquals(segStart[s + 1], t, "trial " + trial);
            }
        }
    }
}
