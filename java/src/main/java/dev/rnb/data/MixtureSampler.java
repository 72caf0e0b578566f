package dev.rnb.data;

import java.util.Arrays;

/**
 * Draws training batches with given domain proportions, from its own seeded
 * generator (its state and the proportions are what a checkpoint saves).
 *
 * <p>Domains are drawn from a Walker/Vose alias table: O(1) per draw (one
 * generator call, no scan over the domains) and O(k) to rebuild when the
 * proportions change (docs/SCALING.md: measured at 10^6 domains). The table is a pure
 * function of the proportions, so a resumed run that restores the proportions
 * and the generator state draws exactly the same domains.
 *
 * <p>Each row is one example: a domain is drawn from the proportions (domains
 * without examples are left out and the rest renormalised), an example
 * uniformly within it, and a window of T+1 bytes at a uniform offset. An
 * example shorter than T+1 bytes is padded with byte 0 and its padded
 * positions get loss weight 0 (padding with a masked loss, not packing: one
 * example per row keeps one domain per row).
 */
public final class MixtureSampler {
    private final ByteDataset data;
    private final int batch;
    private final int T;
    private final SeededRandom rng;
    private float[] proportions;
    private final DomainAliasTable table;

    public MixtureSampler(ByteDataset data, int batch, int T, long seed) {
        if (batch < 1 || T < 1) {
            throw new IllegalArgumentException("batch and T must be >= 1, got " + batch + ", " + T);
        }
        this.data = data;
        this.batch = batch;
        this.T = T;
        this.rng = new SeededRandom(seed);
        this.table = new DomainAliasTable(data.domains());
        float[] p = new float[data.domains()];
        Arrays.fill(p, 1f / p.length);
        setProportions(p);
    }

    /** Sets the domain proportions used from the next batch on (non-negative, any scale). */
    public void setProportions(float[] p) {
        if (p.length != data.domains()) {
            throw new IllegalArgumentException("expected " + data.domains() + " proportions, got " + p.length);
        }
        for (int d = 0; d < p.length; d++) {
            if (!(p[d] >= 0) || !Float.isFinite(p[d])) {
                throw new IllegalArgumentException("proportion of domain " + d + " is " + p[d]);
            }
        }
        if (!table.rebuild(p, d -> data.countOf(d) > 0)) {
            throw new IllegalArgumentException("the proportions put no weight on a domain that has examples");
        }
        this.proportions = p.clone();
    }

    public float[] proportions() { return proportions.clone(); }

    public long rngState() { return rng.state(); }

    public void setRngState(long state) { rng.setState(state); }

    public Batch next() {
        int n = batch * T;
        float[] tokens = new float[n], targets = new float[n], mask = new float[n];
        int[] domainOfRow = new int[n], domainOfSequence = new int[batch];
        int valid = 0;
        for (int b = 0; b < batch; b++) {
            int d = drawDomain();
            byte[] bytes = data.bytesOf(d, rng.nextInt(data.countOf(d)));
            int offset = bytes.length > T + 1 ? rng.nextInt(bytes.length - T) : 0;
            domainOfSequence[b] = d;
            for (int t = 0; t < T; t++) {
                int r = b * T + t;
                domainOfRow[r] = d;
                if (offset + t + 1 < bytes.length) {
                    tokens[r] = bytes[offset + t] & 0xFF;
                    targets[r] = bytes[offset + t + 1] & 0xFF;
                    mask[r] = 1f;
                    valid++;
                } else if (offset + t < bytes.length) {
                    tokens[r] = bytes[offset + t] & 0xFF;
                }
            }
        }
        if (valid > 0) {
            for (int i = 0; i < n; i++) mask[i] /= valid;
        }
        return new Batch(batch, T, tokens, targets, mask, domainOfRow, domainOfSequence, valid);
    }

    private int drawDomain() { return table.draw(rng); }
}
