package dev.rnb.data;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link MixtureSampler#drawDomains}, the domain draws alone: the same domains
 * as single draws from the table one after another (however the draws are
 * split into calls), the generator left where those draws leave it, and
 * counts against p by chi-square for the dense table (ragged k, k = 1,
 * domains of weight 0 or without examples) and the sparse one. Dense
 * tables are drawn one by one or staged ({@link DomainAliasTable#drawsFromCache}):
 * both ways are checked.
 */
class DomainDrawsTest {

    /** The dense table's draws one after another, as the sampler drew before it staged them. */
    private static int[] singleDraws(ByteDataset data, float[] p, long seed, int n) {
        DomainAliasTable table = new DomainAliasTable(data.domains());
        assertTrue(table.rebuild(p, d -> data.countOf(d) > 0));
        SeededRandom rng = new SeededRandom(seed);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) out[i] = table.draw(rng);
        return out;
    }

    /** Random weights over k domains: about one in five 0, every fifth domain (from 2) without examples. */
    private static float[] weights(ByteDataset data, SplittableRandom rng) {
        int k = data.domains();
        float[] p = new float[k];
        for (int d = 0; d < k; d++) p[d] = rng.nextInt(5) == 0 ? 0f : (float) (0.1 + rng.nextDouble());
        p[0] = 1f; // domain 0 always has examples: some weight on a domain that can be drawn
        return p;
    }

    private static ByteDataset data(int k, SplittableRandom rng) {
        return SparseMixtureSamplerTest.dataset(k, d -> k > 2 && d % 5 == 2, 30, rng);
    }

    @Test
    void denseDrawsAreTheSingleDrawsInOrderWhateverTheSplit() {
        SplittableRandom rng = new SplittableRandom(71);
        for (int trial = 0; trial < 26; trial++) {
            // Tables that stay in cache (drawn one by one); larger ones, drawn staged (k above twice the cached
            // columns: about 2 in 3 domains are drawable); and larger ones of near-uniform weight over every
            // domain, whose draws mostly read no column (one by one again).
            boolean large = trial >= 20, nearUniform = trial >= 23;
            int k = large ? 2 * DomainAliasTable.CACHED_COLUMNS + 1 + rng.nextInt(20_000) : 1 + rng.nextInt(trial < 10 ? 12 : 3000);
            ByteDataset data = nearUniform ? SparseMixtureSamplerTest.dataset(k, d -> false, 30, rng) : data(k, rng);
            float[] p = weights(data, rng);
            if (nearUniform) for (int d = 0; d < k; d++) p[d] = (float) (1 + 0.01 * rng.nextDouble());
            DomainAliasTable path = new DomainAliasTable(k);
            path.rebuild(p, d -> data.countOf(d) > 0);
            assertEquals(!large || nearUniform, path.drawsFromCache(), "trial " + trial + ": the path under test");
            long seed = rng.nextLong();
            int n = rng.nextInt(3 * MixtureSampler.DOMAINS_AHEAD);
            int[] want = singleDraws(data, p, seed, n + 1);
            MixtureSampler whole = new MixtureSampler(data, 3, 2, seed), split = new MixtureSampler(data, 3, 2, seed);
            whole.setProportions(p);
            split.setProportions(p);
            int[] got = new int[n];
            whole.drawDomains(got);
            assertArrayEquals(Arrays.copyOf(want, n), got, "trial " + trial + ", k = " + k);
            int[] parts = new int[n];
            int[] sizes = {0, 1, 7, MixtureSampler.AHEAD + 1, MixtureSampler.DOMAINS_AHEAD, MixtureSampler.DOMAINS_AHEAD + 1};
            for (int at = 0; at < n; ) { // ragged calls: 0, 1, within a group, a group, past a group
                int[] part = new int[Math.min(n - at, sizes[rng.nextInt(sizes.length)])];
                split.drawDomains(part);
                System.arraycopy(part, 0, parts, at, part.length);
                at += part.length;
            }
            assertArrayEquals(got, parts, "trial " + trial + ": split into calls");
            assertEquals(whole.rngState(), split.rngState());
            int[] next = new int[1];
            whole.drawDomains(next);
            assertEquals(want[n], next[0], "the generator left where the single draws leave it");
        }
    }

    @Test
    void oneDomainAndAnEmptyArray() {
        SplittableRandom rng = new SplittableRandom(73);
        MixtureSampler s = new MixtureSampler(data(1, rng), 2, 1, 5);
        long before = s.rngState();
        s.drawDomains(new int[0]);
        assertEquals(before, s.rngState(), "no draw, no generator call");
        int[] out = new int[100];
        Arrays.fill(out, -1);
        s.drawDomains(out);
        for (int d : out) assertEquals(0, d);
    }

    /** Ragged k, weights 0 and domains without examples (never drawn): chi-square of the counts against p. */
    @Test
    void denseDrawsMatchTheProportions() {
        SplittableRandom rng = new SplittableRandom(79);
        for (int k : new int[] {2, 3, 17, 64, 333, 1000}) {
            ByteDataset data = data(k, rng);
            float[] p = weights(data, rng);
            MixtureSampler s = new MixtureSampler(data, 4, 1, rng.nextLong());
            s.setProportions(p);
            int draws = 400_000;
            long[] counts = new long[k];
            int[] out = new int[1 + rng.nextInt(5000)];
            for (int done = 0; done < draws; done += out.length) {
                if (draws - done < out.length) out = new int[draws - done];
                s.drawDomains(out);
                for (int d : out) counts[d]++;
            }
            double total = 0;
            for (int d = 0; d < k; d++) if (data.countOf(d) > 0) total += p[d];
            double chi = 0;
            int cells = 0;
            for (int d = 0; d < k; d++) {
                if (data.countOf(d) == 0 || p[d] == 0) {
                    assertEquals(0, counts[d], "k = " + k + ": domain " + d + " has no examples or no weight");
                    continue;
                }
                double expected = draws * p[d] / total;
                chi += (counts[d] - expected) * (counts[d] - expected) / expected;
                cells++;
            }
            assertChiSquare(chi, cells - 1, "k = " + k);
        }
    }

    /**
     * The sparse table's draws: drawDomains (one by one for few listed
     * domains, staged for many: 6,000 listed, past
     * {@link SparseMixtureTable#hasFewColumns}), split into ragged calls,
     * gives the table's single draws in order, both {@code draw} and
     * {@code finish(start)}, and leaves the generator where they leave it;
     * listed shares from none to nearly all, some domains without examples.
     */
    @Test
    void sparseDrawsAreTheSingleDrawsInOrderWhateverTheSplit() {
        long seed0 = new SplittableRandom().nextLong();
        SplittableRandom rng = new SplittableRandom(seed0);
        int k = MixtureSampler.SPARSE_MIN_DOMAINS + rng.nextInt(5000);
        ByteDataset data = SparseMixtureSamplerTest.dataset(k, d -> d % 97 == 5, 5, rng);
        for (int trial = 0; trial < 12; trial++) {
            int t = trial % 2 == 0 ? 1 + rng.nextInt(400) : 6000;
            float rest = trial % 6 == 5 ? 0f : 1f / k;
            DomainProportions p = SparseMixtureSamplerTest.randomSparse(k, t, 1f / k, rng);
            float[] v = dev.rnb.testing.ProportionEntries.values(p);
            double scale = Math.pow(10, rng.nextInt(9) - 2); // the listed share from about 1e-4 to nearly 1
            for (int i = 0; i < v.length; i++) v[i] *= (float) scale;
            v[0] = 1f / k; // some weight on a listed domain (whether or not it has examples)
            p = DomainProportions.sparse(k, dev.rnb.testing.ProportionEntries.listed(p), v, rest);
            String what = "seed " + seed0 + ", trial " + trial + ", k = " + k + ", t = " + t + ", rest " + rest + ", listed scaled by " + scale;
            MixtureSampler whole = new MixtureSampler(data, 3, 2, trial), split = new MixtureSampler(data, 3, 2, trial);
            try {
                whole.setProportions(p);
            } catch (IllegalArgumentException e) {
                continue; // no domain with examples has weight
            }
            split.setProportions(p);
            assertTrue(whole.usesSparseTable(), what);
            SparseMixtureTable table = new SparseMixtureTable(k, d -> data.countOf(d) > 0);
            int[] ids = new int[t];
            float[] w = new float[t];
            int n = 0;
            long[] keyed = new long[t];
            for (int i = 0; i < t; i++) keyed[i] = (long) p.listedDomain(i) << 32 | i;
            Arrays.sort(keyed);
            for (long kd : keyed) {
                int d = (int) (kd >>> 32), i = (int) kd;
                if (data.countOf(d) > 0 && p.listedValue(i) != rest) {
                    ids[n] = d;
                    w[n++] = p.listedValue(i);
                }
            }
            assertTrue(table.rebuild(ids, w, n, rest), what);
            assertEquals(t <= 400, table.hasFewColumns(), what);
            int draws = rng.nextInt(3 * MixtureSampler.DOMAINS_AHEAD);
            SeededRandom one = new SeededRandom(trial), two = new SeededRandom(trial);
            int[] want = new int[draws];
            for (int i = 0; i < draws; i++) {
                want[i] = table.draw(one);
                assertEquals(want[i], table.finish(table.start(two)), what + ": draw " + i + ", draw against finish(start)");
            }
            int[] got = new int[draws];
            whole.drawDomains(got);
            assertArrayEquals(want, got, what);
            int[] sizes = {0, 1, 7, MixtureSampler.DOMAINS_AHEAD, MixtureSampler.DOMAINS_AHEAD + 1};
            for (int at = 0; at < draws; ) {
                int[] part = new int[Math.min(draws - at, sizes[rng.nextInt(sizes.length)])];
                split.drawDomains(part);
                assertArrayEquals(Arrays.copyOfRange(want, at, at + part.length), part, what + ": split at " + at);
                at += part.length;
            }
            assertEquals(one.state(), whole.rngState(), what + ": the generator left where the single draws leave it");
            assertEquals(one.state(), split.rngState(), what);
            assertEquals(one.state(), two.state(), what);
        }
    }

    /** The same for grouped p' (one value per group for the unlisted domains): drawDomains against draw and finish(start). */
    @Test
    void groupedDrawsAreTheSingleDrawsInOrder() {
        long seed = new SplittableRandom().nextLong();
        SplittableRandom rng = new SplittableRandom(seed);
        int k = GroupedMixtureSamplerTest.K;
        ByteDataset data = SparseMixtureSamplerTest.dataset(k, d -> d % 17 == 3, 3, rng);
        for (int trial = 0; trial < 4; trial++) {
            DomainGroups groups = GroupedMixtureSamplerTest.randomGroups(k, rng);
            DomainProportions p = GroupedMixtureSamplerTest.randomGrouped(groups, trial % 2 == 0 ? 300 : 6000, rng);
            String what = "seed " + seed + ", trial " + trial;
            MixtureSampler sampler = new MixtureSampler(data, 3, 2, trial);
            sampler.setProportions(p);
            assertTrue(sampler.usesSparseTable(), what);
            SparseMixtureTable table = new SparseMixtureTable(k, d -> data.countOf(d) > 0);
            assertTrue(table.rebuildGrouped(p), what);
            SeededRandom one = new SeededRandom(trial), two = new SeededRandom(trial);
            int draws = 1 + rng.nextInt(3 * MixtureSampler.DOMAINS_AHEAD);
            int[] want = new int[draws];
            for (int i = 0; i < draws; i++) {
                want[i] = table.draw(one);
                assertEquals(want[i], table.finish(table.start(two)), what + ": draw " + i + ", draw against finish(start)");
            }
            int[] got = new int[draws];
            sampler.drawDomains(got);
            assertArrayEquals(want, got, what);
            assertEquals(one.state(), sampler.rngState(), what);
            assertEquals(one.state(), two.state(), what);
        }
    }

    /**
     * The sparse table (a shared rest value, 320 listed domains with their
     * own weights, some 0, some without examples): chi-square over the listed
     * domains and the rest's domains in 256 bins of consecutive domains.
     */
    @Test
    void sparseDrawsMatchTheProportions() {
        SplittableRandom rng = new SplittableRandom(83);
        int k = MixtureSampler.SPARSE_MIN_DOMAINS + 37, bins = 256;
        ByteDataset data = SparseMixtureSamplerTest.dataset(k, d -> d % 97 == 5, 5, rng);
        float rest = 1f / k;
        DomainProportions p = SparseMixtureSamplerTest.randomSparse(k, 320, rest, rng);
        float[] v = dev.rnb.testing.ProportionEntries.values(p);
        for (int i = 0; i < v.length; i++) if (v[i] != rest) v[i] *= 200; // the listed domains carry about half the mass
        p = DomainProportions.sparse(k, dev.rnb.testing.ProportionEntries.listed(p), v, rest);
        MixtureSampler s = new MixtureSampler(data, 4, 1, 11);
        s.setProportions(p);
        assertTrue(s.usesSparseTable());
        float[] dense = p.toArray();
        int draws = 2_000_000;
        long[] counts = new long[k];
        int[] out = new int[4096 + 5];
        for (int done = 0; done < draws; done += out.length) {
            if (draws - done < out.length) out = new int[draws - done];
            s.drawDomains(out);
            for (int d : out) counts[d]++;
        }
        double total = 0;
        for (int d = 0; d < k; d++) if (data.countOf(d) > 0) total += dense[d];
        double chi = 0;
        int cells = 0;
        double[] restExpected = new double[bins];
        long[] restCounts = new long[bins];
        for (int d = 0; d < k; d++) {
            if (data.countOf(d) == 0 || dense[d] == 0) {
                assertEquals(0, counts[d], "domain " + d + " has no examples or no weight");
            } else if (dense[d] == rest) {
                restExpected[(int) ((long) d * bins / k)] += draws * rest / total;
                restCounts[(int) ((long) d * bins / k)] += counts[d];
            } else {
                double expected = draws * dense[d] / total;
                chi += (counts[d] - expected) * (counts[d] - expected) / expected;
                cells++;
            }
        }
        for (int b = 0; b < bins; b++) {
            chi += (restCounts[b] - restExpected[b]) * (restCounts[b] - restExpected[b]) / restExpected[b];
            cells++;
        }
        assertTrue(cells > bins + 200, cells + " cells");
        assertChiSquare(chi, cells - 1, "sparse");
    }

    /**
     * A grouped p' whose groups of 10 have 4 listed members each (and some
     * domains without examples), so that about 2 in 5 rest draws meet a
     * listed member and draw again: drawDomains, in ragged calls, gives the
     * table's single draws in order and leaves the generator where they
     * leave it, however the draws that draw again fall in its blocks.
     */
    @Test
    void groupedDrawsThatMeetListedMembersAreTheSingleDraws() {
        long seed0 = new SplittableRandom().nextLong();
        SplittableRandom rng = new SplittableRandom(seed0);
        int k = MixtureSampler.SPARSE_MIN_DOMAINS + rng.nextInt(5000);
        ByteDataset data = SparseMixtureSamplerTest.dataset(k, d -> d % 211 == 7, 5, rng);
        int[] groupOf = new int[k];
        for (int d = 0; d < k; d++) groupOf[d] = d / 10;
        DomainGroups groups = new DomainGroups(groupOf, (k + 9) / 10);
        for (int trial = 0; trial < 6; trial++) {
            int[] ids = new int[k];
            float[] values = new float[k];
            int t = 0;
            for (int d = 0; d < k; d++) {
                if (d % 10 < 4 && (trial % 2 == 0 || rng.nextBoolean())) { // listed: 3 to 4 of a group of 10
                    ids[t] = d;
                    values[t++] = (float) ((0.5 + rng.nextDouble()) / k);
                }
            }
            float[] rests = new float[groups.groups()];
            for (int g = 0; g < rests.length; g++) rests[g] = rng.nextInt(5) == 0 ? 0f : (float) ((0.5 + rng.nextDouble()) / k);
            DomainProportions p = DomainProportions.grouped(groups, Arrays.copyOf(ids, t), Arrays.copyOf(values, t), rests);
            MixtureSampler whole = new MixtureSampler(data, 3, 2, trial), split = new MixtureSampler(data, 3, 2, trial);
            whole.setProportions(p);
            split.setProportions(p);
            SparseMixtureTable table = new SparseMixtureTable(k, d -> data.countOf(d) > 0);
            assertTrue(table.rebuildGrouped(p));
            assertTrue(whole.usesSparseTable() && table.isGrouped() && table.hasFewColumns() == (t <= DomainAliasTable.CACHED_COLUMNS));
            String what = "seed " + seed0 + ", trial " + trial + ", k = " + k + ", " + t + " listed";
            int n = 1 + rng.nextInt(3 * MixtureSampler.DOMAINS_AHEAD);
            SeededRandom reference = new SeededRandom(trial);
            int[] want = new int[n], got = new int[n], parts = new int[n];
            for (int i = 0; i < n; i++) want[i] = table.draw(reference);
            whole.drawDomains(got);
            assertArrayEquals(want, got, what);
            assertEquals(reference.state(), whole.rngState(), what + ": generator state");
            for (int at = 0; at < n; ) {
                int[] part = new int[Math.min(n - at, 1 + rng.nextInt(MixtureSampler.DOMAINS_AHEAD + 10))];
                split.drawDomains(part);
                System.arraycopy(part, 0, parts, at, part.length);
                at += part.length;
            }
            assertArrayEquals(want, parts, what + ": split into calls");
            assertEquals(reference.state(), split.rngState(), what + ": generator state after the calls");
        }
    }

    /** Normal approximation of chi2(df): at most 5 standard deviations above its mean. */
    private static void assertChiSquare(double chi, int df, String what) {
        assertTrue(df < 1 || chi < df + 5 * Math.sqrt(2.0 * df), what + ": chi2 " + chi + " with " + df + " degrees of freedom");
    }
}
