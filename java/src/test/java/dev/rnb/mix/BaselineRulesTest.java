package dev.rnb.mix;

import dev.rnb.backend.Backend;
import dev.rnb.backend.Backends;
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
        assertClose(new double[] {0.8 * 0.7 + 0.1, 0.8 * 0.3 + 0.1}, RnbStrategy.mixWithUniform(new float[] {0.7f, 0.3f}, 0.2f), 1e-7);
        assertArrayEquals(new float[] {0.7f, 0.3f}, RnbStrategy.mixWithUniform(new float[] {0.7f, 0.3f}, 0f));
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
