package dev.rnb.backend.cpu;

import dev.rnb.backend.DomainSegments;

/**
 * The runs of consecutive batch rows inside each domain segment, for GEMMs
 * that read H and E in place instead of gathering the rows in domain order.
 * A trainer that gives every example one domain hands R&amp;B runs of a whole
 * context (64 rows at the default model): there a GEMM per run costs about
 * what a GEMM per segment does, and the gather (a copy of every row of H and
 * E, a third of R&amp;B's work at the default model: docs/BENCHMARKS.md,
 * "Where the fused split's time goes") is skipped.
 *
 * <p>Run r covers batch rows start[r] .. start[r] + length[r] - 1; the runs of
 * segment s are firstRun[s] .. firstRun[s + 1] - 1.
 */
final class SegmentRuns {
    /** Below this many rows per run on average, per-run GEMMs lose more than the gather costs. */
    static final int MIN_MEAN_RUN = 32;

    final int[] start;
    final int[] length;
    final int[] firstRun;

    private SegmentRuns(int[] start, int[] length, int[] firstRun) {
        this.start = start;
        this.length = length;
        this.firstRun = firstRun;
    }

    /**
     * The runs of the segments' rows, or null when they average fewer than
     * {@link #MIN_MEAN_RUN} rows: the segments' own runs
     * ({@link DomainSegments#runFirst}), two of one segment that meet in the
     * batch joined into one, as rows consecutive in the row order are. Read
     * from the runs, the row order is not built for it.
     */
    static SegmentRuns of(DomainSegments segments) {
        int rows = segments.rows();
        int[] first = segments.runFirst(), count = segments.runRows(), segRun = segments.segmentRuns();
        int segs = segments.segmentCount();
        int runs = 0;
        for (int s = 0; s < segs; s++) {
            for (int j = segRun[s]; j < segRun[s + 1]; j++) {
                if (!continues(first, count, segRun[s], j)) runs++;
            }
        }
        if (runs == 0 || (long) runs * MIN_MEAN_RUN > rows) {
            return null;
        }
        int[] start = new int[runs], length = new int[runs], firstRun = new int[segs + 1];
        int r = -1;
        for (int s = 0; s < segs; s++) {
            firstRun[s] = r + 1;
            for (int j = segRun[s]; j < segRun[s + 1]; j++) {
                if (!continues(first, count, segRun[s], j)) {
                    start[++r] = first[j];
                }
                length[r] += count[j];
            }
        }
        firstRun[segs] = runs;
        return new SegmentRuns(start, length, firstRun);
    }

    /** Whether run j starts right where the run before it in its segment (which starts at run {@code from}) ends. */
    private static boolean continues(int[] first, int[] count, int from, int j) {
        return j > from && first[j] == first[j - 1] + count[j - 1];
    }
}
