package dev.rnb.backend;

import java.util.Arrays;

/**
 * The rows of one batch grouped by domain (a counting sort of the domain ids):
 * rows rowOrder[segStart[s] .. segStart[s+1]) all belong to domain segDomain[s].
 * Only domains present in the batch get a segment, so kernels never see an empty one;
 * segments come in increasing domain order, rows within one in batch order.
 */
public final class DomainSegments {
    private final int rows;
    private final int domains;
    private final int[] rowOrder;
    private final int[] segStart;
    private final int[] segDomain;

    private DomainSegments(int rows, int domains, int[] rowOrder, int[] segStart, int[] segDomain) {
        this.rows = rows;
        this.domains = domains;
        this.rowOrder = rowOrder;
        this.segStart = segStart;
        this.segDomain = segDomain;
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
     * Not thread-safe.
     */
    public static final class Builder {
        private int[] runStart = new int[16];
        private int[] runDomain = new int[16];
        private int runs;
        /** Per domain: its rows in this batch, then where its next row goes; all zero between builds. */
        private int[] offsetOfDomain = new int[0];
        private int[] present = new int[16];

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

        /** The segments of the runs given since the last build over rows 0..rows-1; starts the next batch. */
        public DomainSegments build(int rows, int domains) {
            try {
                return group(rows, domains);
            } finally {
                runs = 0;
            }
        }

        private DomainSegments group(int rows, int domains) {
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
                if (offsetOfDomain[d] == 0) {
                    present[segs++] = d;
                }
                offsetOfDomain[d] += end(i, rows) - runStart[i];
            }
            Arrays.sort(present, 0, segs);
            int[] segDomain = Arrays.copyOf(present, segs);
            int[] segStart = new int[segs + 1];
            int offset = 0;
            for (int s = 0; s < segs; s++) {
                int d = segDomain[s];
                segStart[s] = offset;
                offset += offsetOfDomain[d];
                offsetOfDomain[d] = segStart[s];
            }
            segStart[segs] = rows;
            int[] rowOrder = new int[rows];
            for (int i = 0; i < runs; i++) {
                int d = runDomain[i], next = offsetOfDomain[d];
                for (int r = runStart[i], end = end(i, rows); r < end; r++) {
                    rowOrder[next++] = r;
                }
                offsetOfDomain[d] = next;
            }
            for (int s = 0; s < segs; s++) {
                offsetOfDomain[segDomain[s]] = 0;
            }
            return new DomainSegments(rows, domains, rowOrder, segStart, segDomain);
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

    /** Row indices sorted by domain (stable). */
    public int[] rowOrder() { return rowOrder; }

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
