package dev.rnb.balance;

import dev.rnb.backend.Backend;
import dev.rnb.backend.DomainSegments;
import dev.rnb.backend.SketchHash;
import dev.rnb.backend.Tensor;

/**
 * Per-domain final-layer gradients accumulated over a round, in the backend's
 * memory: exact (k blocks of v x h floats), CountSketched (k blocks of r
 * floats) or factored-sketched (k blocks of rv x rh floats), plus the row
 * count of every domain. Sketches give unbiased inner products
 * (docs/ARCHITECTURE.md, "The sketches"); each round draws its sketch from a
 * fresh seed (a hash of the base seed and the round number), so the sketch
 * error averages out over rounds instead of being one fixed bias for the run.
 * Not thread-safe: one caller at a time, like its backend.
 */
public final class DomainGradients implements AutoCloseable {
    private final Backend backend;
    private final int domains;
    private final int hDim;
    private final int vDim;
    private final SketchSpec spec;
    private final int baseSeed;
    private final FactoredProjection projection;
    private int round;
    private int roundSeed;
    private final Tensor gradients;
    private final long[] counts;

    /**
     * @param sketchSize 0 for exact gradients, else the sketch size r (floats per domain)
     * @param seed       seed of the sketch's hash
     */
    public DomainGradients(Backend backend, int domains, int hDim, int vDim, int sketchSize, long seed) {
        this(backend, domains, hDim, vDim, SketchSpec.count(sketchSize), seed);
    }

    /**
     * @param spec exact, CountSketch or factored sketch
     * @param seed base seed of the sketches (each round's seed is drawn from it)
     */
    public DomainGradients(Backend backend, int domains, int hDim, int vDim, SketchSpec spec, long seed) {
        if (domains < 1) {
            throw new IllegalArgumentException("domains must be >= 1, got " + domains);
        }
        if (hDim < 1 || vDim < 1) {
            throw new IllegalArgumentException("hidden and vocab widths must be >= 1, got h=" + hDim + " v=" + vDim);
        }
        this.backend = backend;
        this.domains = domains;
        this.hDim = hDim;
        this.vDim = vDim;
        if ((long) hDim * vDim > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("v*h = " + (long) hDim * vDim + " exceeds 2^31-1 coordinates");
        }
        this.spec = spec;
        this.baseSeed = (int) (seed ^ (seed >>> 32));
        this.projection = spec.kind() == SketchSpec.Kind.FACTORED
                ? new FactoredProjection(backend, hDim, vDim, spec.rv(), spec.rh()) : null;
        this.gradients = backend.allocate((long) domains * dimension());
        this.counts = new long[domains];
        startRound(0);
    }

    /** Floats per domain: v*h exact, r CountSketched, rv*rh factored. */
    public long dimension() {
        return spec.dimension(vDim, hDim);
    }

    public boolean sketched() { return spec.kind() != SketchSpec.Kind.EXACT; }

    public SketchSpec spec() { return spec; }

    /** The round the accumulators belong to (0 first; {@link #reset} advances it). */
    public int round() { return round; }

    /**
     * Makes the accumulators belong to round {@code n}: draws that round's
     * sketch seed (and projections). For a resume from a checkpoint, before
     * {@link #restore}; replicas of one run agree on it by construction.
     */
    public void startRound(int n) {
        round = n;
        roundSeed = SketchHash.hash(n, baseSeed);
        if (projection != null) {
            projection.draw(roundSeed);
        }
    }

    public int domains() { return domains; }

    /**
     * Adds one batch: H (rows x h) and E (rows x v) in the backend's memory,
     * the domain of every row on the host.
     */
    public void accumulate(Tensor h, Tensor e, int rows, int[] domainOfRow) {
        DomainSegments segments = DomainSegments.of(domainOfRow, rows, domains);
        switch (spec.kind()) {
            case EXACT -> backend.domainGradAccumulate(h, e, hDim, vDim, segments, gradients);
            case COUNT -> backend.domainGradSketchAccumulate(h, e, hDim, vDim, segments, spec.r(), roundSeed, gradients);
            case FACTORED -> projection.accumulate(h, e, segments, gradients);
        }
        count(segments);
    }

    /**
     * As {@link #accumulate}, and headGrad (v x h) += E^T H over the batch's
     * rows: exact gradients form both from the same multiply-adds (one GEMM
     * per domain segment, no second GEMM over the rows); sketched ones run
     * the head's GEMM and then the sketch (CountSketch forms the pieces
     * again; the factored sketch projects E and H).
     */
    public void accumulateWithHead(Tensor h, Tensor e, int rows, int[] domainOfRow, Tensor headGrad) {
        if (sketched()) {
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

    /** Empties the accumulators for the next round, which draws a fresh sketch seed. */
    public void reset() {
        backend.zero(gradients);
        java.util.Arrays.fill(counts, 0);
        startRound(round + 1);
    }

    @Override
    public void close() {
        gradients.close();
        if (projection != null) {
            projection.close();
        }
    }
}
