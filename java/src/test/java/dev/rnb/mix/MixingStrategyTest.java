package dev.rnb.mix;

import dev.rnb.backend.Backend;
import dev.rnb.backend.Backends;
import dev.rnb.balance.SketchSpec;
import dev.rnb.data.ByteDataset;
import dev.rnb.data.DomainProportions;
import dev.rnb.data.TrainingExample;
import dev.rnb.model.GptConfig;
import dev.rnb.train.TrainOptions;
import dev.rnb.train.Checkpoint;
import dev.rnb.train.Trainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MixingStrategyTest {
    static final GptConfig TINY = new GptConfig(16, 1, 2, 16);

    @TempDir
    Path dir;

    /** Three domains of different text; evaluation examples skewed to domain 0. */
    static ByteDataset corpus(boolean eval) {
        List<TrainingExample> ex = new ArrayList<>();
        for (int i = 0; i < (eval ? 6 : 12); i++) {
            ex.add(new TrainingExample(("the cat sat on the mat " + i + ". ").repeat(2).getBytes(StandardCharsets.UTF_8), 0));
            if (eval && i % 2 == 1) continue;
            ex.add(new TrainingExample(("0123456789".repeat(3) + i).getBytes(StandardCharsets.UTF_8), 1));
            ex.add(new TrainingExample(("reverse abc -> cba " + i).getBytes(StandardCharsets.UTF_8), 2));
        }
        return new ByteDataset(ex, List.of("words", "digits", "reverse"));
    }

    static MixingContext context(Backend b, int steps, MixOptions m) {
        return new MixingContext(b, corpus(false), corpus(true), TINY, TrainOptions.defaults(steps, 4, 7), m);
    }

    static MixOptions options(int k) {
        return new MixOptions(k, 3f, SketchSpec.EXACT, Double.NaN, 1, 8, 2, 5, 0f, Double.NaN, AbsentDomains.ZERO, java.util.List.of(), false, 0f);
    }

    static double[] softmax(double[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (double l : logits) max = Math.max(max, l);
        double sum = 0;
        double[] p = new double[logits.length];
        for (int i = 0; i < p.length; i++) sum += p[i] = Math.exp(logits[i] - max);
        for (int i = 0; i < p.length; i++) p[i] /= sum;
        return p;
    }

    static void assertClose(double[] expected, float[] actual, double tol) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], tol, "entry " + i);
        }
    }

    // h: 3 rows x 2, e: 3 rows x 2; rows 0-1 domain 0, row 2 domain 1.
    static final float[] H = {1, 0, 0, 1, 1, 1};
    static final float[] E = {1, 0, 0, 2, 1, -1};

    @Test
    void rnbMatchesAHandComputedUpdate() {
        // g0 = e0 h0^T + e1 h1^T = [[1,0],[0,2]], n0 = 2; g1 = e2 h2^T = [[1,1],[-1,-1]], n1 = 1.
        // G00 = 5/4, G01 = (1 - 2)/2 = -1/2, G11 = 4. p = (1/4, 3/4).
        double[] p = {0.25, 0.75};
        double[] gp = {1.25 * p[0] - 0.5 * p[1], -0.5 * p[0] + 4 * p[1]};
        double norm = Math.hypot(gp[0], gp[1]);
        for (float lambda : new float[] {1f, 3f}) {
            try (Backend b = Backends.open("reference");
                 RnbStrategy s = new RnbStrategy(b, 2, 2, 2, new float[] {1, 3}, lambda, SketchSpec.EXACT, 1, 1)) {
                s.accumulate(H, E, new int[] {0, 0, 1}, 3);
                float[] next = s.endRound().toArray();
                assertClose(softmax(new double[] {lambda * gp[0] / norm, lambda * gp[1] / norm}), next, 1e-6);
                assertArrayEquals(next, s.proportions());
            }
        }
    }

    @Test
    void rnbDomainAbsentFromARoundGetsLogitZero() {
        try (Backend b = Backends.open("reference");
             RnbStrategy s = new RnbStrategy(b, 3, 2, 2, new float[] {1, 1, 1}, 2f, SketchSpec.EXACT, 1, 1)) {
            s.accumulate(H, E, new int[] {0, 0, 1}, 3);
            float[] next = s.endRound().toArray();
            // Domain 2 is absent: left out of G p (its scale is 0), logit 0.
            double[] p = {1 / 3.0, 1 / 3.0};
            double[] gp = {1.25 * p[0] - 0.5 * p[1], -0.5 * p[0] + 4 * p[1]};
            double norm = Math.hypot(gp[0], gp[1]);
            assertClose(softmax(new double[] {2 * gp[0] / norm, 2 * gp[1] / norm, 0}), next, 1e-6);
            assertEquals(3, s.lastRound().counts().length);
            assertEquals(0, s.lastRound().counts()[2]);
            // A round with no rows at all keeps the proportions and counts as skipped.
            float[] kept = s.endRound().toArray();
            assertArrayEquals(next, kept);
            assertEquals(1, s.skippedRounds());
        }
    }

    @Test
    void rnbLambdaExtremes() {
        try (Backend b = Backends.open("reference")) {
            try (RnbStrategy s = new RnbStrategy(b, 2, 2, 2, new float[] {1, 3}, 0f, SketchSpec.EXACT, 1, 1)) {
                s.accumulate(H, E, new int[] {0, 0, 1}, 3);
                assertClose(new double[] {0.5, 0.5}, s.endRound().toArray(), 1e-7);
            }
            try (RnbStrategy s = new RnbStrategy(b, 2, 2, 2, new float[] {1, 3}, 1000f, SketchSpec.EXACT, 1, 1)) {
                s.accumulate(H, E, new int[] {0, 0, 1}, 3);
                assertClose(new double[] {0, 1}, s.endRound().toArray(), 1e-7);
            }
        }
    }

    @Test
    void rnbSketchedProportionsAreCloseToExact() {
        int k = 4, h = 8, v = 32, rows = 400;
        Random r = new Random(3);
        float[] hs = new float[rows * h], es = new float[rows * v];
        int[] dom = new int[rows];
        for (int i = 0; i < rows; i++) {
            dom[i] = i % k;
            for (int j = 0; j < h; j++) hs[i * h + j] = (float) r.nextGaussian() + (dom[i] == 0 ? 1 : 0);
            for (int j = 0; j < v; j++) es[i * v + j] = (float) r.nextGaussian() * 0.1f + (j == dom[i] % 3 ? 0.5f : 0f);
        }
        float[] exact, sketched;
        float[] p = {0.4f, 0.3f, 0.2f, 0.1f};
        try (Backend b = Backends.open("cpu");
             RnbStrategy e = new RnbStrategy(b, k, h, v, p, 3f, SketchSpec.EXACT, 1, 9);
             RnbStrategy s = new RnbStrategy(b, k, h, v, p, 3f, SketchSpec.count(1024), 1, 9)) {
            e.accumulate(hs, es, dom, rows);
            s.accumulate(hs, es, dom, rows);
            exact = e.endRound().toArray();
            sketched = s.endRound().toArray();
        }
        double l1 = 0;
        for (int i = 0; i < k; i++) l1 += Math.abs(exact[i] - sketched[i]);
        assertTrue(l1 < 0.05, "sketched " + java.util.Arrays.toString(sketched) + " vs exact " + java.util.Arrays.toString(exact));
    }

    @Test
    void skillItUpdateMatchesAHandComputation() {
        double[][] a = {{0.1, 0}, {0.2, 0.3}};
        // scores: 0.1*2 + 0*1 = 0.2 and 0.2*2 + 0.3*1 = 0.7, from p1 = (1/2, 1/2), eta 1.
        float[] p = SkillItStrategy.update(new float[] {0.5f, 0.5f}, a, new double[] {2, 1}, 1.0);
        double p0 = 1 / (1 + Math.exp(0.5));
        assertClose(new double[] {p0, 1 - p0}, p, 1e-6);
    }

    @Test
    void staticStrategies() {
        try (Backend b = Backends.open("reference")) {
            MixingContext ctx = context(b, 4, options(2));
            assertClose(new double[] {1 / 3.0, 1 / 3.0, 1 / 3.0}, Strategies.create("stratified", ctx).initialProportions(), 1e-7);
            assertClose(new double[] {1 / 3.0, 1 / 3.0, 1 / 3.0}, Strategies.create("natural", ctx).initialProportions(), 1e-7);
            assertThrows(IllegalArgumentException.class, () -> Strategies.create("doremix", ctx));
        }
    }

    /** On cuda the overhead timers synchronise the device, so queued backward kernels are not charged to the strategy. */
    @Test
    void overheadTimersSynchroniseTheDevice() throws Exception {
        int steps = 3;
        try (Backend b = Backends.open("cuda-emulated")) {
            MixingContext ctx = context(b, steps, options(2));
            try (MixingStrategy s = Strategies.create("rnb:sketch=4x4", ctx); Trainer t = new Trainer(b, TINY, ctx.options(), ctx.train())) {
                long before = dev.rnb.backend.cuda.EmulatedDevice.synchronizations();
                RunResult r = new MixedRun(t, s, ctx.eval()).evalEvery(100).run("original", 7);
                long syncs = dev.rnb.backend.cuda.EmulatedDevice.synchronizations() - before;
                // begin, then per step the head split and the end of step, each started and stopped.
                assertTrue(syncs >= 2 + 4L * steps, syncs + " synchronisations in " + steps + " steps");
                assertTrue(r.extraNanos() > 0);
            }
        }
    }

    /** Every adaptive strategy really does its extra work inside training and returns proportions once a round ends. */
    @ParameterizedTest
    @ValueSource(strings = {"rnb", "skill-it", "dga"})
    void adaptiveStrategiesUpdateOncePerRound(String name) throws Exception {
        int steps = 4, k = 2;
        try (Backend b = Backends.open("cpu")) {
            MixingContext ctx = context(b, steps, options(k));
            try (MixingStrategy s = Strategies.create(name, ctx); Trainer t = new Trainer(b, TINY, ctx.options(), ctx.train())) {
                RunResult r = new MixedRun(t, s, ctx.eval()).evalEvery(2).run("original", 7);
                assertEquals(1 + steps / k, r.proportions().size(), "initial + one per round");
                if (name.equals("rnb")) {
                    // R&B's p' is kept as the balancer made it (touched values + one shared), not expanded to k floats.
                    for (RunResult.Proportions p : r.proportions().subList(1, r.proportions().size())) {
                        assertTrue(p.mixture().isSparse(), "round from step " + p.step() + " was kept dense");
                    }
                }
                for (RunResult.Proportions p : r.proportions()) {
                    double sum = 0;
                    for (float x : p.p()) {
                        assertTrue(x >= 0 && Float.isFinite(x));
                        sum += x;
                    }
                    assertEquals(1, sum, 1e-5);
                }
                assertTrue(r.extraNanos() > 0 && r.extraNanos() < r.trainNanos());
                assertTrue(r.extraFlops() > 0);
                assertTrue(Double.isFinite(r.evalLoss()));
                assertEquals(2, r.evalCurve().size());
                double n = t.model().layout().size(), bt = 4.0 * TINY.context();
                double rounds = steps / k, m = 3;
                if (name.equals("rnb")) {
                    // the head's GEMM split by domain (free) + adding the k' <= m pieces present in a
                    // step to their accumulators and to the head (2 k' v h) + 4 k d per round
                    double perRound = rounds * 4 * m * 16 * 256;
                    assertTrue(r.extraFlops() >= steps * 2 * 16 * 256 + perRound, "rnb flops " + r.extraFlops());
                    assertTrue(r.extraFlops() <= steps * 2 * m * 16 * 256 + perRound, "rnb flops " + r.extraFlops());
                }
                double expected = switch (name) {
                    // (m + 1) gradients + m dots of N per round
                    case "dga" -> rounds * ((m + 1) * 6 * n * bt + m * 2 * n);
                    default -> Double.NaN;
                };
                if (!Double.isNaN(expected)) {
                    assertEquals(expected, r.extraFlops(), expected * 1e-9);
                }
                double dt = steps * bt;
                double model = switch (name) {
                    case "rnb" -> rounds * m * m / (6 * dt);                                  // T m^2 / (6 D_t)
                    case "dga" -> m * (rounds * bt / dt) + rounds * (rounds * bt / dt) * bt / dt; // m delta + T delta D_e / D_t
                    default -> Double.NaN;
                };
                if (!Double.isNaN(model)) {
                    assertEquals(100 * model, r.costModelPercent(), 1e-9 * model);
                } else {
                    assertTrue(r.costModelPercent() > 0);
                }
            }
        }
    }

    @Test
    void aioliAndDgaLeaveTheModelAsTheyFoundIt() {
        try (Backend b = Backends.open("cpu")) {
            MixingContext ctx = context(b, 2, options(1));
            for (String name : List.of("aioli", "dga")) {
                try (MixingStrategy s = Strategies.create(name, ctx); Trainer t = new Trainer(b, TINY, ctx.options(), ctx.train())) {
                    s.begin(t);
                    t.trainStep();
                    float[] before = t.snapshot();
                    assertNotNull(s.endOfStep(1, t));
                    assertArrayEquals(before, t.snapshot(), name);
                    assertEquals(1, t.step());
                }
            }
        }
    }

    @Test
    void skillItBuildsItsGraphAfterTheWarmUpAndRestoresTheModel() {
        try (Backend b = Backends.open("cpu")) {
            MixingContext ctx = context(b, 4, options(2));
            try (SkillItStrategy s = (SkillItStrategy) Strategies.create("skill-it", ctx);
                 Trainer t = new Trainer(b, TINY, ctx.options(), ctx.train())) {
                assertEquals(2, s.warmupSteps());
                s.begin(t);
                assertNull(s.graph(), "no graph from the freshly initialised model");
                t.trainStep();
                assertNull(s.endOfStep(1, t), "the warm-up trains on the initial mixture");
                assertNull(s.graph());
                t.trainStep();
                float[] before = t.snapshot();
                assertNotNull(s.endOfStep(2, t), "the first update ends the warm-up");
                assertArrayEquals(before, t.snapshot(), "the graph's probe steps are rolled back");
                assertEquals(2, t.step());
                double[][] a = s.graph();
                assertEquals(3, a.length);
                double total = 0;
                for (double[] row : a) for (double x : row) {
                    assertTrue(x >= 0);
                    total += x;
                }
                assertTrue(total > 0, "a training step lowers some domain's loss");
            }
        }
    }

    /** N steps straight vs k steps + checkpoint (model + mixing state, mid-round) + resume + N-k steps: identical on cpu. */
    @ParameterizedTest
    @ValueSource(strings = {"rnb", "rnb:sketch=4x3", "rnb:hier=2", "rnb:hier=2/2:absent=carry", "skill-it", "aioli", "dga", "doremi", "doge"})
    void checkpointRoundTripOfMixingState(String name) throws Exception {
        int steps = 7, cut = 4;
        MixOptions m = options(3);
        Path ckpt = dir.resolve(name + ".bin");
        try (Backend b = Backends.open("cpu")) {
            MixingContext ctx = context(b, steps, m);
            RunResult straight;
            float[] straightParams;
            try (MixingStrategy s = Strategies.create(name, ctx); Trainer t = new Trainer(b, TINY, ctx.options(), ctx.train())) {
                straight = new MixedRun(t, s, ctx.eval()).evalEvery(100).run("original", 7);
                straightParams = t.snapshot();
            }
            try (MixingStrategy s = Strategies.create(name, ctx); Trainer t = new Trainer(b, TINY, ctx.options(), ctx.train())) {
                t.setProportions(s.initialProportions());
                s.begin(t);
                s.attach(t);
                while (t.step() < cut) {
                    t.trainStep();
                    DomainProportions next = s.endOfStep(t.step(), t);
                    if (next != null) t.setProportions(next);
                }
                t.save(ckpt, s.saveState());
            }
            try (MixingStrategy s = Strategies.create(name, ctx)) { // a state refused only at its end changes nothing
                byte[] before = s.saveState();
                byte[] state = Checkpoint.read(ckpt).extra();
                byte[] trailing = java.util.Arrays.copyOf(state, state.length + 1 + new java.util.Random().nextInt(4));
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.restoreState(trailing));
                assertTrue(e.getMessage().contains("trailing bytes"), e.getMessage());
                assertArrayEquals(before, s.saveState(), name + ": the state as it was");
            }
            try (MixingStrategy s = Strategies.create(name, ctx); Trainer t = new Trainer(b, TINY, ctx.options(), ctx.train())) {
                MixedRun run = new MixedRun(t, s, ctx.eval()).evalEvery(100);
                run.resume(ckpt);
                RunResult resumed = run.run("original", 7);
                assertArrayEquals(straightParams, t.snapshot(), "parameters");
                List<RunResult.Proportions> a = straight.proportions(), c = resumed.proportions();
                assertArrayEquals(a.get(a.size() - 1).p(), c.get(c.size() - 1).p(), "final proportions");
                assertEquals(straight.evalLoss(), resumed.evalLoss());
            }
            try (MixingStrategy other = Strategies.create(name.startsWith("rnb") ? "dga" : "rnb", ctx)) {
                byte[] state;
                try (MixingStrategy s = Strategies.create(name, ctx)) {
                    state = s.saveState();
                }
                assertThrows(IllegalArgumentException.class, () -> other.restoreState(state));
            }
        }
    }
}
