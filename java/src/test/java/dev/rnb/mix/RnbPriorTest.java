package dev.rnb.mix;

import dev.rnb.backend.Backend;
import dev.rnb.backend.Backends;
import dev.rnb.balance.SketchSpec;
import dev.rnb.data.ByteDataset;
import dev.rnb.data.DomainProportions;
import dev.rnb.data.MixtureSampler;
import dev.rnb.data.TrainingExample;
import dev.rnb.train.TrainOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static dev.rnb.mix.MixingStrategyTest.E;
import static dev.rnb.mix.MixingStrategyTest.H;
import static dev.rnb.mix.MixingStrategyTest.assertClose;
import static dev.rnb.mix.MixingStrategyTest.softmax;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** R&amp;B's {@code prior=natural} (beyond the paper): p' tilted by the training domains' sizes, and its checkpoints. */
class RnbPriorTest {
    @TempDir
    Path dir;

    /**
     * The paper's p' after one round of H and E over rows of domains (0, 0, 1), 3 domains, lambda 2: the hand
     * computation of MixingStrategyTest.rnbDomainAbsentFromARoundGetsLogitZero (domain 2 absent: logit 0), about
     * (0.16, 0.74, 0.10).
     */
    static double[] handComputedRound() {
        double[] p = {1 / 3.0, 1 / 3.0};
        double[] gp = {1.25 * p[0] - 0.5 * p[1], -0.5 * p[0] + 4 * p[1]};
        double norm = Math.hypot(gp[0], gp[1]);
        return softmax(new double[] {2 * gp[0] / norm, 2 * gp[1] / norm, 0});
    }

    @Test
    void startsFromThePriorAndTiltsTheHandComputedUpdate() {
        // The hand-computed round, each value then times q_i = (1, 2, 5) / 8 and renormalised.
        double[] paper = handComputedRound();
        double[] q = {1 / 8.0, 2 / 8.0, 5 / 8.0};
        double sum = 0;
        double[] tilted = new double[3];
        for (int i = 0; i < 3; i++) sum += tilted[i] = paper[i] * q[i];
        for (int i = 0; i < 3; i++) tilted[i] /= sum;
        try (Backend b = Backends.open("reference");
             RnbStrategy s = new RnbStrategy(b, 3, 2, 2, new float[] {1, 1, 1}, 2f, SketchSpec.EXACT, 1, 1, 0f, Float.NaN, null,
                     new float[] {1, 2, 5}, true, 0f)) {
            assertClose(q, s.initialProportions(), 1e-7);
            s.accumulate(H, E, new int[] {0, 0, 1}, 3);
            float[] next = s.endRound().toArray();
            assertClose(tilted, next, 1e-6);
            assertClose(paper, s.lastRound().mixture().toArray(), 1e-6); // the balancer keeps the paper's own p'
            // A round with no rows keeps the proportions in force: not tilted a second time.
            assertArrayEquals(next, s.endRound().toArray());
            assertEquals(1, s.skippedRounds());
            assertTrue(s.summary().contains("prior natural"), s.summary());
        }
    }

    @Test
    void aSkippedRoundDoesNotMixTheUniformShareInTwice() {
        try (Backend b = Backends.open("reference");
             RnbStrategy s = new RnbStrategy(b, 3, 2, 2, new float[] {1, 1, 1}, 2f, SketchSpec.EXACT, 1, 1, 0.2f, Float.NaN)) {
            s.accumulate(H, E, new int[] {0, 0, 1}, 3);
            float[] next = s.endRound().toArray();
            assertArrayEquals(next, s.endRound().toArray());
            assertEquals(1, s.skippedRounds());
        }
    }

    @Test
    void badPriorsAndSettingsAreRefused() {
        try (Backend b = Backends.open("reference")) {
            IllegalArgumentException both = assertThrows(IllegalArgumentException.class, () -> new RnbStrategy(b, 3, 2, 2,
                    new float[] {1, 1, 1}, 2f, SketchSpec.EXACT, 1, 1, 0.1f, Float.NaN, null, new float[] {1, 2, 5}, true, 0f));
            assertTrue(both.getMessage().contains("prior=natural and uniform=0.1"), both.getMessage());
            assertThrows(IllegalArgumentException.class, () -> new RnbStrategy(b, 3, 2, 2, new float[] {1, 1, 1}, 2f,
                    SketchSpec.EXACT, 1, 1, 0f, Float.NaN, null, new float[] {1, 2}, true, 0f));
            assertThrows(IllegalArgumentException.class, () -> new RnbStrategy(b, 3, 2, 2, new float[] {1, 1, 1}, 2f,
                    SketchSpec.EXACT, 1, 1, 0f, Float.NaN, null, new float[] {0, 0, 0}, true, 0f));
            assertThrows(IllegalArgumentException.class, () -> new RnbStrategy(b, 3, 2, 2, new float[] {1, 1, 1}, 2f,
                    SketchSpec.EXACT, 1, 1, 0f, Float.NaN, null, new float[] {1, -1, 5}, true, 0f));
        }
        assertEquals("rnb:hier=4:prior=natural", Strategies.canonical("rnb:hier=4:prior=natural"));
        assertEquals("R&B (prior=natural)", Strategies.label("rnb:prior=natural"));
        assertTrue(MixOptions.defaults(1).with("prior", "natural").naturalPrior());
        assertTrue(!MixOptions.defaults(1).with("prior", "natural").with("prior", "uniform").naturalPrior());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> Strategies.canonical("rnb:prior=sizes"));
        assertTrue(bad.getMessage().contains("prior must be uniform or natural, got 'sizes'"), bad.getMessage());
    }

    @Test
    void weightedByMatchesAHandComputationInEveryForm() {
        Random r = new Random();
        int k = 5 + r.nextInt(20);
        float[] w = new float[k];
        for (int i = 0; i < k; i++) w[i] = r.nextInt(4) == 0 ? 0f : r.nextFloat() * 3;
        w[0] = 1f;
        float[] values = {0.3f, 0.1f};
        float rest = 0.6f / (k - 2);
        DomainProportions sparse = DomainProportions.sparse(k, new int[] {0, k - 1}, values, rest);
        for (DomainProportions p : List.of(sparse, DomainProportions.dense(sparse.toArray()), DomainProportions.uniform(k))) {
            float[] v = p.toArray();
            double sum = 0;
            for (int i = 0; i < k; i++) sum += (double) v[i] * w[i];
            double[] expected = new double[k];
            for (int i = 0; i < k; i++) expected[i] = v[i] * (double) w[i] / sum;
            DomainProportions out = p.weightedBy(w);
            assertTrue(!out.isSparse());
            assertClose(expected, out.toArray(), 1e-6);
        }
        assertThrows(IllegalArgumentException.class, () -> sparse.weightedBy(new float[k - 1]));
        assertThrows(IllegalArgumentException.class, () -> sparse.weightedBy(new float[k]));
        float[] nan = w.clone();
        nan[1] = Float.NaN;
        assertThrows(IllegalArgumentException.class, () -> sparse.weightedBy(nan));
    }

    /** Domain d has 1 + d % 4 training examples (some none: d % 9 == 0), so the prior is far from uniform. */
    static ByteDataset corpus(int k, boolean eval) {
        List<TrainingExample> ex = new ArrayList<>();
        List<String> names = new ArrayList<>(k);
        for (int d = 0; d < k; d++) {
            names.add(Integer.toString(d));
            int n = eval ? 1 : d % 9 == 0 ? 0 : 1 + d % 4;
            for (int i = 0; i < n; i++) {
                ex.add(new TrainingExample(("domain " + d + " says " + (d * 7919 % 1000) + " " + i).getBytes(StandardCharsets.UTF_8), d));
            }
        }
        return new ByteDataset(ex, names);
    }

    /** 8 steps of a tiny model over {@link #corpus} with k domains, evaluated on one example a domain. */
    static MixingContext context(Backend b, int k) {
        return new MixingContext(b, corpus(k, false), corpus(k, true), MixingStrategyTest.TINY, TrainOptions.defaults(8, 4, 7),
                MixingStrategyTest.options(3));
    }

    /**
     * N steps straight against a checkpoint written mid-round, read back and continued: the same batches, losses and
     * p'; at k &gt;= {@link MixtureSampler#SPARSE_MIN_DOMAINS} too, where the paper's rule keeps p' sparse or grouped
     * and the prior makes it dense.
     */
    @ParameterizedTest
    @CsvSource({"rnb:prior=natural, 37", "rnb:sketch=4x3:hier=4:prior=natural, 37",
            "rnb:sketch=4x3:hier=8:prior=natural, " + (MixtureSampler.SPARSE_MIN_DOMAINS + 321)})
    @Timeout(120)
    void resumedRunMatchesTheStraightRun(String spec, int k) throws Exception {
        try (Backend b = Backends.open("cpu")) {
            MixingContext ctx = context(b, k);
            float[] natural = ctx.train().proportions();
            try (MixingStrategy s = Strategies.create(spec, ctx)) {
                assertArrayEquals(natural, s.initialProportions(), 1e-7f, spec + ": starts from the domains' sizes");
            }
            ResumeCheck.run(spec, ctx, dir.resolve("ckpt.bin"), 4, (batch, next) -> {
                for (int d : batch.domainOfSequence()) assertTrue(natural[d] > 0, spec + ": drew domain " + d + ", which has no data");
                if (next == null) return;
                float[] p = next.toArray();
                for (int d = 0; d < k; d++) if (natural[d] == 0) assertEquals(0f, p[d], spec + ": domain " + d);
            });
        }
    }
}
