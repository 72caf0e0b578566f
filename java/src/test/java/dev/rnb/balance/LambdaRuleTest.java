package dev.rnb.balance;

import dev.rnb.backend.Backend;
import dev.rnb.testing.TestBackends;
import dev.rnb.testing.Rng;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * lambda* = ln(k - 1) ||p|| / max p and lambda=auto = min(1.5 ln k, lambda* / 2)
 * against hand values and their definitions on fresh random proportions, and
 * the balancer's builder reading auto from its evaluation proportions.
 */
class LambdaRuleTest {

    @Test
    void anEvaluationSetSpreadEvenlyOverMClusters() {
        Rng rng = new Rng();
        for (int trial = 0; trial < 50; trial++) {
            int k = 2 + rng.nextInt(100_000), m = 1 + rng.nextInt(Math.min(k, 1000));
            float[] p = new float[k];
            for (int i : rng.distinct(m, k)) p[i] = 1f / m;
            // max p = 1/m, ||p|| = 1/sqrt(m): lambda* = ln(k - 1) sqrt(m).
            double star = Math.log(k - 1) * Math.sqrt(m);
            assertEquals(star, LambdaRule.lambdaStar(p), 1e-5 * star, rng + ": k = " + k + ", m = " + m);
            double auto = Math.min(1.5 * Math.log(k), star / 2);
            assertEquals(auto, LambdaRule.auto(p), 1e-5 * auto, rng + ": k = " + k + ", m = " + m);
        }
    }

    @Test
    void randomProportionsAgainstTheDefinitions() {
        Rng rng = new Rng();
        for (int trial = 0; trial < 50; trial++) {
            int k = 2 + rng.nextInt(5000);
            float[] p = new float[k];
            double sum = 0;
            for (int i = 0; i < k; i++) sum += p[i] = rng.nextInt(3) == 0 ? 0f : (float) rng.nextDouble();
            double max = 0, squares = 0;
            for (int i = 0; i < k; i++) {
                p[i] /= (float) sum;
                max = Math.max(max, p[i]);
                squares += (double) p[i] * p[i];
            }
            double star = max == 0 ? Double.NaN : Math.log(k - 1) / (max / Math.sqrt(squares));
            assertEquals(star, LambdaRule.lambdaStar(p), 1e-9 * star, rng + ": k = " + k);
            float auto = LambdaRule.auto(p);
            double want = Double.isNaN(star) ? 1.5 * Math.log(k) : Math.min(1.5 * Math.log(k), star / 2);
            assertEquals(want, auto, 1e-6 * want, rng + ": k = " + k);
            // As a float it is never above either bound, so a run at auto gets no "above lambda* / 2" note.
            assertTrue(auto <= 1.5 * Math.log(k) && !(auto > LambdaRule.lambdaStar(p) / 2), rng + ": k = " + k + ", auto " + auto);
        }
    }

    @Test
    void lambdaStarIsAtMostLnKMinusOneTimesRootKReachedAtUniform() {
        // ||p|| / max p <= sqrt(k), so auto <= ln(k - 1) sqrt(k) / 2 whatever p is: at hier=4's group level
        // (4 children) at most ln 3 = 1.10, which is why the rule is not applied there (docs/results/hierfits-plan.md).
        Rng rng = new Rng();
        for (int trial = 0; trial < 200; trial++) {
            int k = 2 + rng.nextInt(trial < 100 ? 7 : 5000);
            float[] p = new float[k];
            for (int i = 0; i < k; i++) p[i] = rng.nextInt(4) == 0 ? 0f : (float) rng.nextDouble();
            p[rng.nextInt(k)] += 1e-3f; // at least one share
            double bound = Math.log(k - 1) * Math.sqrt(k);
            assertTrue(LambdaRule.lambdaStar(p) <= bound * (1 + 1e-6), rng + ": k = " + k);
            assertTrue(LambdaRule.auto(p) <= bound / 2 * (1 + 1e-6), rng + ": k = " + k);
        }
        float[] four = {0.25f, 0.25f, 0.25f, 0.25f};
        assertEquals(Math.log(3), LambdaRule.auto(four), 1e-6, "uniform over 4: the bound itself, ln 3");
    }

    @Test
    void whichBoundTakesOverAndTheEdges() {
        // All of p on one of 256 clusters: lambda* = ln 255, half of it 2.77, below 1.5 ln 256 = 8.32.
        float[] one = new float[256];
        one[7] = 1f;
        assertEquals(Math.log(255) / 2, LambdaRule.auto(one), 1e-6);
        // p uniform over 4096: lambda* = ln(4095) * 64, far above; 1.5 ln 4096 = 12.48 takes over.
        float[] uniform = new float[4096];
        java.util.Arrays.fill(uniform, 1f / 4096);
        assertEquals(1.5 * Math.log(4096), LambdaRule.auto(uniform), 1e-5);
        assertEquals("min(1.5 ln k = 12.48, lambda* / 2 = 266.16)", LambdaRule.describeAuto(uniform));
        assertEquals(0f, LambdaRule.auto(new float[] {1f}), "one domain: p' = 1 whatever lambda is");
        assertTrue(Double.isNaN(LambdaRule.lambdaStar(new float[] {1f})), "one domain: no other to lose to");
        assertTrue(Double.isNaN(LambdaRule.lambdaStar(new float[5])), "no evaluation share anywhere");
        assertEquals(1.5 * Math.log(5), LambdaRule.auto(new float[5]), 1e-6, "no share: the k bound alone");
    }

    @Test
    void theBuilderReadsAutoFromTheProportionsItIsGiven() {
        Rng rng = new Rng();
        int k = 2 + rng.nextInt(300);
        float[] p = new float[k];
        for (int i = 0; i < k; i++) p[i] = rng.nextInt(4) == 0 ? 0f : (float) rng.nextDouble();
        p[rng.nextInt(k)] = 1f;
        double sum = 0;
        for (float v : p) sum += v;
        float[] normalised = new float[k];
        for (int i = 0; i < k; i++) normalised[i] = (float) (p[i] / sum);
        try (Backend b = TestBackends.openOrSkip("reference")) {
            // Either order: auto is read when the balancer is built, from the proportions normalised.
            try (RnbBalancer auto = RnbBalancer.builder(b, k, 2, 3).autoLambda().evalProportions(p).build();
                 RnbBalancer before = RnbBalancer.builder(b, k, 2, 3).evalProportions(p).autoLambda().build();
                 RnbBalancer replaced = RnbBalancer.builder(b, k, 2, 3).autoLambda().lambda(2.5f).evalProportions(p).build();
                 RnbBalancer uniform = RnbBalancer.builder(b, k, 2, 3).autoLambda().build()) {
                assertEquals(LambdaRule.auto(normalised), auto.lambda(), rng + ": k = " + k);
                assertEquals(auto.lambda(), before.lambda());
                assertEquals(2.5f, replaced.lambda(), "a later lambda(x) replaces auto");
                float[] even = new float[k];
                java.util.Arrays.fill(even, 1f / k);
                assertEquals(LambdaRule.auto(even), uniform.lambda(), "no proportions given: uniform ones");
            }
            // With a hierarchy: one group of all k is the flat rule one level down, never below the lambda set, which
            // the root keeps.
            try (RnbBalancer tree = RnbBalancer.builder(b, k, 2, 3).lambda(2f).autoLambda().evalProportions(p).hierarchy(new int[k]).build()) {
                assertArrayEquals(new float[] {Math.max(2f, LambdaRule.auto(normalised)), 2f}, tree.groupLambdas());
                assertEquals(2f, tree.lambda());
            }
        }
    }
}
