package dev.rnb.balance;

import dev.rnb.backend.Backend;
import dev.rnb.backend.BalanceStep;
import dev.rnb.testing.TestBackends;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The paper's logit 0 and the carried scores for absent domains, against rounds computed by hand (k = 3, h = v = 1). */
class AbsentDomainRuleTest {
    private static final double S = Math.sqrt(13);

    @ParameterizedTest
    @ValueSource(strings = {"reference", "cpu", "cuda-emulated", "cuda"})
    void paperRuleGivesAnAbsentDomainLogitZero(String name) {
        try (Backend b = TestBackends.openOrSkip(name);
             RnbBalancer balancer = RnbBalancer.builder(b, 3, 1, 1).lambda(1f).build()) {
            roundOne(balancer);
            RoundResult r = balancer.endRound();
            // g/n = (3, -2, absent); v = (3 - 2) / 3; Gp = (1, -2/3); ||Gp|| = sqrt(13) / 3
            assertSoftmax(r.proportions(), 3 / S, -2 / S, 0);
            // Round two: domain 1 alone. Gp_1 = p_1 (g_1/n_1)^2 > 0, so its score is 1; the others get 0.
            balancer.accumulate(new float[] {1}, new float[] {-5}, new int[] {1}, 1);
            assertSoftmax(balancer.endRound().proportions(), 0, 1, 0);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"reference", "cpu", "cuda-emulated", "cuda"})
    void carriedScoresFollowTheirMovingAverage(String name) {
        try (Backend b = TestBackends.openOrSkip(name);
             RnbBalancer balancer = RnbBalancer.builder(b, 3, 1, 1).lambda(2f).carryAbsent(0.25f).build()) {
            roundOne(balancer);
            // First round: as the paper (no domain seen before), scores s = (3, -2) / sqrt(13).
            assertSoftmax(balancer.endRound().proportions(), 6 / S, -4 / S, 0);
            // Round two, domain 1 alone, score 1: m_1 = 0.25 (-2/sqrt13) + 0.75; domain 0 keeps m_0 = 3/sqrt13.
            balancer.accumulate(new float[] {1}, new float[] {-5}, new int[] {1}, 1);
            assertSoftmax(balancer.endRound().proportions(), 2 * 3 / S, 2, 0);
            // Round three, domain 0 alone, score 1: domain 1 absent at lambda m_1; domain 2 never seen, 0.
            balancer.accumulate(new float[] {2}, new float[] {1}, new int[] {0}, 1);
            double m1 = 0.25 * (-2 / S) + 0.75;
            assertSoftmax(balancer.endRound().proportions(), 2, 2 * m1, 0);
            double m0 = 0.25 * (3 / S) + 0.75;
            assertArrayEquals(new double[] {m0, m1, Double.NaN}, balancer.carriedScores(), 1e-6);
            // An empty round is skipped and changes no score.
            assertEquals(BalanceStep.Status.SKIPPED_NO_DOMAIN, balancer.endRound().status());
            assertArrayEquals(new double[] {m0, m1, Double.NaN}, balancer.carriedScores(), 1e-6);
        }
    }

    @ParameterizedTest
    @ValueSource(floats = {-0.1f, 1f, Float.NaN})
    void rejectsAWeightOutsideZeroToOne(float keep) {
        try (Backend b = TestBackends.openOrSkip("reference")) {
            assertThrows(IllegalArgumentException.class, () -> RnbBalancer.builder(b, 3, 1, 1).carryAbsent(keep));
        }
    }

    /** Domain 0: rows (h=1, e=2), (h=1, e=4): g0 = 6, n0 = 2; domain 1: (h=2, e=-1): g1 = -2, n1 = 1; domain 2 absent. */
    private static void roundOne(RnbBalancer balancer) {
        balancer.accumulate(new float[] {1, 2, 1}, new float[] {2, -1, 4}, new int[] {0, 1, 0}, 3);
    }

    private static void assertSoftmax(float[] p, double... logits) {
        double z = 0;
        for (double l : logits) z += Math.exp(l);
        for (int i = 0; i < logits.length; i++) {
            assertEquals(Math.exp(logits[i]) / z, p[i], 1e-6, "domain " + i);
        }
    }
}
