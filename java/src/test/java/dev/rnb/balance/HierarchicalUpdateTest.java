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

/** R&amp;B over clusters of clusters: by hand on 2 groups of 3 and 2 domains, and reducing to the paper's update at G = 1 and G = k. */
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

    @Test
    void proportionsSumToOneOnRandomGroups() {
        Random rnd = new Random(17);
        try (Backend b = TestBackends.openOrSkip("cpu")) {
            for (int trial = 0; trial < 5; trial++) {
                int k = 50 + rnd.nextInt(400), g = 1 + rnd.nextInt(20), rows = 1 + rnd.nextInt(200);
                int[] groupOf = new int[k];
                for (int i = 0; i < k; i++) groupOf[i] = i < g ? i : rnd.nextInt(g);
                float[] eval = new float[k];
                for (int i = 0; i < k; i++) eval[i] = rnd.nextInt(3) == 0 ? 0 : rnd.nextFloat();
                eval[0] = 1;
                try (RnbBalancer balancer = RnbBalancer.builder(b, k, 3, 4).lambda(3f).evalProportions(eval).hierarchy(groupOf).build()) {
                    int[] domain = new int[rows];
                    for (int r = 0; r < rows; r++) domain[r] = rnd.nextInt(k);
                    balancer.accumulate(gaussian(rnd, rows * 3), gaussian(rnd, rows * 4), domain, rows);
                    float[] p = balancer.endRound().proportions();
                    double total = 0;
                    for (float x : p) {
                        assertEquals(true, x > 0 && Float.isFinite(x), "every proportion positive and finite");
                        total += x;
                    }
                    assertEquals(1.0, total, 1e-5, "k = " + k + ", G = " + g);
                }
            }
        }
    }

    @Test
    void rejectsBadGroups() {
        assertThrows(IllegalArgumentException.class, () -> new HierarchicalUpdate(new int[] {0, 2}), "group 1 empty");
        assertThrows(IllegalArgumentException.class, () -> new HierarchicalUpdate(new int[] {0, -1}));
        try (Backend b = TestBackends.openOrSkip("reference")) {
            assertThrows(IllegalArgumentException.class, () -> RnbBalancer.builder(b, 3, 1, 1).hierarchy(new int[] {0, 0}));
            assertThrows(IllegalArgumentException.class,
                    () -> RnbBalancer.builder(b, 2, 1, 1).hierarchy(new int[] {0, 1}).carryAbsent(0.5f).build());
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
