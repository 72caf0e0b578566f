package dev.rnb.djl;

import ai.djl.training.dataset.RandomAccessDataset;
import ai.djl.training.dataset.Sampler;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;

/**
 * A DJL {@link Sampler} that draws every batch by domain proportions: each
 * row's domain from the current proportions (domains without examples are
 * left out and the rest renormalised), then an example uniformly within that
 * domain, with replacement. New proportions ({@link #setProportions}) apply
 * from the next batch drawn on; {@link RnbTrainingListener} sets R&amp;B's at
 * the end of every round, and without it the proportions stay as set
 * (uniform by default: the Stratified mixture).
 *
 * <p>The domains are given with the dataset: {@code domainOfExample[i]} is
 * the domain of the dataset's example i. DJL's {@code Batch.getIndices()}
 * carries the drawn indices, which {@link #domainOf(long)} maps back.
 *
 * <p>Deterministic for a seed: every {@link #sample} call (one per epoch)
 * draws from a generator split off the sampler's own. Proportions may be set
 * from the training thread while a prefetching thread draws.
 */
public final class RnbMixtureSampler implements Sampler {
    private final int[] domainOfExample;
    private final int[][] examplesOf;
    private final int batchSize;
    private final long batchesPerEpoch;
    private final SplittableRandom seeds;
    private volatile float[] proportions;
    /** Cumulative weights over the domains that have examples, for drawing. */
    private volatile double[] cumulative;

    /**
     * @param domainOfExample the domain (0..domains-1) of every example of the dataset
     * @param domains         number of domains k (some may have no examples)
     * @param batchSize       rows per batch
     * @param batchesPerEpoch batches one {@link #sample} call yields (DJL's epoch)
     * @param seed            seed of the draws
     */
    public RnbMixtureSampler(int[] domainOfExample, int domains, int batchSize, long batchesPerEpoch, long seed) {
        if (domains < 1 || batchSize < 1 || batchesPerEpoch < 1) {
            throw new IllegalArgumentException("domains, batch size and batches per epoch must be >= 1, got "
                    + domains + ", " + batchSize + ", " + batchesPerEpoch);
        }
        int[] counts = new int[domains];
        for (int i = 0; i < domainOfExample.length; i++) {
            int d = domainOfExample[i];
            if (d < 0 || d >= domains) {
                throw new IllegalArgumentException("example " + i + " has domain " + d + "; domains are 0.." + (domains - 1));
            }
            counts[d]++;
        }
        examplesOf = new int[domains][];
        for (int d = 0; d < domains; d++) {
            examplesOf[d] = new int[counts[d]];
        }
        int[] filled = new int[domains];
        for (int i = 0; i < domainOfExample.length; i++) {
            int d = domainOfExample[i];
            examplesOf[d][filled[d]++] = i;
        }
        this.domainOfExample = domainOfExample.clone();
        this.batchSize = batchSize;
        this.batchesPerEpoch = batchesPerEpoch;
        this.seeds = new SplittableRandom(seed);
        float[] uniform = new float[domains];
        Arrays.fill(uniform, 1f / domains);
        setProportions(uniform);
    }

    /** Sets the proportions batches are drawn with from now on (non-negative, any scale). */
    public void setProportions(float[] p) {
        if (p.length != examplesOf.length) {
            throw new IllegalArgumentException("expected " + examplesOf.length + " proportions, got " + p.length);
        }
        double[] c = new double[p.length];
        double total = 0;
        for (int d = 0; d < p.length; d++) {
            if (!(p[d] >= 0) || !Float.isFinite(p[d])) {
                throw new IllegalArgumentException("proportion of domain " + d + " is " + p[d] + "; must be finite and >= 0");
            }
            if (examplesOf[d].length > 0) {
                total += p[d];
            }
            c[d] = total;
        }
        if (total <= 0) {
            throw new IllegalArgumentException("the proportions put no weight on a domain that has examples");
        }
        proportions = p.clone();
        cumulative = c;
    }

    /** The proportions as last set. */
    public float[] proportions() {
        return proportions.clone();
    }

    /** Number of domains k. */
    public int domains() {
        return examplesOf.length;
    }

    /** The domain of the dataset's example {@code index}. */
    public int domainOf(long index) {
        return domainOfExample[Math.toIntExact(index)];
    }

    /** Number of examples in each domain. */
    public int[] examplesPerDomain() {
        int[] n = new int[examplesOf.length];
        for (int d = 0; d < n.length; d++) {
            n[d] = examplesOf[d].length;
        }
        return n;
    }

    @Override
    public int getBatchSize() {
        return batchSize;
    }

    @Override
    public Iterator<List<Long>> sample(RandomAccessDataset dataset) {
        if (dataset.size() != domainOfExample.length) {
            throw new IllegalArgumentException("the dataset has " + dataset.size() + " examples but the sampler was given "
                    + domainOfExample.length + " domains; give one domain per example of this dataset");
        }
        SplittableRandom random;
        synchronized (seeds) {
            random = seeds.split();
        }
        return new Iterator<>() {
            private long drawn;

            @Override
            public boolean hasNext() {
                return drawn < batchesPerEpoch;
            }

            @Override
            public List<Long> next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                drawn++;
                double[] c = cumulative;
                double total = c[c.length - 1];
                List<Long> batch = new ArrayList<>(batchSize);
                for (int r = 0; r < batchSize; r++) {
                    // u < total; the product can round up to it, which would pick a trailing empty domain
                    double u = Math.min(random.nextDouble() * total, Math.nextDown(total));
                    int[] examples = examplesOf[drawDomain(c, u)];
                    batch.add((long) examples[random.nextInt(examples.length)]);
                }
                return batch;
            }
        };
    }

    /** The first domain whose cumulative weight exceeds u, skipping zero-weight domains. */
    private static int drawDomain(double[] cumulative, double u) {
        int lo = 0, hi = cumulative.length - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (cumulative[mid] > u) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }
}
