package dev.rnb.balance;

import dev.rnb.backend.Backend;
import dev.rnb.backend.BalanceStep;
import dev.rnb.testing.TestBackends;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * R&amp;B over clusters of clusters: by hand on 2 groups of 3 and 2 domains, and on three levels with and without
 * carried scores, and with lambda=auto's lambda per finest group and lambda=auto-all's per node; reducing to the paper's update at G = 1 and G = k,
 * and degenerate levels to fewer levels.
 */
class HierarchicalUpdateTest {
    /** Groups {0, 1, 2} and {3, 4}. */
    private static final int[] GROUPS = {0, 0, 0, 1, 1};
    private static final float[] EVAL = {0.1f, 0.2f, 0.3f, 0.25f, 0.15f};

    @ParameterizedTest
    @ValueSource(strings = {"reference", "cpu", "cuda-emulated", "cuda"})
    void matchesARoundComputedByHand(String name) {
        try (Backend b = TestBackends.openOrSkip(name);
             RnbBalancer balancer = RnbBalancer.builder(b, 5, 1, 1).lambda(1f).evalProportions(EVAL).hierarchy(GROUPS).build()) {
            // Domain 0: rows e = 2, 4 (h = 1): x0 = 6 / 2 = 3; domain 1: h = 2, e = -1: x1 = -2; domain 3: x3 = 1; 2 and 4 absent.
            balancer.accumulate(new float[] {1, 2, 1, 1}, new float[] {2, -1, 4, 1}, new int[] {0, 1, 0, 3}, 4);
            float[] p = balancer.endRound().proportions();
            // Groups: x_A = (6 - 2) / 3 = 4/3, x_B = 1; P = (0.6, 0.4); V = 0.6 * 4/3 + 0.4 = 1.2;
            // s = (1.6, 1.2), ||s|| = 2: group logits (0.8, 0.6), each plus log of the group's size.
            double[] q = softmax(0.8 + Math.log(3), 0.6 + Math.log(2));
            // Within A: v = 0.1 * 3 + 0.2 * (-2) = -0.1; t = (-0.3, 0.2), ||t|| = sqrt(0.13); domain 2 absent: 0.
            double r = Math.sqrt(0.13);
            double[] a = softmax(-0.3 / r, 0.2 / r, 0);
            // Within B: v = 0.25 * 1; t3 = 0.25, ||t|| = 0.25: logit 1; domain 4 absent: 0.
            double[] c = softmax(1, 0);
            assertProportions(p, q[0] * a[0], q[0] * a[1], q[0] * a[2], q[1] * c[0], q[1] * c[1]);

            // Round two: domain 3 alone. Group A untouched: logit 0 and uniform within; group B: s = 0.4 > 0, logit 1.
            balancer.accumulate(new float[] {1}, new float[] {-3}, new int[] {3}, 1);
            p = balancer.endRound().proportions();
            q = softmax(Math.log(3), 1 + Math.log(2));
            c = softmax(1, 0);
            assertProportions(p, q[0] / 3, q[0] / 3, q[0] / 3, q[1] * c[0], q[1] * c[1]);

            assertEquals(BalanceStep.Status.SKIPPED_NO_DOMAIN, balancer.endRound().status(), "an empty round is skipped");
            assertProportions(balancer.proportions(), q[0] / 3, q[0] / 3, q[0] / 3, q[1] * c[0], q[1] * c[1]);
        }
    }

    /**
     * lambda=auto with a hierarchy: the root keeps the lambda set (0.2), each finest group splits at the rule's lambda
     * for its own domains' proportions, floored at the root's: A = {0.1, 0.2, 0.3}: lambda* = ln 2 sqrt(0.14) / 0.3,
     * below 1.5 ln 3, so lambda* / 2 = 0.43; B = {0.25, 0.15}: two domains, lambda* = ln 1 = 0, floored to 0.2.
     */
    @ParameterizedTest
    @ValueSource(strings = {"reference", "cpu", "cuda-emulated", "cuda"})
    void autoLambdaSetsEachFinestGroupsOwnLambda(String name) {
        try (Backend b = TestBackends.openOrSkip(name);
             RnbBalancer balancer = RnbBalancer.builder(b, 5, 1, 1).lambda(0.2f).autoLambda().evalProportions(EVAL).hierarchy(GROUPS).build()) {
            double lambdaA = Math.log(2) * Math.sqrt(0.14) / 0.3 / 2, lambdaB = 0.2f;
            float[] lambdas = balancer.groupLambdas();
            assertEquals(3, lambdas.length, "groups A and B, then the root");
            assertEquals(lambdaA, lambdas[0], 1e-6 * lambdaA);
            assertEquals(lambdaB, lambdas[1]);
            assertEquals(0.2f, lambdas[2]);
            assertEquals(0.2f, balancer.lambda(), "lambda() is the levels' above the finest groups");
            balancer.accumulate(new float[] {1, 2, 1, 1}, new float[] {2, -1, 4, 1}, new int[] {0, 1, 0, 3}, 4);
            float[] p = balancer.endRound().proportions();
            // The scores of matchesARoundComputedByHand, each level at its own lambda: the root's 0.2, A's, B's 0.2.
            double[] q = softmax(0.2 * 0.8 + Math.log(3), 0.2 * 0.6 + Math.log(2));
            double r = Math.sqrt(0.13);
            double[] a = softmax(-0.3 / r * lambdaA, 0.2 / r * lambdaA, 0);
            double[] c = softmax(lambdaB, 0);
            assertProportions(p, q[0] * a[0], q[0] * a[1], q[0] * a[2], q[1] * c[0], q[1] * c[1]);
        }
    }

    /**
     * lambda=auto-all by hand: 16 domains in 8 groups of 2; the groups' evaluation shares 0.5, 0.3 and 0.2 / 6 for
     * each other: at the root ||P|| = sqrt(0.25 + 0.09 + 6 (0.2 / 6)^2), lambda* = ln 7 ||P|| / 0.5, below
     * 2 (1.5 ln 8), so the root's lambda is lambda* / 2 = 1.146 (above the floor 0.5); each finest group keeps
     * lambda=auto's (two domains: ln 1 = 0, the floor).
     */
    @Test
    void autoAtEveryNodeByHand() {
        int[] groupOf = new int[16];
        float[] p = new float[16];
        for (int i = 0; i < 16; i++) {
            groupOf[i] = i / 2;
            p[i] = i < 2 ? 0.25f : i < 4 ? 0.15f : 0.2f / 12;
        }
        HierarchicalUpdate h = new HierarchicalUpdate(groupOf);
        float[] lambdas = h.autoAtEveryNode(p, 0.5f);
        assertEquals(9, lambdas.length, "8 groups, then the root");
        double norm = Math.sqrt(0.25 + 0.09 + 6 * (0.2 / 6) * (0.2 / 6));
        double root = Math.log(7) * norm / 0.5 / 2;
        assertEquals(1.146, root, 1e-3);
        assertEquals(root, lambdas[8], 1e-5 * root);
        for (int a = 0; a < 8; a++) assertEquals(0.5f, lambdas[a], "group " + a + ": two domains, the floor");
        float[] finestOnly = h.autoWithinFinestGroups(p, 0.5f);
        assertEquals(0.5f, finestOnly[8], "lambda=auto leaves the root at the floor");
        try (Backend b = TestBackends.openOrSkip("reference");
             RnbBalancer balancer = RnbBalancer.builder(b, 16, 1, 1).lambda(0.5f).autoLambdaAtEveryLevel().evalProportions(p)
                     .hierarchy(groupOf).build()) {
            org.junit.jupiter.api.Assertions.assertArrayEquals(lambdas, balancer.groupLambdas(), "the balancer's");
            assertEquals(0.5f, balancer.lambda(), "lambda() is the floor");
        }
    }

    /**
     * lambda=auto-all on random three-level trees: each node's lambda is max(floor, the rule over its children's
     * shares), the shares summed here from the parents arrays alone; the finest groups' equal lambda=auto's; none
     * with any share under it above min(1.5 ln m, ln(m - 1) sqrt(m) / 2) over m children, nor any below the floor.
     */
    @Test
    void autoAtEveryNodeIsTheRuleOverEachNodesChildren() {
        Random rnd = new Random();
        long seed = rnd.nextLong();
        rnd.setSeed(seed);
        for (int trial = 0; trial < 20; trial++) {
            int k = 2 + rnd.nextInt(300);
            int g0 = 1 + rnd.nextInt(k), g1 = 1 + rnd.nextInt(g0), g2 = 1 + rnd.nextInt(g1);
            int[][] parents = {labels(rnd, k, g0), labels(rnd, g0, g1), labels(rnd, g1, g2)};
            float[] p = new float[k];
            for (int i = 0; i < k; i++) p[i] = rnd.nextInt(4) == 0 ? 0 : rnd.nextFloat();
            float floor = rnd.nextFloat() * 2;
            float[] lambdas = new HierarchicalUpdate(parents, Float.NaN).autoAtEveryNode(p, floor);
            float[] finestOnly = new HierarchicalUpdate(parents, Float.NaN).autoWithinFinestGroups(p, floor);
            String at = "seed " + seed + " trial " + trial;
            assertEquals(g0 + g1 + g2 + 1, lambdas.length, at);
            for (int a = 0; a < g0; a++) assertEquals(finestOnly[a], lambdas[a], at + ": finest group " + a);
            double[] share = new double[k];
            for (int i = 0; i < k; i++) share[i] = p[i];
            int offset = g0;
            for (int level = 1; level <= 3; level++) {
                int[] up = level < 3 ? parents[level] : new int[g2]; // the root: every top group's parent
                int groups = level < 3 ? (level == 1 ? g1 : g2) : 1;
                double[] below = level == 1 ? groupSums(share, parents[0], g0) : share;
                java.util.List<java.util.List<Float>> children = new java.util.ArrayList<>();
                for (int b = 0; b < groups; b++) children.add(new java.util.ArrayList<>());
                for (int a = 0; a < up.length; a++) children.get(up[a]).add((float) below[a]);
                for (int b = 0; b < groups; b++) {
                    float[] c = new float[children.get(b).size()];
                    for (int q = 0; q < c.length; q++) c[q] = children.get(b).get(q);
                    float want = Math.max(floor, LambdaRule.auto(c));
                    assertEquals(want, lambdas[offset + b], 1e-6f * want, at + ": level " + level + " group " + b);
                    int m = c.length;
                    boolean none = true;
                    for (float x : c) none &= x == 0;
                    // No share under the node: lambda* is undefined and the rule is 1.5 ln m (its G p is 0 and its
                    // split is kept whatever its lambda).
                    double bound = m < 2 ? 0 : none ? 1.5 * Math.log(m) : Math.min(1.5 * Math.log(m), Math.log(m - 1) * Math.sqrt(m) / 2);
                    assertTrue(lambdas[offset + b] <= Math.max(floor, bound) * (1 + 1e-6), at + ": bound");
                }
                share = level == 1 ? groupSums(below, parents[1], g1) : level == 2 ? groupSums(below, parents[2], g2) : null;
                offset += groups;
            }
        }
    }

    /** n nodes into g groups, none empty, in a random order. */
    private static int[] labels(Random rnd, int n, int g) {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) out[i] = i < g ? i : rnd.nextInt(g);
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1), t = out[i];
            out[i] = out[j];
            out[j] = t;
        }
        return out;
    }

    private static double[] groupSums(double[] values, int[] groupOf, int groups) {
        double[] out = new double[groups];
        for (int i = 0; i < values.length; i++) out[groupOf[i]] += values[i];
        return out;
    }

    /** One group is the paper's update over the domains; one domain per group (in any labelling) is the paper's update too. */
    @ParameterizedTest
    @ValueSource(strings = {"reference", "cpu", "cuda-emulated", "cuda"})
    void oneGroupAndOneDomainPerGroupAreThePapersUpdate(String name) {
        Random rnd = new Random(name.hashCode());
        try (Backend b = TestBackends.openOrSkip(name)) {
            for (int trial = 0; trial < 6; trial++) {
                int k = 3 + rnd.nextInt(12), hidden = 1 + rnd.nextInt(5), vocab = 1 + rnd.nextInt(7);
                float lambda = 0.5f + 4 * rnd.nextFloat();
                float[] eval = new float[k];
                for (int i = 0; i < k; i++) eval[i] = rnd.nextFloat();
                int[] one = new int[k], own = new int[k];
                for (int i = 0; i < k; i++) own[i] = (i * 7 + trial) % k; // a permutation: labels need not follow domain ids
                if (java.util.Arrays.stream(own).distinct().count() != k) for (int i = 0; i < k; i++) own[i] = k - 1 - i;
                try (RnbBalancer paper = RnbBalancer.builder(b, k, hidden, vocab).lambda(lambda).evalProportions(eval).build();
                     RnbBalancer single = RnbBalancer.builder(b, k, hidden, vocab).lambda(lambda).evalProportions(eval).hierarchy(one).build();
                     RnbBalancer each = RnbBalancer.builder(b, k, hidden, vocab).lambda(lambda).evalProportions(eval).hierarchy(own).build()) {
                    for (int round = 0; round < 2; round++) {
                        int rows = 1 + rnd.nextInt(3 * k);
                        float[] h = gaussian(rnd, rows * hidden), e = gaussian(rnd, rows * vocab);
                        int[] domain = new int[rows];
                        for (int r = 0; r < rows; r++) domain[r] = rnd.nextInt(Math.max(1, k - 2)); // the last two absent
                        for (RnbBalancer x : new RnbBalancer[] {paper, single, each}) x.accumulate(h, e, domain, rows);
                        float[] expected = paper.endRound().proportions();
                        assertRelative(expected, single.endRound().proportions(), "G = 1, k = " + k);
                        assertRelative(expected, each.endRound().proportions(), "G = k = " + k);
                    }
                }
            }
        }
    }

    /** Three levels: top groups {sub0, sub1} and {sub2}; sub0 = {0, 1}, sub1 = {2, 3}, sub2 = {4, 5}. */
    private static final int[][] TREE = {{0, 0, 1, 1, 2, 2}, {0, 0, 1}};
    private static final float[] EVAL6 = {0.1f, 0.2f, 0.15f, 0.05f, 0.3f, 0.2f};

    /** Round one of {@link #TREE}: x0 = 2, x1 = 3, x2 = 2, x4 = 3 (h = 1 or as given, e as given, one row each); 3 and 5 absent. */
    private static void roundOne(RnbBalancer balancer) {
        balancer.accumulate(new float[] {1, 1, 2, 1}, new float[] {2, 3, 1, 3}, new int[] {0, 1, 2, 4}, 4);
    }

    /** What round one gives at temperature lambda, by hand; also each node's normalised score (for carried scores). */
    private static double[] roundOneByHand(double lambda, java.util.Map<String, Double> scores) {
        // Root: T0 = {0..3}: g = 2 + 3 + 2 over 3 rows, x = 7/3, P = 0.5; T1 = {4, 5}: x = 3, P = 0.5.
        // V = 0.5 * 7/3 + 0.5 * 3 = 8/3; s = (56/9, 8); logits lambda s / ||s|| plus log of 4 and 2 domains.
        double n = Math.hypot(56.0 / 9, 8);
        scores.put("T0", 56.0 / 9 / n);
        scores.put("T1", 8 / n);
        double[] top = softmax(lambda * 56.0 / 9 / n + Math.log(4), lambda * 8 / n + Math.log(2));
        // Within T0: sub0 = {0, 1}: x = 5/2, P = 0.3; sub1 = {2, 3}: x = 2 (3 absent), P = 0.2;
        // V = 0.75 + 0.4 = 1.15; s = (2.875, 2.3); logits plus log 2 each.
        double m = Math.hypot(2.875, 2.3);
        scores.put("sub0", 2.875 / m);
        scores.put("sub1", 2.3 / m);
        double[] mid = softmax(lambda * 2.875 / m + Math.log(2), lambda * 2.3 / m + Math.log(2));
        // T1 has one child, sub2: all of T1's share. Within sub0: V = 0.1 * 2 + 0.2 * 3 = 0.8, t = (1.6, 2.4).
        double r = Math.hypot(1.6, 2.4);
        scores.put("0", 1.6 / r);
        scores.put("1", 2.4 / r);
        double[] a = softmax(lambda * 1.6 / r, lambda * 2.4 / r);
        // Within sub1: V = 0.15 * 2, t2 = 0.6: normalised 1; domain 3 absent: 0. Within sub2 the same for domain 4.
        scores.put("2", 1.0);
        scores.put("4", 1.0);
        double[] b = softmax(lambda, 0), c = softmax(lambda, 0);
        return new double[] {top[0] * mid[0] * a[0], top[0] * mid[0] * a[1], top[0] * mid[1] * b[0], top[0] * mid[1] * b[1],
                top[1] * c[0], top[1] * c[1]};
    }

    @ParameterizedTest
    @ValueSource(strings = {"reference", "cpu", "cuda-emulated", "cuda"})
    void threeLevelsMatchTwoRoundsComputedByHand(String name) {
        try (Backend b = TestBackends.openOrSkip(name);
             RnbBalancer balancer = RnbBalancer.builder(b, 6, 1, 1).lambda(1f).evalProportions(EVAL6).hierarchy(TREE).build()) {
            roundOne(balancer);
            assertProportions(balancer.endRound().proportions(), roundOneByHand(1, new java.util.HashMap<>()));

            // Round two: domain 5 alone (x5 = -1). T0 untouched: logit 0 + log 4, uniform over its 4 domains.
            // T1: V = 0.5 * -1, s = 0.5: logit 1 + log 2; its one child sub2; within it t5 = 0.2 > 0: logit 1, domain 4 absent: 0.
            balancer.accumulate(new float[] {1}, new float[] {-1}, new int[] {5}, 1);
            float[] p = balancer.endRound().proportions();
            double[] top = softmax(Math.log(4), 1 + Math.log(2)), c = softmax(0, 1);
            assertProportions(p, top[0] / 4, top[0] / 4, top[0] / 4, top[0] / 4, top[1] * c[0], top[1] * c[1]);
        }
    }

    /**
     * hier + absent=carry: every node's normalised score within its parent is averaged over the rounds it was
     * touched (keep 0.5) and stands in for it when absent, at every level, touched parent or not.
     */
    @ParameterizedTest
    @ValueSource(strings = {"reference", "cpu", "cuda-emulated", "cuda"})
    void carriedScoresAtEveryLevelMatchTwoRoundsComputedByHand(String name) {
        double lambda = 2;
        try (Backend b = TestBackends.openOrSkip(name);
             RnbBalancer balancer = RnbBalancer.builder(b, 6, 1, 1).lambda((float) lambda).evalProportions(EVAL6)
                     .hierarchy(TREE).carryAbsent(0.5f).build()) {
            java.util.Map<String, Double> m = new java.util.HashMap<>();
            roundOne(balancer);
            assertProportions(balancer.endRound().proportions(), roundOneByHand(lambda, m)); // nothing carried yet: round one as without

            // Round two: domain 5 alone, x5 = -1. Root: T1 touched, s = 0.5, normalised 1: logit lambda + log 2, and
            // m_T1 = (m_T1 + 1) / 2; T0 absent: lambda m_T0 + log 4. Inside T0 (untouched): sub0, sub1 by their averages
            // (+ log 2), and within them domains 0, 1, 2 by theirs, 3 never seen: 0. T1's sole child sub2: within it
            // domain 5 normalised 1: logit lambda; domain 4 absent: lambda m_4.
            balancer.accumulate(new float[] {1}, new float[] {-1}, new int[] {5}, 1);
            float[] p = balancer.endRound().proportions();
            double[] top = softmax(lambda * m.get("T0") + Math.log(4), lambda + Math.log(2));
            double[] mid = softmax(lambda * m.get("sub0") + Math.log(2), lambda * m.get("sub1") + Math.log(2));
            double[] a = softmax(lambda * m.get("0"), lambda * m.get("1"));
            double[] bb = softmax(lambda * m.get("2"), 0);
            double[] c = softmax(lambda * m.get("4"), lambda);
            double[] expected = {top[0] * mid[0] * a[0], top[0] * mid[0] * a[1], top[0] * mid[1] * bb[0], top[0] * mid[1] * bb[1],
                    top[1] * c[0], top[1] * c[1]};
            assertProportions(p, expected);

            // The state: domains first, then the finest groups (sub0, sub1, sub2), then the top groups (T0, T1).
            double[] state = balancer.carriedScores();
            assertEquals(6 + 3 + 2, state.length);
            double[] expectedState = {m.get("0"), m.get("1"), m.get("2"), Double.NaN, m.get("4"), 1,
                    m.get("sub0"), m.get("sub1"), Double.NaN, m.get("T0"), (m.get("T1") + 1) / 2};
            for (int i = 0; i < state.length; i++) assertEquals(expectedState[i], state[i], 1e-6, "node " + i);

            // An empty round is skipped and carries nothing; a round whose G p is non-finite neither.
            assertEquals(BalanceStep.Status.SKIPPED_NO_DOMAIN, balancer.endRound().status());
            balancer.accumulate(new float[] {1}, new float[] {Float.NaN}, new int[] {0}, 1);
            assertEquals(BalanceStep.Status.SKIPPED_NON_FINITE, balancer.endRound().status());
            assertEquals(java.util.Arrays.toString(state), java.util.Arrays.toString(balancer.carriedScores()));
            assertProportions(balancer.proportions(), expected);
        }
    }

    /**
     * Degenerate levels reduce to fewer: a top level of one group, a level of one subgroup per group and a level
     * of one-domain subgroups each give the two-level update; one top group of one-domain subgroups gives the
     * paper's; with carried scores, one group and one-domain groups give the flat carried update.
     */
    @ParameterizedTest
    @ValueSource(strings = {"reference", "cpu", "cuda-emulated", "cuda"})
    void degenerateLevelsAreTheTwoLevelAndThePapersUpdate(String name) {
        Random rnd = new Random(name.hashCode() * 31L + 7);
        try (Backend b = TestBackends.openOrSkip(name)) {
            for (int trial = 0; trial < 6; trial++) {
                int k = 4 + rnd.nextInt(40), g = 2 + rnd.nextInt(Math.min(k - 2, 8)), hidden = 1 + rnd.nextInt(4), vocab = 1 + rnd.nextInt(6);
                float lambda = 0.5f + 4 * rnd.nextFloat(), keep = 0.8f * rnd.nextFloat();
                float[] eval = new float[k];
                for (int i = 0; i < k; i++) eval[i] = rnd.nextFloat();
                int[] groupOf = new int[k], own = new int[k], zeros = new int[k], identityG = new int[g];
                for (int i = 0; i < k; i++) groupOf[i] = i < g ? (i + trial) % g : rnd.nextInt(g); // the first g: every group has a member
                for (int i = 0; i < k; i++) own[i] = (i * 7 + trial) % k;
                if (java.util.Arrays.stream(own).distinct().count() != k) for (int i = 0; i < k; i++) own[i] = k - 1 - i;
                for (int a = 0; a < g; a++) identityG[a] = a;
                int[] groupOfOwn = new int[k]; // the one-domain subgroup own[i] lies in domain i's group
                for (int i = 0; i < k; i++) groupOfOwn[own[i]] = groupOf[i];
                try (RnbBalancer two = RnbBalancer.builder(b, k, hidden, vocab).lambda(lambda).evalProportions(eval).hierarchy(groupOf).build();
                     RnbBalancer paper = RnbBalancer.builder(b, k, hidden, vocab).lambda(lambda).evalProportions(eval).build();
                     RnbBalancer oneTop = tree(b, k, hidden, vocab, lambda, eval, Float.NaN, groupOf, new int[g]);
                     RnbBalancer oneSub = tree(b, k, hidden, vocab, lambda, eval, Float.NaN, groupOf, identityG);
                     RnbBalancer ownSub = tree(b, k, hidden, vocab, lambda, eval, Float.NaN, own, groupOfOwn);
                     RnbBalancer flat3 = tree(b, k, hidden, vocab, lambda, eval, Float.NaN, own, new int[k]);
                     RnbBalancer carried = RnbBalancer.builder(b, k, hidden, vocab).lambda(lambda).evalProportions(eval).carryAbsent(keep).build();
                     RnbBalancer carriedOne = tree(b, k, hidden, vocab, lambda, eval, keep, new int[k]);
                     RnbBalancer carriedOwn = tree(b, k, hidden, vocab, lambda, eval, keep, own);
                     RnbBalancer carriedTwo = tree(b, k, hidden, vocab, lambda, eval, keep, groupOf);
                     RnbBalancer carriedOwnSub = tree(b, k, hidden, vocab, lambda, eval, keep, own, groupOfOwn)) {
                    RnbBalancer[] all = {two, paper, oneTop, oneSub, ownSub, flat3, carried, carriedOne, carriedOwn, carriedTwo, carriedOwnSub};
                    for (int round = 0; round < 3; round++) {
                        int rows = 1 + rnd.nextInt(2 * k);
                        float[] h = gaussian(rnd, rows * hidden), e = gaussian(rnd, rows * vocab);
                        int[] domain = new int[rows];
                        int present = 1 + rnd.nextInt(k); // a random number of domains touched; the others absent
                        for (int r = 0; r < rows; r++) domain[r] = rnd.nextInt(present);
                        for (RnbBalancer x : all) x.accumulate(h, e, domain, rows);
                        float[] twoLevel = two.endRound().proportions(), flat = paper.endRound().proportions();
                        String what = "k = " + k + ", G = " + g + ", round " + round;
                        assertRelative(twoLevel, oneTop.endRound().proportions(), "one top group, " + what);
                        assertRelative(twoLevel, oneSub.endRound().proportions(), "one subgroup per group, " + what);
                        assertRelative(twoLevel, ownSub.endRound().proportions(), "one-domain subgroups, " + what);
                        assertRelative(flat, flat3.endRound().proportions(), "one top group of one-domain subgroups, " + what);
                        float[] carriedFlat = carried.endRound().proportions();
                        assertRelative(carriedFlat, carriedOne.endRound().proportions(), "carried, one group, " + what);
                        assertRelative(carriedFlat, carriedOwn.endRound().proportions(), "carried, one-domain groups, " + what);
                        assertRelative(carriedTwo.endRound().proportions(), carriedOwnSub.endRound().proportions(),
                                "carried, one-domain subgroups against two levels, " + what);
                    }
                }
            }
        }
    }

    private static RnbBalancer tree(Backend b, int k, int hidden, int vocab, float lambda, float[] eval, float keep, int[]... parents) {
        RnbBalancer.Builder builder = RnbBalancer.builder(b, k, hidden, vocab).lambda(lambda).evalProportions(eval).hierarchy(parents);
        if (!Float.isNaN(keep)) builder.carryAbsent(keep);
        return builder.build();
    }

    @Test
    void proportionsSumToOneOnRandomGroups() {
        Random rnd = new Random(17);
        try (Backend b = TestBackends.openOrSkip("cpu")) {
            for (int trial = 0; trial < 5; trial++) {
                int k = 50 + rnd.nextInt(400), g = 1 + rnd.nextInt(20), rows = 1 + rnd.nextInt(200);
                int[] groupOf = new int[k];
                for (int i = 0; i < k; i++) groupOf[i] = i < g ? i : rnd.nextInt(g);
                int top = 1 + rnd.nextInt(g);
                int[] topOf = new int[g];
                for (int a = 0; a < g; a++) topOf[a] = a < top ? a : rnd.nextInt(top);
                float[] eval = new float[k];
                for (int i = 0; i < k; i++) eval[i] = rnd.nextInt(3) == 0 ? 0 : rnd.nextFloat();
                eval[0] = 1;
                int[][] parents = trial % 2 == 0 ? new int[][] {groupOf} : new int[][] {groupOf, topOf};
                RnbBalancer.Builder builder = RnbBalancer.builder(b, k, 3, 4).lambda(3f).evalProportions(eval).hierarchy(parents);
                if (trial % 3 == 0) builder.carryAbsent(0.5f);
                try (RnbBalancer balancer = builder.build()) {
                    int[] domain = new int[rows];
                    for (int r = 0; r < rows; r++) domain[r] = rnd.nextInt(k);
                    balancer.accumulate(gaussian(rnd, rows * 3), gaussian(rnd, rows * 4), domain, rows);
                    float[] p = balancer.endRound().proportions();
                    double total = 0;
                    for (float x : p) {
                        assertEquals(true, x > 0 && Float.isFinite(x), "every proportion positive and finite");
                        total += x;
                    }
                    assertEquals(1.0, total, 1e-5, "k = " + k + ", G = " + g + ", levels " + parents.length);
                }
            }
        }
    }

    @Test
    void rejectsBadGroups() {
        assertThrows(IllegalArgumentException.class, () -> new HierarchicalUpdate(new int[] {0, 2}), "group 1 empty");
        assertThrows(IllegalArgumentException.class, () -> new HierarchicalUpdate(new int[] {0, -1}));
        assertThrows(IllegalArgumentException.class, () -> new HierarchicalUpdate(new int[][] {{0, 1}, {0}}, Float.NaN),
                "level 1 names a parent for 1 of 2 groups");
        assertThrows(IllegalArgumentException.class, () -> new HierarchicalUpdate(new int[][] {{0, 1}, {0, 2}}, Float.NaN),
                "level 1's group 1 empty");
        assertThrows(IllegalArgumentException.class, () -> new HierarchicalUpdate(new int[][] {{0, 1}}, 1f), "keep < 1");
        try (Backend b = TestBackends.openOrSkip("reference")) {
            assertThrows(IllegalArgumentException.class, () -> RnbBalancer.builder(b, 3, 1, 1).hierarchy(new int[] {0, 0}));
            assertThrows(IllegalArgumentException.class, () -> RnbBalancer.builder(b, 3, 1, 1).hierarchy(new int[0][]));
        }
    }

    private static float[] gaussian(Random rnd, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) rnd.nextGaussian();
        return x;
    }

    private static double[] softmax(double... logits) {
        double z = 0;
        for (double l : logits) z += Math.exp(l);
        double[] p = new double[logits.length];
        for (int i = 0; i < p.length; i++) p[i] = Math.exp(logits[i]) / z;
        return p;
    }

    private static void assertProportions(float[] p, double... expected) {
        assertEquals(expected.length, p.length);
        for (int i = 0; i < p.length; i++) assertEquals(expected[i], p[i], 1e-6, "domain " + i);
    }

    private static void assertRelative(float[] expected, float[] actual, String what) {
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-5 * Math.abs(expected[i]), what + ", domain " + i);
        }
    }
}
