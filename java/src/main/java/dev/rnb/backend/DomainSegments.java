package dev.rnb.backend;

import java.util.Arrays;

/**
 * The rows of one batch grouped by domain (a counting sort of the domain ids):
 * rows rowOrder[segStart[s] .. segStart[s+1]) all belong to domain segDomain[s].
 * Only domains present in the batch get a segment, so kernels never see an empty one.
 */
public final class DomainSegments {
    private final int rows;
    private final int[] rowOrder;
    private final int[] segStart;
    private final int[] segDomain;
    private final long[] counts;

    private DomainSegments(int rows, int[] rowOrder, int[] segStart, int[] segDomain, long[] counts) {
        this.rows = rows;
        this.rowOrder = rowOrder;
        this.segStart = segStart;
        this.segDomain = segDomain;
        this.counts = counts;
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
        if (rows < 0 || rows > domainOfRow.length) {
            throw new IllegalArgumentException("rows = " + rows + " but " + domainOfRow.length + " domain ids were given");
        }
        long[] counts = new long[domains];
        for (int r = 0; r < rows; r++) {
            int d = domainOfRow[r];
            if (d < 0 || d >= domains) {
                throw new IllegalArgumentException("row " + r + ": domain id " + d + " is outside [0, " + domains + ")");
            }
            counts[d]++;
        }
        int present = 0;
        for (long c : counts) {
            if (c > 0) {
                present++;
            }
        }
        int[] segDomain = new int[present];
        int[] segStart = new int[present + 1];
        int[] offsetOfDomain = new int[domains];
        int s = 0;
        int offset = 0;
        for (int d = 0; d < domains; d++) {
            if (counts[d] > 0) {
                segDomain[s] = d;
                segStart[s] = offset;
                offsetOfDomain[d] = offset;
                offset += (int) counts[d];
                s++;
            }
        }
        segStart[present] = offset;
        int[] rowOrder = new int[rows];
        for (int r = 0; r < rows; r++) {
            rowOrder[offsetOfDomain[domainOfRow[r]]++] = r;
        }
        return new DomainSegments(rows, rowOrder, segStart, segDomain, counts);
    }

    public int rows() { return rows; }

    public int segmentCount() { return segDomain.length; }

    public int domains() { return counts.length; }

    /** Row indices sorted by domain (stable). */
    public int[] rowOrder() { return rowOrder; }

    /** segmentCount()+1 offsets into rowOrder(). */
    public int[] segmentStarts() { return segStart; }

    /** The domain of each segment. */
    public int[] segmentDomains() { return segDomain; }

    /** Rows per domain in this batch (length domains()). */
    public long[] counts() { return counts.clone(); }

    @Override
    public String toString() {
        return "DomainSegments{rows=" + rows + ", domains=" + counts.length + ", counts=" + Arrays.toString(counts) + "}";
    }
}
