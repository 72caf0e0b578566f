package dev.rnb.mix;

import dev.rnb.backend.Backend;
import dev.rnb.backend.Backends;
import dev.rnb.data.DomainProportions;
import dev.rnb.train.Trainer;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.rnb.mix.MixingStrategyTest.TINY;
import static dev.rnb.mix.MixingStrategyTest.assertClose;
import static dev.rnb.mix.MixingStrategyTest.context;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The published update rules of the baselines against hand computations, and Aioli's in-budget schedule. */
class BaselineRulesTest {
    // Two domains, sums of loss drops over one sweep: row i = evaluation domain, column j = tilted domain.
    static final double[][] A = {{0.2, 0.1}, {0.05, 0.3}};

    @Test
    void aioliUnmixesNormalisesAndExponentiates() {
        // W = [[.75, .25], [.25, .75]], W^-1 = [[1.5, -.5], [-.5, 1.5]]:
        // row 0 (.2, .1) -> (.25, .05); row 1 (.05, .3) -> (-.075, .425).
        // Normalised: min -.075 -> shift: (.325, .125), (0, .5); sum .95. Column sums .325/.95 and .625/.95.
        int[] both = {0, 1};
        double s0 = 0.325 / 0.95, s1 = 0.625 / 0.95;
        AioliStrategy.Update u = AioliStrategy.update(A, both, 1, 0.75, true, 0, null, new float[] {0.4f, 0.6f},
                new float[] {0.5f, 0.5f}, 2.0);
        double w0 = 0.4 * Math.exp(2 * s0), w1 = 0.6 * Math.exp(2 * s1);
        assertClose(new double[] {w0 / (w0 + w1), w1 / (w0 + w1)}, u.p(), 1e-6);
        assertNull(u.smoothed(), "no EMA: nothing smoothed to keep");

        // EMA 0.1 over a previous smoothed A of all 0.1: column sums .9 s + .1 * .2; restart from p_0 = (1/2, 1/2).
        double[][] previous = {{0.1, 0.1}, {0.1, 0.1}};
        AioliStrategy.Update e = AioliStrategy.update(A, both, 1, 0.75, true, 0.1, previous, new float[] {0.4f, 0.6f},
                new float[] {0.5f, 0.5f}, 1.0);
        double e0 = Math.exp(0.9 * s0 + 0.02), e1 = Math.exp(0.9 * s1 + 0.02);
        assertClose(new double[] {e0 / (e0 + e1), e1 / (e0 + e1)}, e.p(), 1e-6);
        assertEquals(0.9 * 0.325 / 0.95 + 0.01, e.smoothed()[0][0], 1e-12);
        assertEquals(0.9 * 0.5 / 0.95 + 0.01, e.smoothed()[1][1], 1e-12);

        // Two sweeps average; one-hot probes (oneHot 1) and no normalisation use A as measured: column sums .25 / 2, .4 / 2.
        AioliStrategy.Update raw = AioliStrategy.update(A, both, 2, 1.0, false, 0, null, new float[] {0.5f, 0.5f},
                new float[] {0.5f, 0.5f}, 1.0);
        double r0 = Math.exp(0.125), r1 = Math.exp(0.2);
        assertClose(new double[] {r0 / (r0 + r1), r1 / (r0 + r1)}, raw.p(), 1e-6);
    }

    @Test
    void aioliSolveAndTiltedMixtures() {
        double[][] w = {{2, 1, 0}, {1, 3, 1}, {0, 1, 4}};
        double[] x = AioliStrategy.solve(w, new double[] {3, 5, 5}); // x = (1, 1, 1)
        assertArrayEquals(new double[] {1, 1, 1}, x, 1e-12);
        assertClose(new double[] {0.125, 0, 0.75, 0.125}, AioliStrategy.tilted(4, new int[] {0, 2, 3}, 1, 0.75), 1e-7);
        assertClose(new double[] {0, 1}, AioliStrategy.tilted(2, new int[] {1}, 0, 0.75), 0);
    }

    /** LearnParams steps are training steps: tilted mixtures at the start of each round, the learned one after, nothing rolled back. */
    @Test
    void aioliLearnsInsideTheTrainingBudget() throws Exception {
        int steps = 13;
        try (Backend b = Backends.open("cpu")) {
            MixingContext ctx = context(b, steps, MixingStrategyTest.options(4)); // K 4, one probe step, m = 3
            try (AioliStrategy s = (AioliStrategy) Strategies.create("aioli", ctx); Trainer t = new Trainer(b, TINY, ctx.options(), ctx.train())) {
                assertEquals(6, s.roundLength(), "at least twice the 3-step phase");
                RunResult r = new MixedRun(t, s, ctx.eval()).evalEvery(100).run("original", 7);
                assertEquals(steps, t.step(), "the budget is the budget");
                List<RunResult.Proportions> h = r.proportions();
                // Round 0: steps 1-3 tilted toward 0, 1, 2; learned mixture from step 4; round 1 from step 7, round 2 from 13.
                assertEquals(List.of(0, 1, 2, 3, 6, 7, 8, 9, 12), h.stream().map(RunResult.Proportions::step).toList());
                assertClose(new double[] {0.75, 0.125, 0.125}, h.get(0).p(), 1e-7);
                assertClose(new double[] {0.125, 0.75, 0.125}, h.get(1).p(), 1e-7);
                assertClose(new double[] {0.125, 0.125, 0.75}, h.get(2).p(), 1e-7);
                assertClose(new double[] {0.75, 0.125, 0.125}, h.get(4).p(), 1e-7);
                // Extra work is the evaluations only: m + 1 in each full round, 1 at the start of the round cut short by the budget.
                double n = t.model().layout().size();
                assertEquals(4 + 4 + 1, Math.round(r.extraFlops() / (2 * n * probeTokens(ctx))));
            }
        }
    }

    private static double probeTokens(MixingContext ctx) {
        return new EvalProbe(ctx.eval(), ctx.mix().evalExamples(), ctx.options().batch(), ctx.config().context()).tokens();
    }

    @Test
    void dgaEmaOfTheWeights() {
        float[] prev = {0.5f, 0.3f, 0.2f};
        double[] w = {0.5 * Math.exp(0.5), 0.3 * Math.exp(-0.5), 0.2};
        double s = w[0] + w[1] + w[2];
        float[] p = DgaStrategy.update(prev, new double[] {1, -1, 0}, 0.5, 0.25);
        assertClose(new double[] {0.75 * w[0] / s + 0.25 * 0.5, 0.75 * w[1] / s + 0.25 * 0.3, 0.75 * w[2] / s + 0.25 * 0.2}, p, 1e-6);
    }

    @Test
    void rnbUniformShareIsAConvexMixture() {
        assertClose(new double[] {0.8 * 0.7 + 0.1, 0.8 * 0.3 + 0.1}, DomainProportions.dense(new float[] {0.7f, 0.3f}).mixWithUniform(0.2f).toArray(), 1e-7);
        assertArrayEquals(new float[] {0.7f, 0.3f}, DomainProportions.dense(new float[] {0.7f, 0.3f}).mixWithUniform(0f).toArray());
    }

    @Test
    void doremiGroupDroStepMatchesAHandComputation() {
        // alpha (1/2, 1/2), lambda (0.2, 0), eta 1: alpha' normalised = (e^.2, 1) / (1 + e^.2); smoothing c = 0.1 over 2 domains.
        double[] next = DoremiStrategy.update(new double[] {0.5, 0.5}, new double[] {0.2, 0}, 1, 0.1);
        double a0 = Math.exp(0.2) / (1 + Math.exp(0.2));
        assertArrayEquals(new double[] {0.9 * a0 + 0.05, 0.9 * (1 - a0) + 0.05}, next, 1e-12);
        // A domain with weight 0 (no training data) stays 0 and takes no smoothing mass.
        double[] withEmpty = DoremiStrategy.update(new double[] {0.5, 0, 0.5}, new double[] {0.2, 9, 0}, 1, 0.1);
        assertArrayEquals(new double[] {0.9 * a0 + 0.05, 0, 0.9 * (1 - a0) + 0.05}, withEmpty, 1e-12);
        // Excess loss: rows of domain 0 at positions 0-1 (one masked), domain 1 at 2-3; domain 2 absent.
        dev.rnb.data.Batch b = new dev.rnb.data.Batch(2, 2, new float[4], new float[4], new float[] {0.5f, 0, 0.25f, 0.25f},
                new int[] {0, 0, 1, 1}, new int[] {0, 1}, 3);
        double[] lambda = DoremiStrategy.excessLoss(b, new float[] {2.0f, 9f, 1.0f, 3.0f}, new float[] {1.5f, 0f, 1.5f, 2.0f}, 3);
        assertArrayEquals(new double[] {0.5, (0 + 1.0) / 2, 0}, lambda, 1e-7);
        dev.rnb.data.Batch w = DoremiStrategy.weighted(b, new double[] {0.5, 0.25, 0.25});
        assertArrayEquals(new float[] {0.5f * 1.5f, 0, 0.25f * 0.75f, 0.25f * 0.75f}, w.weights(), 1e-7f);
    }

    @Test
    void tokenLossesOfTheTrainingForwardAreThoseOfAForwardPass() {
        try (Backend b = Backends.open("cpu")) {
            MixingContext ctx = context(b, 3, MixingStrategyTest.options(2));
            try (Trainer t = new Trainer(b, TINY, ctx.options(), ctx.train())) {
                dev.rnb.data.Batch batch = t.sampler().next();
                float[] before = t.tokenLosses(batch);
                t.trainStep(batch);
                assertArrayEquals(before, t.tokenLosses(), "the step's forward saw the parameters before the update");
                float[] after = t.tokenLosses(batch);
                double sum = 0;
                for (int i = 0; i < after.length; i++) sum += (before[i] - after[i]) * batch.weights()[i];
                assertTrue(sum > 0, "a step on a batch lowers its loss");
            }
        }
    }

    /** DoReMi and DoGE end to end on the tiny model: fixed learned weights from step 1, their proxies' cost counted. */
    @Test
    void proxyMethodsRunEndToEnd() throws Exception {
        int steps = 6;
        try (Backend b = Backends.open("cpu")) {
            MixingContext ctx = context(b, steps, MixingStrategyTest.options(2));
            ProxyRun proxy = new ProxyRun(ctx, 0);
            assertEquals(3, proxy.steps());
            assertEquals(1, proxy.config.layers());
            assertEquals(8, proxy.config.channels());
            double m = 3, batchTokens = 4.0 * TINY.context();
            double n = new dev.rnb.model.ParameterLayout(TINY).size();
            for (String name : List.of("doremi", "doge")) {
                try (MixingStrategy s = Strategies.create(name, ctx); Trainer t = new Trainer(b, TINY, ctx.options(), ctx.train())) {
                    assertEquals("", s.summary(), name + ": nothing learned yet");
                    RunResult r = new MixedRun(t, s, ctx.eval()).evalEvery(3).run("original", 7);
                    assertEquals(steps, t.step());
                    assertEquals(1, r.proportions().size(), name + ": one fixed mixture");
                    float[] p = r.proportions().get(0).p();
                    double sum = 0;
                    for (float x : p) {
                        assertTrue(x > 0 && x < 1, name + " " + java.util.Arrays.toString(p));
                        sum += x;
                    }
                    assertEquals(1, sum, 1e-5);
                    StringBuilder weights = new StringBuilder("learned domain weights, fixed for the main run:");
                    for (float x : p) weights.append(String.format(java.util.Locale.ROOT, " %.3f", x));
                    assertEquals(weights.toString(), s.summary(), name);
                    double expected = name.equals("doremi")
                            ? 3 * (2 * proxy.stepFlops() + 2 * proxy.forwardFlops())
                            : 3 * ((m + 2) * proxy.stepFlops() + m * 2 * proxy.parameters);
                    assertEquals(expected, r.extraFlops(), expected * 1e-9, name);
                    assertTrue(r.costModelPercent() > 0 && Double.isFinite(r.evalLoss()));
                    assertTrue(r.extraFlops() / (6 * n * steps * batchTokens) > 0.1, "two small runs are not cheap next to six steps");
                }
            }
        }
    }

    @Test
    void methodSpecsCarryTheirSettings() {
        assertEquals("rnb:lambda=5:K=10", Strategies.canonical(" R&B:lambda=5:K=10"));
        assertEquals("R&B (lambda=5, K=10)", Strategies.label("rnb:lambda=5:K=10"));
        MixOptions m = Strategies.settings("rnb:lambda=5:K=10:uniform=0.2", MixOptions.defaults(3));
        assertEquals(5f, m.lambda());
        assertEquals(10, m.stepsPerRound());
        assertEquals(0.2f, m.uniformShare());
        assertEquals(0.3, Strategies.settings("aioli:ema=0.3", MixOptions.defaults(3)).emaOr(0.1), 0);
        assertThrows(IllegalArgumentException.class, () -> Strategies.canonical("rnb:temperature=3"));
        assertThrows(IllegalArgumentException.class, () -> Strategies.canonical("rnb:lambda"));
        assertThrows(IllegalArgumentException.class, () -> Strategies.canonical("rnb:K=x"));
        assertThrows(IllegalArgumentException.class, () -> Strategies.canonical("dga:ema=1"));
        assertTrue(Strategies.base("rnb:K=5").equals("rnb"));
    }
}
