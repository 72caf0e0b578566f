package dev.rnb.reliability;

import dev.rnb.backend.Backend;
import dev.rnb.backend.BalanceStep.Status;
import dev.rnb.balance.RnbBalancer;
import dev.rnb.balance.RoundResult;
import dev.rnb.data.ByteDataset;
import dev.rnb.data.TrainingExample;
import dev.rnb.model.GptConfig;
import dev.rnb.testing.TestBackends;
import dev.rnb.train.TrainOptions;
import dev.rnb.train.Trainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Numerical faults in a round: NaN/Inf gradients, all-zero gradients, a
 * domain that vanishes, lambda 0 and 1e6. The run continues; skipped rounds
 * keep the proportions and are counted.
 */
class NumericalFaultsTest {
    private static final int K = 3, H = 4, V = 5, ROWS = 6;

    private static float[] random(int n, long seed) {
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (r.nextDouble() * 2 - 1);
        return v;
    }

    private static final int[] ALL_DOMAINS = {0, 1, 2, 0, 1, 2};

    private static void assertDistribution(float[] p) {
        double sum = 0;
        for (float x : p) {
            assertTrue(Float.isFinite(x) && x >= 0, Arrays.toString(p));
            sum += x;
        }
        assertEquals(1.0, sum, 1e-5, Arrays.toString(p));
    }

    @ParameterizedTest
    @ValueSource(strings = {"reference", "cpu", "cuda-emulated"})
    void nonFiniteAndZeroRoundsAreSkippedCountedAndKeepTheProportions(String name) {
        try (Backend b = TestBackends.openOrSkip(name);
             RnbBalancer balancer = RnbBalancer.builder(b, K, H, V).build()) {
            balancer.accumulate(random(ROWS * H, 1), random(ROWS * V, 2), ALL_DOMAINS, ROWS);
            RoundResult good = balancer.endRound();
            assertEquals(Status.UPDATED, good.status());
            assertDistribution(good.proportions());

            float[][] faults = {{Float.NaN}, {Float.POSITIVE_INFINITY}, {Float.NEGATIVE_INFINITY}};
            int skipped = 0;
            for (float[] bad : faults) {
                for (boolean inH : new boolean[] {true, false}) {
                    float[] h = random(ROWS * H, 3), e = random(ROWS * V, 4);
                    (inH ? h : e)[7] = bad[0];
                    balancer.accumulate(h, e, ALL_DOMAINS, ROWS);
                    RoundResult r = balancer.endRound();
                    assertEquals(Status.SKIPPED_NON_FINITE, r.status(), name + " " + bad[0] + (inH ? " in H" : " in E"));
                    assertArrayEquals(good.proportions(), r.proportions());
                    assertEquals(++skipped, balancer.skippedRounds());
                }
            }
            balancer.accumulate(new float[ROWS * H], new float[ROWS * V], ALL_DOMAINS, ROWS);
            RoundResult zero = balancer.endRound();
            assertEquals(Status.SKIPPED_ZERO_NORM, zero.status());
            assertArrayEquals(good.proportions(), zero.proportions());
            assertEquals(++skipped, balancer.skippedRounds());

            RoundResult none = balancer.endRound();
            assertEquals(Status.SKIPPED_NO_DOMAIN, none.status());
            assertEquals(++skipped, balancer.skippedRounds());

            balancer.accumulate(random(ROWS * H, 5), random(ROWS * V, 6), ALL_DOMAINS, ROWS);
            RoundResult after = balancer.endRound();
            assertEquals(Status.UPDATED, after.status(), "a good round after the faults updates again");
            assertDistribution(after.proportions());
            assertEquals(skipped + 2, balancer.roundsCompleted());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"reference", "cpu", "cuda-emulated"})
    void aVanishedDomainGetsLogitZeroAndTheRoundUpdates(String name) {
        try (Backend b = TestBackends.openOrSkip(name);
             RnbBalancer balancer = RnbBalancer.builder(b, K, H, V).build()) {
            int[] withoutDomain2 = {0, 1, 0, 1, 0, 1};
            balancer.accumulate(random(ROWS * H, 7), random(ROWS * V, 8), withoutDomain2, ROWS);
            RoundResult r = balancer.endRound();
            assertEquals(Status.UPDATED, r.status());
            assertEquals(0, r.counts()[2]);
            assertDistribution(r.proportions());
            assertTrue(r.proportions()[2] > 0, "the vanished domain keeps a share: " + Arrays.toString(r.proportions()));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"reference", "cpu", "cuda-emulated"})
    void lambdaZeroIsUniformAndAHugeLambdaStaysFinite(String name) {
        try (Backend b = TestBackends.openOrSkip(name);
             RnbBalancer flat = RnbBalancer.builder(b, K, H, V).lambda(0f).build();
             RnbBalancer sharp = RnbBalancer.builder(b, K, H, V).lambda(1e6f).build()) {
            float[] h = random(ROWS * H, 9), e = random(ROWS * V, 10);
            flat.accumulate(h, e, ALL_DOMAINS, ROWS);
            RoundResult r0 = flat.endRound();
            assertEquals(Status.UPDATED, r0.status());
            for (float p : r0.proportions()) assertEquals(1f / K, p, 1e-6);
            sharp.accumulate(h, e, ALL_DOMAINS, ROWS);
            RoundResult r1 = sharp.endRound();
            assertEquals(Status.UPDATED, r1.status());
            assertDistribution(r1.proportions());
            float max = 0;
            for (float p : r1.proportions()) max = Math.max(max, p);
            assertEquals(1f, max, 1e-6, "lambda 1e6 puts all weight on one domain: " + Arrays.toString(r1.proportions()));
        }
    }

    /** The same faults arriving through the Trainer's after-backward hook: training goes on, rounds report. */
    @Test
    void faultsThroughTheTrainerHook() {
        List<TrainingExample> ex = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            ex.add(new TrainingExample(("domain " + (i % 2) + " text number " + i).getBytes(StandardCharsets.UTF_8), i % 2));
        }
        ByteDataset data = new ByteDataset(ex, List.of("a", "b"));
        GptConfig cfg = new GptConfig(8, 1, 2, 8);
        int steps = 12, perRound = 2;
        try (Backend b = TestBackends.openOrSkip("cpu");
             Trainer trainer = new Trainer(b, cfg, TrainOptions.defaults(steps, 2, 5), data);
             RnbBalancer balancer = RnbBalancer.builder(b, 2, cfg.channels(), GptConfig.VOCAB).build()) {
            int rows = 2 * cfg.context();
            trainer.setAfterBackward((model, batch) -> {
                int step = trainer.step() + 1;
                if (step == 3 || step == 4) {                       // round 1: a NaN gradient
                    float[] h = new float[rows * cfg.channels()], e = new float[rows * GptConfig.VOCAB];
                    e[0] = Float.NaN;
                    balancer.accumulate(h, e, batch.domainOfRow(), rows);
                } else if (step == 5 || step == 6) {                // round 2: all-zero gradients
                    balancer.accumulate(new float[rows * cfg.channels()], new float[rows * GptConfig.VOCAB], batch.domainOfRow(), rows);
                } else if (step == 7 || step == 8) {                // round 3: nothing accumulated
                    return;
                } else {
                    balancer.accumulate(model.finalLayerInput(), model.logitGradients(), batch.domainOfRow(), model.rows());
                }
            });
            List<Status> statuses = new ArrayList<>();
            float[] before = null;
            for (int s = 1; s <= steps; s++) {
                float loss = trainer.trainStep();
                assertTrue(Float.isFinite(loss), "step " + s + " loss " + loss);
                if (s % perRound == 0) {
                    RoundResult r = balancer.endRound();
                    statuses.add(r.status());
                    if (r.status().skipped()) {
                        assertArrayEquals(before, r.proportions(), "a skipped round keeps the proportions");
                    }
                    assertDistribution(r.proportions());
                    trainer.setProportions(r.proportions());
                    before = r.proportions();
                }
            }
            assertEquals(List.of(Status.UPDATED, Status.SKIPPED_NON_FINITE, Status.SKIPPED_ZERO_NORM, Status.SKIPPED_NO_DOMAIN,
                    Status.UPDATED, Status.UPDATED), statuses);
            assertEquals(3, balancer.skippedRounds());
            assertEquals(steps, trainer.step());
        }
    }
}
