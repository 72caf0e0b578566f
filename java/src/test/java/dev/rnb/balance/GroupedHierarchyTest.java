package dev.rnb.balance;

import dev.rnb.backend.Backend;
import dev.rnb.backend.BalanceStep;
import dev.rnb.backend.Tensor;
import dev.rnb.data.DomainProportions;
import dev.rnb.data.MixtureSampler;
import dev.rnb.testing.Rng;
import dev.rnb.testing.TestBackends;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;
import java.util.SplittableRandom;

import static dev.rnb.testing.ProportionEntries.groupRests;
import static dev.rnb.testing.ProportionEntries.listed;
import static dev.rnb.testing.ProportionEntries.values;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * R&amp;B over groups at many domains: the grouped p' (touched and seen
 * domains plus one value per finest group) equals the dense p' of the same
 * rounds element-wise, to rounding, on random groups of one to three levels
 * (finest groups of 1 domain to tens of thousands), with and without carried
 * scores, with one lambda, each finest group's own (lambda=auto) or every node's own (lambda=auto-all), random touched sets of 1 to 400 domains, rounds where a whole group's
 * gradients are zero (the kept split, at a finest group and above), an empty
 * round; and a hierarchy restored mid-way from its carried scores gives the same bits.
 */
class GroupedHierarchyTest {
    static final int K = MixtureSampler.SPARSE_MIN_DOMAINS + 1234, H = 2, V = 3;
    static final float LAMBDA = 4f;

    private static float[] lambdas(HierarchicalUpdate h, String spec, float[] eval) {
        // auto-all floored at 1, not LAMBDA: above 4 every group level would sit at its floor (the rule is at most 4.16
        // over 16 children), and the per-node lambdas would be one number again.
        if (spec.contains("+autoall")) return h.autoAtEveryNode(eval, 1f);
        return spec.contains("+auto") ? h.autoWithinFinestGroups(eval, LAMBDA) : h.sameLambda(LAMBDA);
    }

    @ParameterizedTest
    @ValueSource(strings = {"8", "300", "8/16", "3/5/40", "8+carry", "300+carry", "8/16+carry", "3/5/40+carry",
            "8+auto", "3/5/40+auto", "8/16+carry+auto", "8/16+autoall", "3/5/40+carry+autoall"})
    void groupedRoundsMatchTheDenseRounds(String spec) {
        boolean carry = spec.contains("+carry");
        float keep = carry ? 0.6f : Float.NaN;
        Rng fresh = new Rng(); // a fresh seed each run, in the messages (-Drnb.test.seed=N replays it)
        SplittableRandom rng = new SplittableRandom(fresh.seed ^ spec.hashCode());
        int[][] parents = randomTree(rng, branching(spec));
        float[] eval = randomEval(rng);
        HierarchicalUpdate grouped = new HierarchicalUpdate(parents, keep, true);
        HierarchicalUpdate dense = new HierarchicalUpdate(parents, keep, false);
        assertEquals(parents[0].length, grouped.finestGroups().domains());
        // "+auto": each finest group at its own lambda (lambda=auto with a hierarchy), "+autoall" every node
        // (lambda=auto-all), the same nodes in both forms.
        float[] lambdas = lambdas(dense, spec, eval);
        assertArrayEquals(lambdas, lambdas(grouped, spec, eval));
        try (Backend b = TestBackends.openOrSkip("cpu");
             DomainGradients g = new DomainGradients(b, K, H, V, SketchSpec.EXACT, 1)) {
            DomainProportions pg = DomainProportions.uniform(K), pd = DomainProportions.uniform(K);
            for (int round = 0; round < 8; round++) {
                int zeroGroup = round % 3 == 2 ? parents[0][rng.nextInt(K)] : -1; // its finest group's gradients zero
                int zeroTop = round == 4 ? top(parents, rng.nextInt(K)) : -1; // a whole top group's zero
                accumulate(b, g, rng, round == 6 ? 0 : 1 + rng.nextInt(400), parents, zeroGroup, zeroTop);
                TouchedSoftmax.Step sd = dense.update(b, g, eval, lambdas, pd);
                TouchedSoftmax.Step sg = grouped.update(b, g, eval, lambdas, pg);
                g.reset();
                String what = spec + ", round " + round + " (" + fresh + ")";
                assertEquals(sd.status(), sg.status(), what);
                if (sd.status().skipped()) {
                    assertSame(pg, sg.next(), what + ": kept as it was");
                    continue;
                }
                assertTrue(sg.next().isGrouped(), what);
                float[] want = sd.next().toArray(), got = sg.next().toArray();
                double sum = 0;
                for (int i = 0; i < K; i++) {
                    assertEquals(want[i], got[i], 2e-6 * want[i] + 1e-30, what + ", domain " + i);
                    sum += got[i];
                }
                assertEquals(1.0, sum, 1e-4, what);
                pd = sd.next();
                pg = sg.next();
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"8+carry", "5/7+carry"})
    void aRestoredHierarchyGivesTheSameBits(String spec) {
        Rng fresh = new Rng();
        SplittableRandom rng = new SplittableRandom(fresh.seed ^ spec.hashCode());
        int[][] parents = randomTree(rng, branching(spec));
        float[] eval = randomEval(rng);
        HierarchicalUpdate a = new HierarchicalUpdate(parents, 0.5f);
        try (Backend b = TestBackends.openOrSkip("cpu");
             DomainGradients g = new DomainGradients(b, K, H, V, SketchSpec.EXACT, 1)) {
            long[] seeds = rng.longs(6).toArray();
            DomainProportions p = DomainProportions.uniform(K);
            for (int round = 0; round < 3; round++) p = round(a, b, g, eval, p, seeds[round], parents);
            HierarchicalUpdate restored = new HierarchicalUpdate(parents, 0.5f);
            restored.restoreCarriedScores(a.carriedScores());
            DomainProportions q = DomainProportions.grouped(restored.finestGroups(), listed(p), values(p), groupRests(p));
            for (int round = 3; round < 6; round++) {
                p = round(a, b, g, eval, p, seeds[round], parents);
                q = round(restored, b, g, eval, q, seeds[round], parents);
                assertArrayEquals(p.toArray(), q.toArray(), "round " + round + " (" + fresh + ")");
                assertEquals(p.listedCount(), q.listedCount());
            }
        }
    }

    private static DomainProportions round(HierarchicalUpdate h, Backend b, DomainGradients g, float[] eval, DomainProportions p,
                                           long seed, int[][] parents) {
        accumulate(b, g, new SplittableRandom(seed), 1 + (int) Math.floorMod(seed, 300L), parents, -1, -1);
        TouchedSoftmax.Step step = h.update(b, g, eval, h.sameLambda(LAMBDA), p);
        g.reset();
        assertEquals(BalanceStep.Status.UPDATED, step.status());
        return step.next();
    }

    private static int[] branching(String spec) {
        return Arrays.stream(spec.split("\\+")[0].split("/")).mapToInt(Integer::parseInt).toArray();
    }

    /**
     * Random groups, top level first in branching, returned finest first: each node's children are a random
     * partition of its members (every part non-empty, sizes ragged), so some finest groups hold one domain.
     */
    static int[][] randomTree(SplittableRandom rng, int[] branching) {
        int levels = branching.length;
        int[][] parents = new int[levels][];
        int[] groupOf = new int[K]; // current level's group of each domain
        int groups = 1;
        int[][] parentOfLevel = new int[levels][];
        for (int level = 0; level < levels; level++) {
            int[] next = new int[K];
            int[][] members = membersOf(groupOf, groups);
            int made = 0;
            int[] parentOfNew = new int[groups * branching[level]];
            for (int a = 0; a < groups; a++) {
                int[] m = members[a];
                int parts = Math.min(branching[level], m.length);
                // Shuffle the members, cut at parts - 1 random distinct points (with one singleton part now and then).
                shuffle(m, rng);
                int[] points = parts == 1 ? new int[0] : rng.ints(0, m.length - 1).distinct().limit(parts - 1).map(x -> x + 1).sorted().toArray();
                if (parts > 2 && rng.nextBoolean()) points[0] = 1; // a one-domain group
                Arrays.sort(points);
                points = Arrays.stream(points).distinct().toArray();
                int used = points.length + 1;
                int[] bounds = new int[used + 1];
                System.arraycopy(points, 0, bounds, 1, points.length);
                bounds[used] = m.length;
                for (int part = 0; part < used; part++) {
                    for (int j = bounds[part]; j < bounds[part + 1]; j++) next[m[j]] = made + part;
                    parentOfNew[made + part] = a;
                }
                made += used;
            }
            parentOfLevel[level] = Arrays.copyOf(parentOfNew, made);
            groupOf = next;
            groups = made;
        }
        parents[0] = groupOf;
        for (int j = 1; j < levels; j++) parents[j] = parentOfLevel[levels - j];
        return parents;
    }

    private static int[][] membersOf(int[] groupOf, int groups) {
        int[] count = new int[groups];
        for (int g : groupOf) count[g]++;
        int[][] out = new int[groups][];
        for (int g = 0; g < groups; g++) out[g] = new int[count[g]];
        int[] at = new int[groups];
        for (int d = 0; d < groupOf.length; d++) out[groupOf[d]][at[groupOf[d]]++] = d;
        return out;
    }

    private static void shuffle(int[] a, SplittableRandom rng) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1), t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    /** Domain i's top-level group. */
    private static int top(int[][] parents, int i) {
        int v = parents[0][i];
        for (int j = 1; j < parents.length; j++) v = parents[j][v];
        return v;
    }

    private static float[] randomEval(SplittableRandom rng) {
        float[] eval = new float[K];
        for (int i = 0; i < K; i++) eval[i] = rng.nextInt(5) == 0 ? 0f : (float) rng.nextDouble() / K;
        return eval;
    }

    /** n distinct touched domains, 1 to 3 rows each; rows in finest group zeroGroup or top group zeroTop have e = 0. */
    private static void accumulate(Backend b, DomainGradients g, SplittableRandom rng, int n, int[][] parents, int zeroGroup, int zeroTop) {
        if (n == 0) return;
        int[] touched = rng.ints(0, K).distinct().limit(n).toArray();
        if (zeroGroup >= 0) { // make sure some touched domains fall in it, beside others
            for (int i = 0, j = 0; i < K && j < Math.min(5, n / 2); i++) if (parents[0][i] == zeroGroup && !contains(touched, i)) touched[j++] = i;
        }
        int[] rowsOf = rng.ints(n, 1, 4).toArray();
        int rows = Arrays.stream(rowsOf).sum();
        int[] domainOfRow = new int[rows];
        float[] h = new float[rows * H], e = new float[rows * V];
        for (int s = 0, r = 0; s < n; s++) {
            for (int j = 0; j < rowsOf[s]; j++, r++) {
                domainOfRow[r] = touched[s];
                boolean zero = parents[0][touched[s]] == zeroGroup || zeroTop >= 0 && top(parents, touched[s]) == zeroTop;
                for (int x = 0; x < H; x++) h[r * H + x] = (float) rng.nextGaussian();
                for (int x = 0; x < V; x++) e[r * V + x] = zero ? 0f : (float) rng.nextGaussian();
            }
        }
        try (Tensor th = b.allocate(h.length); Tensor te = b.allocate(e.length)) {
            b.upload(h, 0, th, 0, h.length);
            b.upload(e, 0, te, 0, e.length);
            g.accumulate(th, te, rows, domainOfRow);
        }
    }

    private static boolean contains(int[] a, int x) {
        for (int v : a) if (v == x) return true;
        return false;
    }
}
