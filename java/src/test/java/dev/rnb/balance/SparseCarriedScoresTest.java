package dev.rnb.balance;

import dev.rnb.backend.BalanceStep;
import dev.rnb.data.DomainProportions;
import dev.rnb.data.MixtureSampler;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Carried scores at many domains: p' stays sparse (the seen domains plus the
 * never-seen ones' shared value) and equals, to float rounding, the softmax
 * over all k logits computed here by hand from the moving averages; a run
 * restored from {@link CarriedScores#state} mid-way gives the same bits.
 */
class SparseCarriedScoresTest {
    static final int K = MixtureSampler.SPARSE_MIN_DOMAINS + 1234;
    static final float KEEP = 0.7f, LAMBDA = 3f;

    @Test
    void sparseRoundsMatchTheDenseSoftmaxOverAllDomains() {
        SplittableRandom rng = new SplittableRandom(11);
        CarriedScores carried = new CarriedScores(K, KEEP);
        double[] average = new double[K]; // the hand computation's own state
        boolean[] seen = new boolean[K];
        DomainProportions current = DomainProportions.uniform(K);
        for (int round = 0; round < 6; round++) {
            // 1 to 400 distinct touched domains, half of them seen before from round 2 on, in no order
            int[] touched = distinct(rng, 1 + rng.nextInt(400), seen, round >= 2);
            float[] gp = new float[touched.length];
            for (int s = 0; s < gp.length; s++) gp[s] = (float) rng.nextGaussian();
            TouchedSoftmax.Step step = carried.update(touched, gp, LAMBDA, current);
            assertEquals(BalanceStep.Status.UPDATED, step.status());
            assertTrue(step.next().isSparse(), "round " + round);
            float[] expected = handSoftmax(touched, gp, average, seen);
            float[] p = step.next().toArray();
            for (int i = 0; i < K; i++) {
                assertEquals(expected[i], p[i], 1e-6 * expected[i], "domain " + i + ", round " + round);
            }
            int seenCount = 0;
            for (boolean b : seen) if (b) seenCount++;
            assertEquals(seenCount, step.next().listedCount());
            current = step.next();
        }
    }

    @Test
    void aRestoredRunGivesTheSameBits() {
        SplittableRandom rng = new SplittableRandom(5);
        CarriedScores a = new CarriedScores(K, KEEP);
        boolean[] seen = new boolean[K];
        int[][] touched = new int[5][];
        float[][] gp = new float[5][];
        for (int r = 0; r < 5; r++) {
            touched[r] = distinct(rng, 50 + rng.nextInt(300), seen, r >= 1);
            gp[r] = new float[touched[r].length];
            for (int s = 0; s < gp[r].length; s++) gp[r][s] = (float) rng.nextGaussian();
        }
        DomainProportions p = DomainProportions.uniform(K);
        for (int r = 0; r < 2; r++) p = a.update(touched[r], gp[r], LAMBDA, p).next();
        CarriedScores b = new CarriedScores(K, KEEP);
        b.restore(a.state());
        DomainProportions q = p;
        for (int r = 2; r < 5; r++) {
            p = a.update(touched[r], gp[r], LAMBDA, p).next();
            q = b.update(touched[r], gp[r], LAMBDA, q).next();
            assertArrayEquals(p.toArray(), q.toArray(), "round " + r);
        }
    }

    @Test
    void aSkippedRoundKeepsTheCurrentProportionsAsTheyAre() {
        CarriedScores carried = new CarriedScores(K, KEEP);
        DomainProportions current = DomainProportions.sparse(K, new int[] {3, 9}, new float[] {0.25f, 0.25f}, 0.5f / (K - 2));
        TouchedSoftmax.Step zero = carried.update(new int[] {3, 7}, new float[] {0f, 0f}, LAMBDA, current);
        assertEquals(BalanceStep.Status.SKIPPED_ZERO_NORM, zero.status());
        assertSame(current, zero.next());
        assertEquals(BalanceStep.Status.SKIPPED_NO_DOMAIN, carried.update(new int[0], new float[0], LAMBDA, current).status());
    }

    /** n distinct domains, about half of them from the seen ones when asked; marks none seen (the hand computation does). */
    private static int[] distinct(SplittableRandom rng, int n, boolean[] seen, boolean reuse) {
        int[] seenList = new int[K];
        int m = 0;
        for (int i = 0; i < K; i++) if (seen[i]) seenList[m++] = i;
        boolean[] taken = new boolean[K];
        int[] out = new int[n];
        for (int s = 0; s < n; ) {
            int d = reuse && m > 0 && rng.nextBoolean() ? seenList[rng.nextInt(m)] : rng.nextInt(K);
            if (!taken[d]) {
                taken[d] = true;
                out[s++] = d;
            }
        }
        return out;
    }

    /** The rule over all k logits, in double: touched lambda s_i (and its average updated), seen lambda m_i, never seen 0. */
    private static float[] handSoftmax(int[] touched, float[] gp, double[] average, boolean[] seen) {
        double norm = 0;
        for (float g : gp) norm += (double) g * g;
        norm = Math.sqrt(norm);
        double[] logit = new double[K];
        for (int i = 0; i < K; i++) logit[i] = seen[i] ? LAMBDA * average[i] : 0;
        for (int s = 0; s < touched.length; s++) {
            int i = touched[s];
            double score = gp[s] / norm;
            average[i] = seen[i] ? KEEP * average[i] + (1 - KEEP) * score : score;
            seen[i] = true;
            logit[i] = LAMBDA * score;
        }
        double max = Arrays.stream(logit).max().orElseThrow(), total = 0;
        for (double l : logit) total += Math.exp(l - max);
        float[] p = new float[K];
        for (int i = 0; i < K; i++) p[i] = (float) (Math.exp(logit[i] - max) / total);
        return p;
    }
}
