package dev.rnb.backend;

import dev.rnb.testing.Rng;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DomainSegmentsTest {

    @Test
    void groupsRowsByDomainStablyAndSkipsAbsentDomains() {
        DomainSegments s = DomainSegments.of(new int[] {2, 0, 2, 2, 0}, 5, 4);
        assertArrayEquals(new int[] {1, 4, 0, 2, 3}, s.rowOrder());
        assertArrayEquals(new int[] {0, 2}, s.segmentDomains());
        assertArrayEquals(new int[] {0, 2, 5}, s.segmentStarts());
        assertArrayEquals(new long[] {2, 0, 3, 0}, s.counts());
    }

    @Test
    void emptyBatchHasNoSegments() {
        DomainSegments s = DomainSegments.of(new int[0], 0, 3);
        assertEquals(0, s.segmentCount());
        assertArrayEquals(new int[] {0}, s.segmentStarts());
    }

    @Test
    void rowsMayBeAPrefixOfTheIds() {
        DomainSegments s = DomainSegments.of(new int[] {1, 1, 9}, 2, 2);
        assertArrayEquals(new long[] {0, 2}, s.counts());
    }

    @Test
    void outOfRangeDomainNamesTheRow() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DomainSegments.of(new int[] {0, 5}, 2, 3));
        assertTrue(e.getMessage().contains("row 1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> DomainSegments.of(new int[] {-1}, 1, 3));
        assertThrows(IllegalArgumentException.class, () -> DomainSegments.of(new int[] {0}, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> DomainSegments.of(new int[] {0}, 2, 1));
    }

    /** The grouping against a plain stable sort, on random batches (runs and interleaved rows), one builder reused. */
    @Test
    void builderGroupsLikeAStableSortAcrossReusedBatches() {
        Rng rng = new Rng();
        DomainSegments.Builder builder = new DomainSegments.Builder();
        for (int trial = 0; trial < 200; trial++) {
            int rows = rng.nextInt(300), domains = 1 + rng.nextInt(trial % 2 == 0 ? 5 : 2000);
            int[] dom = new int[rows];
            for (int r = 0; r < rows; r++) {
                dom[r] = r > 0 && rng.nextInt(4) > 0 ? dom[r - 1] : rng.nextInt(domains);
            }
            for (int r = 0; r < rows; r++) {
                if (r == 0 || dom[r] != dom[r - 1]) builder.run(r, dom[r]);
            }
            DomainSegments built = builder.build(rows, domains), of = DomainSegments.of(dom, rows, domains);
            List<Integer> order = new ArrayList<>(), starts = new ArrayList<>(), present = new ArrayList<>();
            long[] counts = new long[domains];
            for (int d = 0; d < domains; d++) {
                int before = order.size();
                for (int r = 0; r < rows; r++) if (dom[r] == d) order.add(r);
                if (order.size() > before) {
                    starts.add(before);
                    present.add(d);
                    counts[d] = order.size() - before;
                }
            }
            starts.add(rows);
            for (DomainSegments s : new DomainSegments[] {built, of}) {
                String what = "trial " + trial + " " + rng;
                assertArrayEquals(order.stream().mapToInt(Integer::intValue).toArray(), s.rowOrder(), what);
                assertArrayEquals(starts.stream().mapToInt(Integer::intValue).toArray(), s.segmentStarts(), what);
                assertArrayEquals(present.stream().mapToInt(Integer::intValue).toArray(), s.segmentDomains(), what);
                assertArrayEquals(counts, s.counts(), what);
                assertEquals(domains, s.domains(), what);
                runsSpellTheRowOrder(s, what);
            }
        }
    }

    /**
     * Batches of as many runs and segments one after the other (a trainer's
     * sequences), so that the builder refills the last build's arrays: each
     * build against {@link DomainSegments#of} on the same ids, with run
     * lengths and domains drawn afresh every batch (and now and then a batch
     * of other counts between them, which takes fresh arrays).
     */
    @Test
    void builderRefillsItsArraysForBatchesOfTheSameCounts() {
        Rng rng = new Rng();
        DomainSegments.Builder builder = new DomainSegments.Builder();
        int[] lastRunFirst = null;
        int refilled = 0;
        for (int trial = 0; trial < 300; trial++) {
            boolean other = trial % 7 == 6;
            int runs = other ? 1 + rng.nextInt(12) : 9, domains = 1 + rng.nextInt(trial % 2 == 0 ? 12 : 100_000);
            int[] runLength = new int[runs], runDomain = new int[runs];
            int rows = 0;
            for (int j = 0; j < runs; j++) {
                runLength[j] = 1 + rng.nextInt(40);
                rows += runLength[j];
                do { // runs are maximal: a run's domain differs from the one before
                    runDomain[j] = rng.nextInt(domains);
                } while (j > 0 && runDomain[j] == runDomain[j - 1] && domains > 1);
            }
            if (domains == 1) {
                runs = 1;
                runLength = new int[] {rows};
            }
            int[] dom = new int[rows];
            for (int j = 0, r = 0; j < runs; j++) {
                builder.run(r, runDomain[j]);
                Arrays.fill(dom, r, r + runLength[j], runDomain[j]);
                r += runLength[j];
            }
            int firstFresh = rng.nextInt(domains + 1);
            DomainSegments built = builder.build(rows, domains, firstFresh), of = DomainSegments.of(dom, rows, domains);
            String what = "trial " + trial + " " + rng;
            assertArrayEquals(of.segmentDomains(), built.segmentDomains(), what);
            assertArrayEquals(of.segmentRuns(), built.segmentRuns(), what);
            assertArrayEquals(of.segmentStarts(), built.segmentStarts(), what);
            assertArrayEquals(of.runFirst(), built.runFirst(), what);
            assertArrayEquals(of.runRows(), built.runRows(), what);
            assertArrayEquals(of.rowOrder(), built.rowOrder(), what);
            assertArrayEquals(of.counts(), built.counts(), what);
            assertEquals(firstFresh, built.firstFresh(), what);
            runsSpellTheRowOrder(built, what);
            if (built.runFirst() == lastRunFirst) refilled++;
            lastRunFirst = built.runFirst();
        }
        assertTrue(refilled > 100, "the builder refilled its arrays in only " + refilled + " of 300 builds");
    }

    /**
     * Segment s's runs, expanded, are its rows in the row order; every run has
     * rows; runs of one segment come in batch order and never touch (a batch's
     * runs are maximal: a new run starts where the domain changes).
     */
    private static void runsSpellTheRowOrder(DomainSegments s, String what) {
        int[] order = s.rowOrder(), segStart = s.segmentStarts(), segRun = s.segmentRuns();
        int[] first = s.runFirst(), count = s.runRows();
        assertEquals(s.segmentCount() + 1, segRun.length, what);
        assertEquals(s.runCount(), segRun[s.segmentCount()], what);
        for (int seg = 0; seg < s.segmentCount(); seg++) {
            int t = segStart[seg];
            for (int j = segRun[seg]; j < segRun[seg + 1]; j++) {
                assertTrue(count[j] >= 1, what);
                if (j > segRun[seg]) assertTrue(first[j] > first[j - 1] + count[j - 1], what);
                for (int r = first[j]; r < first[j] + count[j]; r++) assertEquals(order[t++], r, what);
            }
            assertEquals(segStart[seg + 1], t, what);
        }
        assertTrue(order == s.rowOrder(), "the row order is built once");
    }

    /** A batch given as runs: one sequence a domain, one domain throughout, one row a domain. */
    @Test
    void runsOfTrainerShapedBatches() {
        Rng rng = new Rng();
        int rows = 16 * 64, k = 1_000;
        int[] sequences = new int[rows], one = new int[rows], perRow = new int[rows];
        for (int s = 0; s < 16; s++) Arrays.fill(sequences, s * 64, s * 64 + 64, rng.nextInt(k));
        Arrays.fill(one, rng.nextInt(k));
        for (int r = 0; r < rows; r++) perRow[r] = r % k;
        for (int[] dom : new int[][] {sequences, one, perRow}) {
            DomainSegments s = DomainSegments.of(dom, rows, k);
            String what = "segments " + s.segmentCount() + " " + rng;
            runsSpellTheRowOrder(s, what);
            int runs = 0;
            for (int r = 0; r < rows; r++) if (r == 0 || dom[r] != dom[r - 1]) runs++;
            assertEquals(runs, s.runCount(), what);
        }
    }

    @Test
    void builderRejectsRunsThatDoNotCoverTheRowsAndStartsAfresh() {
        DomainSegments.Builder builder = new DomainSegments.Builder();
        builder.run(1, 0);
        assertThrows(IllegalArgumentException.class, () -> builder.build(3, 2)); // row 0 in no run
        builder.run(0, 0);
        builder.run(2, 1);
        builder.run(2, 0);
        assertThrows(IllegalArgumentException.class, () -> builder.build(4, 2)); // an empty run
        builder.run(0, 0);
        builder.run(2, 5);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> builder.build(4, 2));
        assertTrue(e.getMessage().contains("row 2"), e.getMessage());
        builder.run(0, 1);
        builder.clear();
        builder.run(0, 1);
        builder.run(2, 0);
        DomainSegments s = builder.build(3, 2);
        assertArrayEquals(new int[] {2, 0, 1}, s.rowOrder());
        assertArrayEquals(new long[] {1, 2}, s.counts());
    }

    /** The first fresh domain: 0 unless given, given within [0, domains], else rejected with the runs dropped. */
    @Test
    void firstFreshIsZeroUnlessGivenAndWithinTheDomains() {
        assertEquals(0, DomainSegments.of(new int[] {1, 0}, 2, 3).firstFresh());
        DomainSegments.Builder builder = new DomainSegments.Builder();
        for (int firstFresh : new int[] {0, 2, 3}) {
            builder.run(0, 2);
            assertEquals(firstFresh, builder.build(1, 3, firstFresh).firstFresh());
        }
        for (int bad : new int[] {-1, 4}) {
            builder.run(0, 2);
            assertThrows(IllegalArgumentException.class, () -> builder.build(1, 3, bad));
        }
        builder.run(0, 1);
        assertEquals(0, builder.build(1, 3).firstFresh());
    }
}
