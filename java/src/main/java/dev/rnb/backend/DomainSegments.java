package dev.rnb.backend;

import java.util.Arrays;
import java.util.function.IntUnaryOperator;

/**
 * The rows of one batch grouped by domain (a counting sort of the domain ids):
 * rows rowOrder[segStart[s] .. segStart[s+1]) all belong to domain segDomain[s].
 * Only domains present in the batch get a segment, so kernels never see an empty one;
 * segments come in increasing domain order, rows within one in batch order.
 *
 * <p>The same rows also as runs of consecutive batch rows: segment s is runs
 * segRun[s] .. segRun[s+1] - 1 in batch order, run j the rows runFirst[j] ..
 * runFirst[j] + runRows[j] - 1. A trainer's batch comes as one run per
 * sequence (64 rows at the default model), so a kernel that walks the runs
 * reads H and E in place without a row index per row, and the grouping is
 * O(runs), not O(rows): the row order is only built when a backend asks for
 * it (issue #17).
 *
 * <p>{@link #firstFresh()}: the caller's word on which domains' accumulator
 * rows no earlier batch of the round has written (the slots DomainGradients
 * gives this batch's new domains), for the sketch kernel's prefetch.
 */
public final class DomainSegments {
    private final int rows;
    private final int domains;
    private final int[] segStart;
    private final int[] segDomain;
    private final int[] segRun;
    private final int[] runFirst;
    private final int[] runRows;
    private final int firstFresh;
    /** Built on the first {@link #rowOrder()} (volatile: published whole to any thread). */
    private volatile int[] rowOrder;

    private DomainSegments(int rows, int domains, int[] segStart, int[] segDomain, int[] segRun, int[] runFirst,
                           int[] runRows, int firstFresh) {
        this.rows = rows;
        this.domains = domains;
        this.segStart = segStart;
        this.segDomain = segDomain;
        this.segRun = segRun;
        this.runFirst = runFirst;
        this.runRows = runRows;
        this.firstFresh = firstFresh;
    }

    /**
     * Groups rows 0..rows-1 by {@code domainOfRow[r]}.
     *
     * @throws IllegalArgumentException naming the first row whose domain is outside [0, domains)
     */
    public static DomainSegments of(int[] domainOfRow, int rows, int domains) {
        if (domains < 1) {
            throw new IllegalArgumentException("domains must be >= 1, got " + domains);
        }
        checkRows(domainOfRow, rows);
        Builder builder = new Builder();
        for (int r = 0; r < rows; r++) {
            int d = domainOfRow[r];
            if (r > 0 && d == domainOfRow[r - 1]) {
                continue;
            }
            if (d < 0 || d >= domains) {
                throw outside(r, d, domains);
            }
            builder.run(r, d);
        }
        return builder.build(rows, domains);
    }

    /** The check of {@link #of} on the row count, for callers that map the ids first. */
    public static void checkRows(int[] domainOfRow, int rows) {
        if (rows < 0 || rows > domainOfRow.length) {
            throw new IllegalArgumentException("rows = " + rows + " but " + domainOfRow.length + " domain ids were given");
        }
    }

    /** The error of {@link #of} for row r's domain id d outside [0, domains). */
    public static IllegalArgumentException outside(int r, int d, int domains) {
        return new IllegalArgumentException("row " + r + ": domain id " + d + " is outside [0, " + domains + ")");
    }

    /**
     * Groups batches given as runs of rows with one domain each, in time
     * O(rows + runs log runs) and with its scratch kept from batch to batch:
     * nothing of the size of the domains is allocated per batch once it has
     * grown (a trainer's batch comes as one run per sequence; issue #17).
     * The segments it builds share its arrays when the next batch has as
     * many runs and segments ({@link #build(int, int, int)}): each stays
     * valid until the builder's next build. Not thread-safe.
     */
    public static final class Builder {
        private int[] runStart = new int[16];
        private int[] runDomain = new int[16];
        private int runs;
        /** Per domain: its rows in this batch, then where its next row goes; all zero between builds. */
        private int[] offsetOfDomain = new int[0];
        private int[] present = new int[16];
        /**
         * The last build's arrays, filled again by a build of as many segments
         * (segDomain, segRun, segStart) or runs (runFirst, runRows) instead of
         * fresh ones: a trainer's batches have the same counts step after step
         * (16 runs in 16 segments at k = 10^6), and five fresh arrays a step
         * took 8 of the 12 us a round of 20 steps spent building segments when
         * the round started from evicted caches, new memory missing them
         * (docs/scaling/round-cost-journal.md, "The Java around the sketched round's kernels").
         */
        private int[] lastSegDomain = new int[0], lastSegRun = new int[1], lastSegStart = new int[1], lastRunFirst = new int[0],
                lastRunRows = new int[0];

        /** Drops the runs given since the last build. */
        public void clear() {
            runs = 0;
        }

        /**
         * Rows from {@code start} up to the next run's start (or the batch's
         * end) belong to {@code domain}. The first run starts at row 0, each
         * next one at a later row.
         */
        public void run(int start, int domain) {
            if (runs == runStart.length) {
                runStart = Arrays.copyOf(runStart, 2 * runs);
                runDomain = Arrays.copyOf(runDomain, 2 * runs);
            }
            runStart[runs] = start;
            runDomain[runs++] = domain;
        }

        /**
         * Replaces the domain of every run given since the last build by
         * {@code label} of it, in run order (e.g. a domain by its accumulator
         * slot, taken at its first run). One tight pass over the runs: lookups
         * that miss the cache (a k-int map at k = 10^6 did) overlap when issued
         * back to back, where ones spread over a pass over the rows did not.
         */
        public void relabel(IntUnaryOperator label) {
            for (int i = 0; i < runs; i++) {
                runDomain[i] = label.applyAsInt(runDomain[i]);
            }
        }

        /** The segments of the runs given since the last build over rows 0..rows-1, every domain fresh; starts the next batch. */
        public DomainSegments build(int rows, int domains) {
            return build(rows, domains, 0);
        }

        /**
         * As {@link #build(int, int)}, with domains {@code firstFresh} and
         * above fresh ({@link DomainSegments#firstFresh()}), 0 &lt;=
         * firstFresh &lt;= domains. The segments are valid until this
         * builder's next build, which may refill their arrays.
         */
        public DomainSegments build(int rows, int domains, int firstFresh) {
            try {
                if (firstFresh < 0 || firstFresh > domains) {
                    throw new IllegalArgumentException("first fresh domain " + firstFresh + " is outside [0, " + domains + "]");
                }
                return group(rows, domains, firstFresh);
            } finally {
                runs = 0;
            }
        }

        /**
         * A stable counting sort of the runs (not the rows) by domain: per
         * present domain its number of runs, then where its next run goes.
         */
        private DomainSegments group(int rows, int domains, int firstFresh) {
            checkRuns(rows, domains);
            if (offsetOfDomain.length < domains) {
                offsetOfDomain = new int[Math.max(domains, Math.min(2 * offsetOfDomain.length, Integer.MAX_VALUE / 2))];
            }
            if (present.length < runs) {
                present = new int[Math.max(runs, 2 * present.length)];
            }
            int segs = 0;
            for (int i = 0; i < runs; i++) {
                int d = runDomain[i];
                if (offsetOfDomain[d]++ == 0) {
                    present[segs++] = d;
                }
            }
            Arrays.sort(present, 0, segs);
            boolean sameSegs = lastSegDomain.length == segs, sameRuns = lastRunFirst.length == runs;
            int[] segDomain = sameSegs ? lastSegDomain : new int[segs];
            int[] segRun = sameSegs ? lastSegRun : new int[segs + 1];
            int[] segStart = sameSegs ? lastSegStart : new int[segs + 1];
            int[] runFirst = sameRuns ? lastRunFirst : new int[runs], runRows = sameRuns ? lastRunRows : new int[runs];
            // every entry of the five is written below
            System.arraycopy(present, 0, segDomain, 0, segs);
            for (int s = 0, next = 0; s < segs; s++) {
                int d = segDomain[s];
                segRun[s] = next;
                next += offsetOfDomain[d];
                offsetOfDomain[d] = segRun[s];
            }
            segRun[segs] = runs;
            for (int i = 0; i < runs; i++) {
                int j = offsetOfDomain[runDomain[i]]++;
                runFirst[j] = runStart[i];
                runRows[j] = end(i, rows) - runStart[i];
            }
            for (int s = 0, j = 0, offset = 0; s < segs; s++) {
                segStart[s] = offset;
                for (; j < segRun[s + 1]; j++) {
                    offset += runRows[j];
                }
                offsetOfDomain[segDomain[s]] = 0;
            }
            segStart[segs] = rows;
            lastSegDomain = segDomain;
            lastSegRun = segRun;
            lastSegStart = segStart;
            lastRunFirst = runFirst;
            lastRunRows = runRows;
            return new DomainSegments(rows, domains, segStart, segDomain, segRun, runFirst, runRows, firstFresh);
        }

        private int end(int i, int rows) {
            return i + 1 < runs ? runStart[i + 1] : rows;
        }

        private void checkRuns(int rows, int domains) {
            if (domains < 1) {
                throw new IllegalArgumentException("domains must be >= 1, got " + domains);
            }
            if (rows < 0 || (rows == 0) != (runs == 0) || (runs > 0 && runStart[0] != 0)) {
                throw new IllegalArgumentException(runs + " runs do not cover rows 0.." + (rows - 1) + " from row 0");
            }
            for (int i = 0; i < runs; i++) {
                if (runDomain[i] < 0 || runDomain[i] >= domains) {
                    throw outside(runStart[i], runDomain[i], domains);
                }
                if (end(i, rows) <= runStart[i]) {
                    throw new IllegalArgumentException("run " + i + " (from row " + runStart[i] + ") is empty or out of order");
                }
            }
        }
    }

    public int rows() { return rows; }

    public int segmentCount() { return segDomain.length; }

    public int domains() { return domains; }

    /**
     * The first fresh domain: the accumulator rows of domains from this one
     * on were written by no earlier batch since they were last zeroed (a
     * round's new domains, which DomainGradients gives the slots from the
     * ones used before the batch on), the others maybe were. A hint for the
     * sketch kernel, which asks for fresh rows ahead of its writes (at
     * k = 10^6 they were last touched at the round before's end and other
     * work has evicted them) and not for the others (in the caches): no value
     * depends on it. 0 (from {@link #of} and {@link Builder#build(int, int)}):
     * every domain is treated as fresh.
     */
    public int firstFresh() { return firstFresh; }

    /** Row indices sorted by domain (stable); built from the runs on the first call. */
    public int[] rowOrder() {
        int[] order = rowOrder;
        if (order == null) {
            order = new int[rows];
            for (int j = 0, next = 0; j < runFirst.length; j++) {
                for (int r = runFirst[j], end = r + runRows[j]; r < end; r++) {
                    order[next++] = r;
                }
            }
            rowOrder = order;
        }
        return order;
    }

    /** segmentCount()+1 offsets into runFirst() / runRows(): segment s is runs segmentRuns()[s] .. segmentRuns()[s+1]-1. */
    public int[] segmentRuns() { return segRun; }

    /** The first batch row of every run, runs grouped by segment and in batch order within one. */
    public int[] runFirst() { return runFirst; }

    /** The rows of every run (at least 1), in the order of {@link #runFirst()}. */
    public int[] runRows() { return runRows; }

    public int runCount() { return runFirst.length; }

    /** segmentCount()+1 offsets into rowOrder(). */
    public int[] segmentStarts() { return segStart; }

    /** The domain of each segment. */
    public int[] segmentDomains() { return segDomain; }

    /** Rows per domain in this batch (length domains()). */
    public long[] counts() {
        long[] counts = new long[domains];
        for (int s = 0; s < segDomain.length; s++) {
            counts[segDomain[s]] = segStart[s + 1] - segStart[s];
        }
        return counts;
    }

    @Override
    public String toString() {
        return "DomainSegments{rows=" + rows + ", domains=" + domains + ", counts=" + Arrays.toString(counts()) + "}";
    }
}
