package dev.rnb.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static dev.rnb.testing.ProportionEntries.listed;
import static dev.rnb.testing.ProportionEntries.values;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The sampler's sparse table (a mixture where most domains share one value)
 * and its reading ahead: draws against the proportions by chi-square at 10^6
 * domains, the same draws whether the proportions come sparse or dense, and
 * batches identical to drawing without reading ahead.
 */
class SparseMixtureSamplerTest {

    /** k domains; domain d has no examples when noExamples says so, else 1 to 3 examples of 1 to maxLength bytes. */
    static ByteDataset dataset(int k, java.util.function.IntPredicate noExamples, int maxLength, SplittableRandom rng) {
        return dataset(k, noExamples, 1, maxLength, rng);
    }

    /** The same with examples of minLength to maxLength bytes. */
    static ByteDataset dataset(int k, java.util.function.IntPredicate noExamples, int minLength, int maxLength, SplittableRandom rng) {
        List<TrainingExample> ex = new ArrayList<>();
        List<String> names = new ArrayList<>(k);
        for (int d = 0; d < k; d++) {
            names.add("d" + d);
            if (noExamples.test(d)) continue;
            int n = 1 + rng.nextInt(3);
            for (int i = 0; i < n; i++) {
                byte[] b = new byte[minLength + rng.nextInt(maxLength - minLength + 1)];
                for (int j = 0; j < b.length; j++) b[j] = (byte) rng.nextInt(256);
                ex.add(new TrainingExample(b, d));
            }
        }
        return new ByteDataset(ex, names);
    }

    /** t listed domains (distinct, random order) with random values, some 0 and some equal to rest. */
    static DomainProportions randomSparse(int k, int t, float rest, SplittableRandom rng) {
        int[] all = new int[k];
        for (int i = 0; i < k; i++) all[i] = i;
        for (int i = 0; i < t; i++) {
            int j = i + rng.nextInt(k - i);
            int x = all[i];
            all[i] = all[j];
            all[j] = x;
        }
        float[] v = new float[t];
        for (int i = 0; i < t; i++) {
            int kind = rng.nextInt(10);
            v[i] = kind == 0 ? 0f : kind == 1 ? rest : (float) (rng.nextDouble() * 4 * rest + 1e-9);
        }
        return DomainProportions.sparse(k, Arrays.copyOf(all, t), v, rest);
    }

    /**
     * {@code batches} batches of a sampler seeded with {@code seed} over p,
     * each the old loop's, bit for bit, and the generators in the same state after.
     */
    private static void assertSameBatchesAsTheOldLoop(ByteDataset data, float[] p, int batch, int T, long seed, int batches,
                                                      String label) {
        MixtureSampler sampler = new MixtureSampler(data, batch, T, seed);
        sampler.setProportions(p);
        SeededRandom reference = new SeededRandom(seed);
        for (int i = 0; i < batches; i++) {
            assertSameBatch(drawWithoutReadingAhead(data, p, batch, T, reference), sampler.next(), label + " batch " + i);
        }
        assertEquals(reference.state(), sampler.rngState(), label);
    }

    /** The sampler's draw without reading ahead (the loop before it), on the dense alias table. */
    private static Batch drawWithoutReadingAhead(ByteDataset data, float[] p, int batch, int T, SeededRandom rng) {
        DomainAliasTable table = new DomainAliasTable(data.domains());
        assertTrue(table.rebuild(p, d -> data.countOf(d) > 0));
        return drawOneByOne(data, table::draw, batch, T, rng);
    }

    /**
     * One sequence after another, nothing read ahead: a domain from
     * {@code domain}, an example in it, an offset when the example is longer
     * than T + 1 bytes.
     */
    static Batch drawOneByOne(ByteDataset data, java.util.function.ToIntFunction<SeededRandom> domain, int batch, int T,
                              SeededRandom rng) {
        int n = batch * T;
        float[] tokens = new float[n], targets = new float[n], mask = new float[n];
        int[] domainOfRow = new int[n], domainOfSequence = new int[batch];
        int valid = 0;
        for (int b = 0; b < batch; b++) {
            int d = domain.applyAsInt(rng);
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

    static void assertSameBatch(Batch want, Batch got, String what) {
        assertArrayEquals(want.domainOfSequence(), got.domainOfSequence(), what + ": domains");
        assertArrayEquals(want.domainOfRow(), got.domainOfRow(), what + ": row domains");
        assertArrayEquals(want.tokens(), got.tokens(), what + ": tokens");
        assertArrayEquals(want.targets(), got.targets(), what + ": targets");
        assertArrayEquals(want.weights(), got.weights(), what + ": mask");
        assertEquals(want.validTargets(), got.validTargets(), what + ": valid rows");
    }

    /** Examples shorter and longer than T + 1 bytes (reading ahead guesses wrong after a short one), ragged batches. */
    @Test
    void readingAheadChangesNoBatch() {
        SplittableRandom rng = new SplittableRandom(41);
        for (int trial = 0; trial < 30; trial++) {
            int k = 1 + rng.nextInt(400);
            int T = 1 + rng.nextInt(40);
            int batch = 1 + rng.nextInt(3 * MixtureSampler.AHEAD);
            ByteDataset data = dataset(k, d -> d % 7 == 3 && k > 3, 1 + rng.nextInt(120), rng);
            float[] p = new float[k];
            for (int d = 0; d < k; d++) p[d] = rng.nextInt(5) == 0 ? 0f : (float) rng.nextDouble();
            p[rng.nextInt(k)] = 1f;
            if (data.countOf(Math.max(0, k - 1)) > 0) p[k - 1] = 1f;
            boolean usable = false;
            for (int d = 0; d < k; d++) usable |= p[d] > 0 && data.countOf(d) > 0;
            if (!usable || data.size() == 0) continue;
            assertSameBatchesAsTheOldLoop(data, p, batch, T, rng.nextLong(), 3, "trial " + trial);
        }
    }

    /**
     * Domains whose examples are all at most T + 1 bytes (drawing ahead goes
     * on past them once the sampler has met one), all longer, mixed, with one
     * example, or none; examples of exactly T + 1 bytes and of 0 bytes;
     * batches identical to drawing without reading ahead, before and after
     * the first short example.
     */
    @Test
    void readingAheadPastDomainsOfShortExamplesChangesNoBatch() {
        SplittableRandom rng = new SplittableRandom(53);
        for (int trial = 0; trial < 30; trial++) {
            int k = 2 + rng.nextInt(300), T = 1 + rng.nextInt(40);
            int batch = 1 + rng.nextInt(3 * MixtureSampler.AHEAD);
            List<TrainingExample> ex = new ArrayList<>();
            List<String> names = new ArrayList<>(k);
            float[] p = new float[k];
            for (int d = 0; d < k; d++) {
                names.add("d" + d);
                int kind = rng.nextInt(5); // 0 none, 1 all short, 2 all long, 3 mixed, 4 one example
                int n = kind == 0 ? 0 : kind == 4 ? 1 : 1 + rng.nextInt(4);
                for (int i = 0; i < n; i++) {
                    boolean isShort = kind == 1 || kind == 3 && rng.nextBoolean() || kind == 4 && rng.nextBoolean();
                    int length = isShort ? rng.nextInt(T + 2) : T + 2 + rng.nextInt(30); // 0 .. T + 1, or longer
                    byte[] b = new byte[length];
                    for (int j = 0; j < length; j++) b[j] = (byte) rng.nextInt(256);
                    ex.add(new TrainingExample(b, d));
                }
                p[d] = (float) rng.nextDouble();
            }
            ByteDataset data = new ByteDataset(ex, names);
            if (data.size() == 0) continue;
            assertSameBatchesAsTheOldLoop(data, p, batch, T, rng.nextLong(), 4, "trial " + trial);
        }
    }

    /**
     * The rows' copy: full windows (examples longer than T + 1 bytes, at any
     * offset), short examples of 0, 1, T and exactly T + 1 bytes (padded, or
     * a window that ends at the example's end), both in one batch and in one
     * domain, domains without examples, T = 1 and T past the group of
     * sequences drawn ahead: every batch identical, bit for bit (the mask's
     * weight too), to the old loop's.
     */
    @Test
    void windowsFullAndShortInOneBatchMatchTheOldLoop() {
        SplittableRandom rng = new SplittableRandom(59);
        for (int T : new int[] {1, 2, 3, 17, 64, 100}) {
            for (int trial = 0; trial < 6; trial++) {
                int k = 1 + rng.nextInt(50), batch = 1 + rng.nextInt(3 * MixtureSampler.AHEAD + 5);
                List<TrainingExample> ex = new ArrayList<>();
                List<String> names = new ArrayList<>(k);
                float[] p = new float[k];
                for (int d = 0; d < k; d++) {
                    names.add("d" + d);
                    p[d] = 0.1f + (float) rng.nextDouble();
                    if (k > 1 && d % 5 == 2) continue; // no examples
                    int[] lengths = {0, 1, T, T + 1, T + 2, T + 2 + rng.nextInt(3 * T + 5)};
                    int n = 1 + rng.nextInt(4);
                    for (int i = 0; i < n; i++) {
                        byte[] b = new byte[trial % 3 == 0 ? T + 2 + rng.nextInt(40) : lengths[rng.nextInt(lengths.length)]];
                        for (int j = 0; j < b.length; j++) b[j] = (byte) rng.nextInt(256);
                        ex.add(new TrainingExample(b, d));
                    }
                }
                ByteDataset data = new ByteDataset(ex, names);
                assertSameBatchesAsTheOldLoop(data, p, batch, T, rng.nextLong(), 3, "T = " + T + ", trial " + trial);
            }
        }
    }

    /** From SPARSE_MIN_DOMAINS domains on, proportions without a shared value are drawn by the dense table: the old loop's batches. */
    @Test
    void manyDomainsWithoutASharedValueMatchTheOldLoop() {
        SplittableRandom rng = new SplittableRandom(61);
        int k = MixtureSampler.SPARSE_MIN_DOMAINS + 11;
        ByteDataset data = dataset(k, d -> d % 9 == 4, 40, rng);
        float[] p = new float[k];
        for (int d = 0; d < k; d++) p[d] = d % 7 == 0 ? 0f : (float) rng.nextDouble();
        for (int T : new int[] {1, 8, 64}) {
            MixtureSampler sampler = new MixtureSampler(data, 200, T, T);
            sampler.setProportions(p);
            assertFalse(sampler.usesSparseTable());
            SeededRandom reference = new SeededRandom(T);
            for (int i = 0; i < 3; i++) assertSameBatch(drawWithoutReadingAhead(data, p, 200, T, reference), sampler.next(), "T = " + T + ", batch " + i);
        }
    }

    /** Which table draws, and every draw, depends only on the values: sparse and dense forms draw the same domains. */
    @Test
    void sparseAndDenseFormsDrawTheSameDomains() {
        SplittableRandom rng = new SplittableRandom(43);
        int k = MixtureSampler.SPARSE_MIN_DOMAINS + 37;
        ByteDataset data = dataset(k, d -> d % 5 == 1, 12, rng);
        int eligible = 0;
        for (int d = 0; d < k; d++) if (data.countOf(d) > 0) eligible++;
        int[] ts = {0, 1, 320, eligible / 2 - 1, eligible / 2, eligible / 2 + 1, k - 1, k};
        for (int t : ts) {
            for (float rest : new float[] {1f / k, 0f}) {
                DomainProportions sparse = randomSparse(k, t, rest == 0f ? 1f / k : rest, rng);
                if (rest == 0f) sparse = DomainProportions.sparse(k, listed(sparse), values(sparse), 0f);
                float[] dense = sparse.toArray();
                MixtureSampler a = new MixtureSampler(data, 300, 2, 99), b = new MixtureSampler(data, 300, 2, 99);
                boolean usable = true;
                try {
                    a.setProportions(sparse);
                } catch (IllegalArgumentException e) {
                    usable = false;
                    assertThrows(IllegalArgumentException.class, () -> b.setProportions(dense), "t = " + t + ": the dense form is refused too");
                }
                if (!usable) continue;
                b.setProportions(dense);
                assertEquals(a.usesSparseTable(), b.usesSparseTable(), "t = " + t);
                if (t < 320 && rest > 0) assertTrue(a.usesSparseTable(), "t = " + t + " of " + k + " is drawn sparse");
                if (t >= k - 1) assertFalse(a.usesSparseTable(), "t = " + t + " of " + k + " is drawn dense");
                for (int i = 0; i < 3; i++) {
                    assertArrayEquals(b.next().domainOfSequence(), a.next().domainOfSequence(), "t = " + t + ", rest " + rest + ", batch " + i);
                }
                for (int d : a.next().domainOfSequence()) {
                    assertTrue(data.countOf(d) > 0 && dense[d] > 0, "domain " + d + " has no examples or no weight");
                }
                assertArrayEquals(dense, a.proportions());
            }
        }
    }

    /**
     * 10^6 domains (1% without examples), t listed domains with their own
     * weights (for 320: random, some 0, some without examples; for 1: one
     * domain with examples) and the rest sharing one value: chi-square over
     * the listed domains and over the rest split into bins of consecutive
     * domains, each expected in proportion to its domains that have examples.
     * The listed values are scaled so that the listed group carries about 1.5%
     * of the mass (a round's sparse p'), half, 99.95% (the rest's share below
     * 2^-10: its index takes a generator call of its own, {@link OneCallSplit}),
     * or, one listed domain, about 9%. Fresh seed each run.
     */
    @ParameterizedTest
    @CsvSource({"320, 30, 1000", "320, 1500, 1000", "320, 3000000, 10", "1, 100000, 1000"})
    void sparseDrawsMatchTheProportionsAtAMillionDomains(int t, double listedScale, int bins) {
        int k = 1_000_000;
        long seed = new SplittableRandom().nextLong();
        SplittableRandom rng = new SplittableRandom(seed);
        String run = "seed " + seed + ", t = " + t + ", listed scaled by " + listedScale;
        List<TrainingExample> ex = new ArrayList<>(k);
        List<String> names = new ArrayList<>(k);
        for (int d = 0; d < k; d++) {
            names.add(Integer.toString(d));
            if (d % 101 != 0) ex.add(new TrainingExample(new byte[] {(byte) d, 1, 2}, d));
        }
        ByteDataset data = new ByteDataset(ex, names);
        float rest = 1f / k;
        DomainProportions p;
        if (t == 1) {
            p = DomainProportions.sparse(k, new int[] {1 + 101 * rng.nextInt(k / 101 - 1)}, new float[] {(float) (rest * listedScale)}, rest);
        } else {
            // The listed values' mean is about 1/k before scaling.
            p = randomSparse(k, t, rest, rng);
            float[] v = values(p);
            for (int i = 0; i < v.length; i++) if (v[i] != rest) v[i] *= (float) listedScale;
            p = DomainProportions.sparse(k, listed(p), v, rest);
        }
        MixtureSampler sampler = new MixtureSampler(data, 100_000, 1, rng.nextLong());
        sampler.setProportions(p);
        assertTrue(sampler.usesSparseTable(), run);

        boolean[] isListed = new boolean[k];
        double listedWeight = 0;
        for (int i = 0; i < p.listedCount(); i++) {
            int d = p.listedDomain(i);
            if (p.listedValue(i) == rest) continue; // equal to the rest: drawn within the rest's group, counted with it
            isListed[d] = true;
            if (data.countOf(d) > 0) listedWeight += p.listedValue(i);
        }
        long[] restEligibleInBin = new long[bins];
        for (int d = 0; d < k; d++) if (!isListed[d] && data.countOf(d) > 0) restEligibleInBin[(int) ((long) d * bins / k)]++;
        long restEligible = Arrays.stream(restEligibleInBin).sum();
        double total = listedWeight + (double) rest * restEligible;

        long draws = 2_000_000;
        long[] counts = new long[k];
        for (long done = 0; done < draws; done += 100_000) {
            for (int d : sampler.next().domainOfSequence()) counts[d]++;
        }
        double chi = 0;
        int cells = 0;
        long[] restInBin = new long[bins];
        for (int d = 0; d < k; d++) {
            if (data.countOf(d) == 0) {
                assertEquals(0, counts[d], run + ": domain " + d + " has no examples but was drawn");
            } else if (!isListed[d]) {
                restInBin[(int) ((long) d * bins / k)] += counts[d];
            }
        }
        for (int i = 0; i < p.listedCount(); i++) {
            int d = p.listedDomain(i);
            if (!isListed[d] || data.countOf(d) == 0) continue;
            double expected = draws * p.listedValue(i) / total;
            if (expected == 0) {
                assertEquals(0, counts[d], run + ": listed domain " + d + " has weight 0 but was drawn");
                continue;
            }
            chi += (counts[d] - expected) * (counts[d] - expected) / expected;
            cells++;
        }
        for (int b = 0; b < bins; b++) {
            double expected = draws * (double) rest * restEligibleInBin[b] / total;
            chi += (restInBin[b] - expected) * (restInBin[b] - expected) / expected;
            cells++;
        }
        double df = cells - 1;
        assertTrue(cells > bins + (t > 1 ? 200 : 0), run + ": " + cells + " cells");
        // Normal approximation of chi2(df): 5 standard deviations above the mean.
        assertTrue(chi < df + 5 * Math.sqrt(2 * df), run + ": chi2 " + chi + " with " + df + " degrees of freedom");
        double restShare = Arrays.stream(restInBin).sum() / (double) draws;
        assertEquals(rest * restEligible / total, restShare, 0.002, run + ": the rest's share");
    }

    @Test
    void oneGroupWithoutWeightAndNoWeightAtAll() {
        SplittableRandom rng = new SplittableRandom(53);
        int k = MixtureSampler.SPARSE_MIN_DOMAINS;
        ByteDataset data = dataset(k, d -> d % 3 == 0, 5, rng);
        MixtureSampler s = new MixtureSampler(data, 2000, 1, 3);
        // Only the listed domains have weight: domains 1 and 2 (both have examples).
        s.setProportions(DomainProportions.sparse(k, new int[] {2, 1, 3}, new float[] {3f, 1f, 0f}, 0f));
        assertTrue(s.usesSparseTable());
        long ones = Arrays.stream(s.next().domainOfSequence()).peek(d -> assertTrue(d == 1 || d == 2)).filter(d -> d == 1).count();
        assertEquals(0.25, ones / 2000.0, 0.04);
        // Only the rest has weight: the listed domains are never drawn.
        s.setProportions(DomainProportions.sparse(k, new int[] {1, 2}, new float[] {0f, 0f}, 0.5f));
        for (int d : s.next().domainOfSequence()) assertTrue(d > 2 && data.countOf(d) > 0, "domain " + d);
        // No domain with examples has weight: refused, the sampler keeps what it had.
        assertThrows(IllegalArgumentException.class,
                () -> s.setProportions(DomainProportions.sparse(k, new int[] {0, 1}, new float[] {1f, 0f}, 0f)));
        assertThrows(IllegalArgumentException.class, () -> s.setProportions(DomainProportions.sparse(k, new int[] {4}, new float[] {Float.NaN}, 1f)));
        assertThrows(IllegalArgumentException.class, () -> s.setProportions(DomainProportions.sparse(k, new int[] {4}, new float[] {1f}, -1f)));
        for (int d : s.next().domainOfSequence()) assertTrue(d > 2 && data.countOf(d) > 0, "domain " + d);
    }
}
