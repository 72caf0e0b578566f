package dev.rnb.balance;

import dev.rnb.backend.Backend;
import dev.rnb.backend.Backends;
import dev.rnb.backend.BalanceStep;
import dev.rnb.testing.Compare;
import dev.rnb.testing.Rng;
import dev.rnb.testing.TestBackends;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RnbBalancerTest {

    @ParameterizedTest
    @ValueSource(strings = {"reference", "cpu", "cuda-emulated", "cuda"})
    void matchesAHandComputedRound(String name) {
        try (Backend b = TestBackends.openOrSkip(name);
             RnbBalancer balancer = RnbBalancer.builder(b, 2, 1, 1).lambda(1f).build()) {
            // domain 0: rows (h=1, e=2), (h=1, e=4) -> g0 = 6, n0 = 2; domain 1: (h=2, e=-1) -> g1 = -2, n1 = 1
            balancer.accumulate(new float[] {1, 2, 1}, new float[] {2, -1, 4}, new int[] {0, 1, 0}, 3);
            RoundResult r = balancer.endRound();
            // g/n = (3, -2); v = 0.5*3 + 0.5*(-2) = 0.5; Gp = (1.5, -1); ||Gp|| = sqrt(3.25)
            double norm = Math.sqrt(3.25);
            double e0 = Math.exp(1.5 / norm), e1 = Math.exp(-1 / norm);
            assertEquals(BalanceStep.Status.UPDATED, r.status());
            assertEquals(e0 / (e0 + e1), r.proportions()[0], 1e-6);
            assertEquals(e1 / (e0 + e1), r.proportions()[1], 1e-6);
            assertArrayEquals(new long[] {2, 1}, r.counts());
            assertEquals(0, r.round());
            // The accumulators were reset: an empty round is skipped and keeps p.
            RoundResult empty = balancer.endRound();
            assertEquals(BalanceStep.Status.SKIPPED_NO_DOMAIN, empty.status());
            assertArrayEquals(r.proportions(), empty.proportions());
            assertEquals(1, balancer.skippedRounds());
        }
    }

    @ParameterizedTest
    @FieldSource("dev.rnb.testing.TestBackends#UNDER_TEST")
    void absentDomainGetsNeutralLogitAndLambdaExtremesBehave(String name) {
        Rng rng = new Rng();
        int k = 5, h = 8, v = 6, rows = 40;
        float[] hs = rng.gaussian(rows * h), es = rng.gaussian(rows * v);
        int[] dom = rng.ints(rows, k);
        for (int r = 0; r < rows; r++) if (dom[r] == 2) dom[r] = 4;
        try (Backend b = TestBackends.openOrSkip(name)) {
            float[] flat = round(b, 0f, hs, es, dom, rows, k, h, v);
            for (float p : flat) assertEquals(1f / k, p, 1e-6, "lambda = 0 gives the uniform mixture");
            float[] sharp = round(b, 1e6f, hs, es, dom, rows, k, h, v);
            int argmax = 0;
            for (int i = 1; i < k; i++) if (sharp[i] > sharp[argmax]) argmax = i;
            assertEquals(1f, sharp[argmax], 1e-5, "huge lambda puts all mass on one domain");
            float[] normal = round(b, 3f, hs, es, dom, rows, k, h, v);
            // The absent domain's logit is 0: its weight is exp(0)/Z, between the others.
            double z = 0;
            for (float p : normal) z += p;
            assertEquals(1.0, z, 1e-5);
            assertTrue(normal[2] > 0f);
        }
    }

    private static float[] round(Backend b, float lambda, float[] hs, float[] es, int[] dom, int rows, int k, int h, int v) {
        try (RnbBalancer balancer = RnbBalancer.builder(b, k, h, v).lambda(lambda).build()) {
            balancer.accumulate(hs, es, dom, rows);
            return balancer.endRound().proportions();
        }
    }

    @ParameterizedTest
    @FieldSource("dev.rnb.testing.TestBackends#UNDER_TEST")
    void sketchedProportionsAreCloseToExact(String name) {
        Rng rng = new Rng();
        int k = 6, h = 48, v = 64, rows = 300;
        float[] p = {0.4f, 0.3f, 0.1f, 0.1f, 0.05f, 0.05f};
        try (Backend b = TestBackends.openOrSkip(name);
             RnbBalancer exact = RnbBalancer.builder(b, k, h, v).evalProportions(p).build();
             RnbBalancer sketched = RnbBalancer.builder(b, k, h, v).evalProportions(p).sketch(4096).seed(rng.seed).build()) {
            for (int step = 0; step < 3; step++) {
                float[] hs = rng.gaussian(rows * h), es = rng.gaussian(rows * v);
                // Correlated domains so that G p carries signal: e = domain direction + noise.
                int[] dom = rng.ints(rows, k);
                for (int r = 0; r < rows; r++) {
                    for (int i = 0; i < v; i++) es[r * v + i] = 0.3f * es[r * v + i] + ((i % k) == dom[r] % 3 ? 1f : 0f);
                    for (int j = 0; j < h; j++) hs[r * h + j] = 0.3f * hs[r * h + j] + 1f;
                }
                exact.accumulate(hs, es, dom, rows);
                sketched.accumulate(hs, es, dom, rows);
            }
            float[] want = exact.endRound().proportions();
            float[] got = sketched.endRound().proportions();
            Compare.close(got, want, 0.1, name + " sketched vs exact proportions " + rng);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"reference"})
    void rejectsBadOptions(String name) {
        try (Backend b = Backends.open(name)) {
            assertThrows(IllegalArgumentException.class, () -> RnbBalancer.builder(b, 2, 1, 1).lambda(-1f));
            assertThrows(IllegalArgumentException.class, () -> RnbBalancer.builder(b, 2, 1, 1).lambda(Float.POSITIVE_INFINITY));
            assertThrows(IllegalArgumentException.class, () -> RnbBalancer.builder(b, 2, 1, 1).evalProportions(new float[] {1f}));
            assertThrows(IllegalArgumentException.class, () -> RnbBalancer.builder(b, 2, 1, 1).evalProportions(new float[] {0f, 0f}));
            assertThrows(IllegalArgumentException.class, () -> RnbBalancer.builder(b, 2, 1, 1).evalProportions(new float[] {Float.NaN, 1f}));
            assertThrows(IllegalArgumentException.class, () -> RnbBalancer.builder(b, 0, 1, 1).build());
            assertThrows(IllegalArgumentException.class, () -> RnbBalancer.builder(b, 2, 1, 1).sketch(-3).build());
            try (RnbBalancer ok = RnbBalancer.builder(b, 2, 1, 1).build()) {
                assertThrows(IllegalArgumentException.class, () -> ok.accumulate(new float[1], new float[1], new int[] {0, 1}, 2));
                assertThrows(IllegalArgumentException.class, () -> ok.accumulate(new float[2], new float[2], new int[] {0, 2}, 2));
            }
        }
    }
}
