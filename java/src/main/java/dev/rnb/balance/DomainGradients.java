package dev.rnb.balance;

import dev.rnb.backend.Backend;
import dev.rnb.backend.DomainSegments;
import dev.rnb.backend.Tensor;

/**
 * Per-domain final-layer gradients accumulated over a round, in the backend's
 * memory: exact (k blocks of v x h floats) or CountSketched (k blocks of r
 * floats; unbiased inner products, variance at most 2 ||x||^2 ||y||^2 / r,
 * docs/ARCHITECTURE.md), plus the row count of every domain.
 * Not thread-safe: one caller at a time, like its backend.
 */
public final class DomainGradients implements AutoCloseable {
    private final Backend backend;
    private final int domains;
    private final int hDim;
    private final int vDim;
    private final int sketchSize;
    private final int sketchSeed;
    private final Tensor gradients;
    private final long[] counts;

    /**
     * @param sketchSize 0 for exact gradients, else the sketch size r (floats per domain)
     * @param seed       seed of the sketch's hash
     */
    public DomainGradients(Backend backend, int domains, int hDim, int vDim, int sketchSize, long seed) {
        if (domains < 1) {
            throw new IllegalArgumentException("domains must be >= 1, got " + domains);
        }
        if (hDim < 1 || vDim < 1) {
            throw new IllegalArgumentException("hidden and vocab widths must be >= 1, got h=" + hDim + " v=" + vDim);
        }
        if (sketchSize < 0) {
            throw new IllegalArgumentException("sketch size must be 0 (exact) or >= 1, got " + sketchSize);
        }
        this.backend = backend;
        this.domains = domains;
        this.hDim = hDim;
        this.vDim = vDim;
        if ((long) hDim * vDim > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("v*h = " + (long) hDim * vDim + " exceeds 2^31-1 coordinates");
        }
        this.sketchSize = sketchSize;
        this.sketchSeed = (int) (seed ^ (seed >>> 32));
        this.gradients = backend.allocate((long) domains * dimension());
        this.counts = new long[domains];
    }

    /** Floats per domain: v*h exact, a*b sketched. */
    public long dimension() {
        return sketchSize == 0 ? (long) vDim * hDim : sketchSize;
    }

    public boolean sketched() { return sketchSize != 0; }

    public int domains() { return domains; }

    /**
     * Adds one batch: H (rows x h) and E (rows x v) in the backend's memory,
     * the domain of every row on the host.
     */
    public void accumulate(Tensor h, Tensor e, int rows, int[] domainOfRow) {
        DomainSegments segments = DomainSegments.of(domainOfRow, rows, domains);
        if (sketchSize == 0) {
            backend.domainGradAccumulate(h, e, hDim, vDim, segments, gradients);
        } else {
            backend.domainGradSketchAccumulate(h, e, hDim, vDim, segments, sketchSize, sketchSeed, gradients);
        }
        count(segments);
    }

    /**
     * As {@link #accumulate}, and headGrad (v x h) += E^T H over the batch's
     * rows: exact gradients form both from the same multiply-adds (one GEMM
     * per domain segment, no second GEMM over the rows); sketched ones run
     * the head's GEMM and then the sketch, which forms the pieces again.
     */
    public void accumulateWithHead(Tensor h, Tensor e, int rows, int[] domainOfRow, Tensor headGrad) {
        if (sketchSize != 0) {
            backend.gemm(true, false, vDim, hDim, rows, 1f, e, vDim, h, hDim, 1f, headGrad, hDim);
            accumulate(h, e, rows, domainOfRow);
            return;
        }
        DomainSegments segments = DomainSegments.of(domainOfRow, rows, domains);
        backend.domainGradAccumulateWithHead(h, e, hDim, vDim, segments, gradients, headGrad);
        count(segments);
    }

    private void count(DomainSegments segments) {
        long[] batch = segments.counts();
        for (int d = 0; d < domains; d++) {
            counts[d] += batch[d];
        }
    }

    /** Rows seen per domain this round. */
    public long[] counts() { return counts.clone(); }

    /** The accumulated gradients (k x dimension()), in the backend's memory. */
    public Tensor gradients() { return gradients; }

    /** 1/n_i for present domains, 0 for absent ones: the scale G is built with. */
    public float[] inverseCounts() {
        float[] scale = new float[domains];
        for (int i = 0; i < domains; i++) {
            scale[i] = counts[i] == 0 ? 0f : (float) (1.0 / counts[i]);
        }
        return scale;
    }

    /** The round's accumulated gradients on the host (k x dimension()), e.g. for a checkpoint. */
    public float[] toHost() {
        float[] g = new float[Math.toIntExact(domains * dimension())];
        backend.download(gradients, 0, g, 0, g.length);
        return g;
    }

    /** Replaces the round's accumulators with ones taken by {@link #toHost()} and {@link #counts()}. */
    public void restore(float[] g, long[] rowCounts) {
        if (g.length != domains * dimension() || rowCounts.length != domains) {
            throw new IllegalArgumentException("expected " + domains * dimension() + " gradient floats and " + domains
                    + " counts, got " + g.length + " and " + rowCounts.length);
        }
        backend.upload(g, 0, gradients, 0, g.length);
        System.arraycopy(rowCounts, 0, counts, 0, domains);
    }

    public void reset() {
        backend.zero(gradients);
        java.util.Arrays.fill(counts, 0);
    }

    @Override
    public void close() {
        gradients.close();
    }
}
