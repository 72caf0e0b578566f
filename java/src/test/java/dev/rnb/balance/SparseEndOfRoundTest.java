package dev.rnb.balance;

import dev.rnb.backend.Backend;
import dev.rnb.backend.BalanceStep;
import dev.rnb.data.DomainProportions;
import dev.rnb.testing.Compare;
import dev.rnb.testing.Rng;
import dev.rnb.testing.TestBackends;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The end of a sparse round (the touched domains' logits plus one shared
 * logit for the absent ones, {@link TouchedSoftmax}) against the dense update
 * over all k domains and against p' computed by hand in double from the
 * round's gradients, for the paper's logit 0 (rounds touching a few, all but
 * one, or all domains, the last being what absent=grow aims at) and for
 * carried scores.
 */
class SparseEndOfRoundTest {

    @Test
    void touchedSoftmaxEqualsTheDenseUpdate() {
        Rng rng = new Rng();
        try (Backend ref = TestBackends.openOrSkip("reference")) {
            for (int trial = 0; trial < 40; trial++) {
                int k = 1 + rng.nextInt(trial < 30 ? 300 : 20_000);
                int t = switch (trial % 4) {
                    case 0 -> k;
                    case 1 -> Math.max(1, k - 1);
                    case 2 -> 1;
                    default -> 1 + rng.nextInt(k);
                };
                assertMatchesDense(ref, rng, k, t, 0.5f + 8 * (float) rng.nextDouble());
            }
            assertMatchesDense(ref, rng, 1_000_000, 320, 20f);
        }
    }

    @Test
    void degenerateRoundsKeepTheProportionsWithTheDenseStatus() {
        DomainProportions current = DomainProportions.dense(new float[] {0.5f, 0.25f, 0.25f});
        int[] touched = {2, 0};
        assertKept(TouchedSoftmax.update(3, new int[0], new float[0], 1f, current), BalanceStep.Status.SKIPPED_NO_DOMAIN, current);
        assertKept(TouchedSoftmax.update(3, touched, new float[] {1f, Float.NaN}, 1f, current), BalanceStep.Status.SKIPPED_NON_FINITE, current);
        assertKept(TouchedSoftmax.update(3, touched, new float[] {Float.POSITIVE_INFINITY, 1f}, 1f, current),
                BalanceStep.Status.SKIPPED_NON_FINITE, current);
        assertKept(TouchedSoftmax.update(3, touched, new float[] {0f, 0f}, 1f, current), BalanceStep.Status.SKIPPED_ZERO_NORM, current);
    }

    /** Rounds of a balancer at a few thousand domains against p' by hand from its own accumulators. */
    @ParameterizedTest
    @ValueSource(strings = {"reference", "cpu", "cuda-emulated", "cuda"})
    void roundsMatchAHandComputation(String name) {
        Rng rng = new Rng();
        int k = (name.equals("cuda-emulated") ? 100 : 1000) + rng.nextInt(1000), h = 2 + rng.nextInt(3), v = 2 + rng.nextInt(3);
        float lambda = 1 + 10 * (float) rng.nextDouble(), keep = (float) rng.nextDouble() * 0.9f;
        // The paper's rule and carried scores on a ragged evaluation split; the paper's rule on a uniform
        // one too (the balancer reads it as one shared value, not per touched domain).
        for (int variant = 0; variant < 3; variant++) {
            boolean carry = variant == 1, uniformEval = variant == 2;
            float[] evalP = new float[k];
            for (int i = 0; i < k; i++) evalP[i] = uniformEval ? 2.5f : 0.5f + rng.nextInt(4);
            try (Backend b = TestBackends.openOrSkip(name);
                 RnbBalancer balancer = (carry ? RnbBalancer.builder(b, k, h, v).evalProportions(evalP).lambda(lambda).carryAbsent(keep)
                         : RnbBalancer.builder(b, k, h, v).evalProportions(evalP).lambda(lambda)).build()) {
                double[] average = new double[k];
                boolean[] seen = new boolean[k];
                double[] p = normalised(evalP);
                // A few domains, every domain (absent=grow's aim at k <= its round) and all but one.
                for (int touched : new int[] {10 + rng.nextInt(100), k, k - 1, 1 + rng.nextInt(k)}) {
                    int[] pool = shuffled(rng, k);
                    int rows = touched + rng.nextInt(2 * touched + 1);
                    int[] dom = new int[rows];
                    for (int r = 0; r < rows; r++) dom[r] = pool[r < touched ? r : rng.nextInt(touched)];
                    balancer.accumulate(rng.gaussian(rows * h), rng.gaussian(rows * v), dom, rows);
                    long[] counts = balancer.domainGradients().counts();
                    float[] g = balancer.domainGradients().toHost();
                    double[] logit = handLogits(g, counts, p, h * v, lambda, carry ? keep : Float.NaN, average, seen);
                    RoundResult r = balancer.endRound();
                    assertEquals(BalanceStep.Status.UPDATED, r.status());
                    double err = Compare.relativeError(r.proportions(), softmax(logit));
                    assertTrue(err < 1e-5, rng + (carry ? " carry" : " zero") + ", " + touched + " of " + k + " touched: p' relative error " + err);
                }
            }
        }
    }

    private static void assertMatchesDense(Backend ref, Rng rng, int k, int t, float lambda) {
        int[] touched = Arrays.copyOf(shuffled(rng, k), t);
        float[] gp = rng.gaussian(t), dense = new float[k], scale = new float[k];
        float[] current = new float[k];
        Arrays.fill(current, 1f / k);
        for (int s = 0; s < t; s++) {
            dense[touched[s]] = gp[s];
            scale[touched[s]] = 1 + rng.nextInt(5);
        }
        BalanceStep want = ref.balanceUpdate(dense, scale, current, lambda);
        TouchedSoftmax.Step got = TouchedSoftmax.update(k, touched, gp, lambda, DomainProportions.dense(current));
        assertEquals(want.status(), got.status());
        double err = Compare.relativeError(got.next().toArray(), want.next());
        assertTrue(err < 1e-6, rng + ": " + t + " of " + k + " touched, p' relative error " + err);
    }

    private static void assertKept(TouchedSoftmax.Step step, BalanceStep.Status status, DomainProportions current) {
        assertEquals(status, step.status());
        assertArrayEquals(current.toArray(), step.next().toArray());
    }

    /**
     * lambda (G p)_i / ||G p|| for the present domains, with (G p)_i = <x_i, sum_j p_j x_j> and x_i = g_i / n_i,
     * in double; absent domains 0, or with carried scores lambda m_i (updating m as the rule says).
     */
    private static double[] handLogits(float[] g, long[] counts, double[] p, int d, float lambda, float keep,
                                       double[] average, boolean[] seen) {
        int k = counts.length;
        double[] v = new double[d];
        for (int j = 0; j < k; j++) {
            for (int c = 0; c < d && counts[j] > 0; c++) v[c] += p[j] * g[j * d + c] / counts[j];
        }
        double[] gp = new double[k];
        double norm2 = 0;
        for (int i = 0; i < k; i++) {
            if (counts[i] == 0) continue;
            for (int c = 0; c < d; c++) gp[i] += g[i * d + c] / counts[i] * v[c];
            norm2 += gp[i] * gp[i];
        }
        double[] logit = new double[k];
        for (int i = 0; i < k; i++) {
            if (counts[i] > 0) {
                double score = gp[i] / Math.sqrt(norm2);
                logit[i] = lambda * score;
                if (!Float.isNaN(keep)) {
                    average[i] = seen[i] ? keep * average[i] + (1 - keep) * score : score;
                    seen[i] = true;
                }
            } else if (!Float.isNaN(keep) && seen[i]) {
                logit[i] = lambda * average[i];
            }
        }
        return logit;
    }

    private static float[] softmax(double[] logit) {
        double max = Arrays.stream(logit).max().orElseThrow(), total = 0;
        for (double l : logit) total += Math.exp(l - max);
        float[] p = new float[logit.length];
        for (int i = 0; i < p.length; i++) p[i] = (float) (Math.exp(logit[i] - max) / total);
        return p;
    }

    private static double[] normalised(float[] x) {
        double sum = 0;
        for (float f : x) sum += f;
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) out[i] = x[i] / sum;
        return out;
    }

    private static int[] shuffled(Rng rng, int k) {
        int[] all = new int[k];
        for (int i = 0; i < k; i++) all[i] = i;
        for (int i = k - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1), t = all[i];
            all[i] = all[j];
            all[j] = t;
        }
        return all;
    }
}
