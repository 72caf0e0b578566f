package dev.rnb.data;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Grouped proportions (a value per group for its unlisted members) in the
 * sampler: draws against the proportions by chi-square at many domains
 * (groups of 1 to tens of thousands of domains, some listed whole or nearly,
 * domains without examples, listed values of 0 or equal to their group's),
 * the same draws for the same values, groups and group values in another
 * listing, the dense path below 2^16 domains, and the form's own arithmetic
 * against its expansion.
 */
class GroupedMixtureSamplerTest {
    static final int K = MixtureSampler.SPARSE_MIN_DOMAINS + 4321;

    /** Ragged random groups: a few large, many small, some of one domain. */
    static DomainGroups randomGroups(int k, SplittableRandom rng) {
        int[] groupOf = new int[k];
        int g = 0;
        for (int d = 0; d < k; ) {
            int size = switch (rng.nextInt(4)) {
                case 0 -> 1;
                case 1 -> 2 + rng.nextInt(5);
                case 2 -> 10 + rng.nextInt(300);
                default -> 1000 + rng.nextInt(20_000);
            };
            for (int i = 0; i < size && d < k; i++) groupOf[d++] = g;
            g++;
        }
        // Members need not be consecutive ids: shuffle the map.
        for (int i = k - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1), t = groupOf[i];
            groupOf[i] = groupOf[j];
            groupOf[j] = t;
        }
        return new DomainGroups(groupOf, g);
    }

    /**
     * Up to t listed domains plus a few small groups listed whole or nearly (at most k in all; some values 0, some
     * equal to their group's), random group values (some 0).
     */
    static DomainProportions randomGrouped(DomainGroups groups, int t, SplittableRandom rng) {
        int k = groups.domains();
        float[] rests = new float[groups.groups()];
        for (int g = 0; g < rests.length; g++) rests[g] = rng.nextInt(6) == 0 ? 0f : (float) rng.nextDouble() / k;
        boolean[] taken = new boolean[k];
        int[] ids = new int[k];
        float[] v = new float[k];
        int n = 0;
        for (int g = 0; g < groups.groups() && n < 150; g++) { // small groups listed whole or nearly
            if (groups.size(g) > 6 || rng.nextInt(3) != 0) continue;
            for (int i = 0; i < groups.size(g) && n < 150; i++) if (i > 0 || rng.nextBoolean()) taken[ids[n++] = groups.member(g, i)] = true;
        }
        int[] free = new int[k - n];
        for (int d = 0, j = 0; d < k; d++) if (!taken[d]) free[j++] = d;
        for (int j = 0; j < Math.min(t, free.length); j++) { // a partial shuffle of the unlisted domains
            int x = j + rng.nextInt(free.length - j), d = free[x];
            free[x] = free[j];
            ids[n++] = d;
        }
        for (int i = 0; i < n; i++) {
            int kind = rng.nextInt(10);
            float rest = rests[groups.groupOf(ids[i])];
            v[i] = kind == 0 ? 0f : kind == 1 ? rest : (float) (rng.nextDouble() * 40.0 / k + 1e-12);
        }
        return DomainProportions.grouped(groups, Arrays.copyOf(ids, n), Arrays.copyOf(v, n), rests);
    }

    /** Chi-square of the counts against p' (fresh seed each run): the listed domains, and each group's others in bins. */
    @Test
    void groupedDrawsMatchTheProportions() {
        long seed = new SplittableRandom().nextLong();
        SplittableRandom rng = new SplittableRandom(seed);
        ByteDataset data = SparseMixtureSamplerTest.dataset(K, d -> d % 17 == 3, 3, rng);
        DomainGroups groups = randomGroups(K, rng);
        DomainProportions p = randomGrouped(groups, 400, rng);
        float[] want = p.toArray();
        MixtureSampler sampler = new MixtureSampler(data, 100_000, 1, rng.nextLong());
        sampler.setProportions(p);
        assertTrue(sampler.usesSparseTable(), "seed " + seed);

        long draws = 2_000_000;
        long[] counts = new long[K];
        for (long done = 0; done < draws; done += 100_000) {
            for (int d : sampler.next().domainOfSequence()) counts[d]++;
        }
        // Cells: each domain with its own value (not its group's), and each group's other members split into up to
        // 8 bins by member index (uniform within the group).
        double total = 0;
        for (int d = 0; d < K; d++) if (data.countOf(d) > 0) total += want[d];
        double chi = 0;
        int cells = 0;
        int[] bins = new int[groups.groups()];
        double[][] expected = new double[groups.groups()][];
        long[][] seen = new long[groups.groups()][];
        for (int g = 0; g < groups.groups(); g++) {
            bins[g] = Math.min(8, groups.size(g));
            expected[g] = new double[bins[g]];
            seen[g] = new long[bins[g]];
        }
        double smallExpected = 0;
        long smallSeen = 0;
        for (int g = 0; g < groups.groups(); g++) {
            float rest = p.groupRest(g);
            for (int i = 0; i < groups.size(g); i++) {
                int d = groups.member(g, i);
                double e = data.countOf(d) == 0 ? 0 : draws * want[d] / total;
                if (e == 0) {
                    assertEquals(0, counts[d], "seed " + seed + ": domain " + d + " has no weight or no examples but was drawn");
                } else if (want[d] != rest && e >= 5) {
                    chi += (counts[d] - e) * (counts[d] - e) / e;
                    cells++;
                } else if (want[d] != rest) { // too few expected for a cell of its own: pooled
                    smallExpected += e;
                    smallSeen += counts[d];
                } else {
                    int bin = (int) ((long) i * bins[g] / groups.size(g));
                    expected[g][bin] += e;
                    seen[g][bin] += counts[d];
                }
            }
        }
        for (int g = 0; g < groups.groups(); g++) {
            for (int bin = 0; bin < bins[g]; bin++) {
                if (expected[g][bin] == 0) continue;
                chi += (seen[g][bin] - expected[g][bin]) * (seen[g][bin] - expected[g][bin]) / expected[g][bin];
                cells++;
            }
        }
        if (smallExpected > 0) {
            chi += (smallSeen - smallExpected) * (smallSeen - smallExpected) / smallExpected;
            cells++;
        }
        double df = cells - 1;
        assertTrue(cells > 300, "seed " + seed + ": " + cells + " cells");
        assertTrue(chi < df + 5 * Math.sqrt(2 * df), "seed " + seed + ": chi2 " + chi + " with " + df + " degrees of freedom");
    }

    /** The draws depend on the values, the groups and the group values only: not on the listing's order or its entries equal to their group's. */
    @Test
    void theSameValuesAndGroupValuesDrawTheSameDomains() {
        SplittableRandom rng = new SplittableRandom(89);
        ByteDataset data = SparseMixtureSamplerTest.dataset(K, d -> d % 11 == 0, 3, rng);
        DomainGroups groups = randomGroups(K, rng);
        for (int trial = 0; trial < 3; trial++) {
            DomainProportions p = randomGrouped(groups, 50 + rng.nextInt(400), rng);
            // The same values listed otherwise: reversed, without the entries equal to their group's, plus some unlisted ones at it.
            int n = p.listedCount();
            int[] ids = new int[n + 20];
            float[] v = new float[n + 20];
            int m = 0;
            for (int i = n - 1; i >= 0; i--) {
                if (p.listedValue(i) == p.groupRest(groups.groupOf(p.listedDomain(i)))) continue;
                ids[m] = p.listedDomain(i);
                v[m++] = p.listedValue(i);
            }
            boolean[] listed = new boolean[K];
            for (int i = 0; i < n; i++) listed[p.listedDomain(i)] = true;
            for (int extra = 0; extra < 20; ) {
                int d = rng.nextInt(K);
                if (listed[d]) continue;
                listed[d] = true;
                ids[m] = d;
                v[m++] = p.groupRest(groups.groupOf(d));
                extra++;
            }
            float[] rests = new float[groups.groups()];
            for (int g = 0; g < rests.length; g++) rests[g] = p.groupRest(g);
            DomainProportions q = DomainProportions.grouped(groups, Arrays.copyOf(ids, m), Arrays.copyOf(v, m), rests);
            assertArrayEquals(p.toArray(), q.toArray());
            MixtureSampler a = new MixtureSampler(data, 5000, 2, 31 + trial), b = new MixtureSampler(data, 5000, 2, 31 + trial);
            a.setProportions(p);
            b.setProportions(q);
            for (int i = 0; i < 3; i++) assertArrayEquals(a.next().domainOfSequence(), b.next().domainOfSequence(), "trial " + trial + ", batch " + i);
        }
    }

    /** Below 2^16 domains a grouped p' is drawn as its k values always were (the dense table). */
    @Test
    void fewDomainsDrawTheDenseTablesDomains() {
        SplittableRandom rng = new SplittableRandom(97);
        int k = 3000;
        ByteDataset data = SparseMixtureSamplerTest.dataset(k, d -> d % 7 == 0, 3, rng);
        DomainGroups groups = randomGroups(k, rng);
        DomainProportions p = randomGrouped(groups, 100, rng);
        MixtureSampler a = new MixtureSampler(data, 500, 3, 5), b = new MixtureSampler(data, 500, 3, 5);
        a.setProportions(p);
        b.setProportions(p.toArray());
        assertFalse(a.usesSparseTable());
        for (int i = 0; i < 3; i++) assertArrayEquals(b.next().domainOfSequence(), a.next().domainOfSequence());
    }

    /** The form's arithmetic against its expansion: the uniform mix, the L1 distance against every other form, re-grouping. */
    @Test
    void groupedFormAgainstItsExpansion() {
        SplittableRandom rng = new SplittableRandom(101);
        for (int trial = 0; trial < 40; trial++) {
            int k = 1 + rng.nextInt(trial < 20 ? 40 : 3000);
            DomainGroups groups = randomGroups(k, rng);
            DomainProportions a = randomGrouped(groups, rng.nextInt(k + 1), rng);
            float[] dense = a.toArray();
            for (int i = 0; i < a.listedCount(); i++) assertEquals(a.listedValue(i), dense[a.listedDomain(i)]);
            float u = rng.nextBoolean() ? 0f : (float) rng.nextDouble();
            float[] mixed = a.mixWithUniform(u).toArray(), mixedDense = DomainProportions.dense(dense).mixWithUniform(u).toArray();
            for (int i = 0; i < k; i++) assertEquals(mixedDense[i], mixed[i], 1e-6 * Math.abs(mixedDense[i]) + 1e-12);
            DomainProportions[] others = {
                    randomGrouped(groups, rng.nextInt(k + 1), rng),
                    SparseMixtureSamplerTest.randomSparse(k, rng.nextInt(k + 1), (float) rng.nextDouble() / k, rng),
                    DomainProportions.dense(randomGrouped(groups, rng.nextInt(k + 1), rng).toArray()),
                    randomGrouped(randomGroups(k, rng), rng.nextInt(k + 1), rng)};
            for (DomainProportions b : others) {
                for (DomainProportions[] pair : new DomainProportions[][] {{a, b}, {b, a}}) {
                    double[] got = pair[0].l1DistanceAndMax(pair[1]);
                    double[] want = DomainProportions.dense(pair[0].toArray()).l1DistanceAndMax(DomainProportions.dense(pair[1].toArray()));
                    assertEquals(want[0], got[0], 1e-6 * want[0] + 1e-9, "L1, trial " + trial);
                    assertEquals(want[1], got[1], "largest value, trial " + trial);
                }
                DomainProportions regrouped = b.groupedBy(groups);
                assertTrue(regrouped.isGrouped());
                assertArrayEquals(b.toArray(), regrouped.toArray(), "re-grouped, trial " + trial);
            }
            assertTrue(a == a.groupedBy(groups));
            int[] map = new int[k];
            for (int d = 0; d < k; d++) map[d] = groups.groupOf(d);
            DomainGroups same = new DomainGroups(map, groups.groups());
            DomainProportions rebound = a.groupedBy(same);
            assertTrue(rebound.groups() == same && same.samePartition(groups), "the same partition in another object");
            assertArrayEquals(dense, rebound.toArray());
            assertEquals(a.listedCount(), rebound.listedCount());
            if (groups.groups() > 1) { // two groups' numbers swapped: another partition by number
                for (int d = 0; d < k; d++) map[d] = map[d] == 0 ? 1 : map[d] == 1 ? 0 : map[d];
                assertFalse(new DomainGroups(map, groups.groups()).samePartition(groups));
            }
            assertTrue(a == a.compact());
        }
        DomainGroups two = new DomainGroups(new int[] {1, 0, 1}, 2);
        assertThrows(IllegalStateException.class, () -> DomainProportions.grouped(two, new int[0], new float[0], new float[] {1f, 2f}).rest());
        assertThrows(IllegalArgumentException.class, () -> DomainProportions.grouped(two, new int[0], new float[0], new float[] {1f}));
        assertThrows(IllegalArgumentException.class, () -> DomainProportions.grouped(two, new int[] {3}, new float[] {1f}, new float[] {1f, 1f}));
        assertThrows(IllegalArgumentException.class, () -> new DomainGroups(new int[] {0, 2}, 3), "group 1 has no member");
        assertThrows(IllegalArgumentException.class, () -> new DomainGroups(new int[] {0, 3}, 3));
    }
}
