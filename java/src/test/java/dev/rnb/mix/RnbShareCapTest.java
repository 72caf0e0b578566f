package dev.rnb.mix;

import dev.rnb.backend.Backend;
import dev.rnb.backend.Backends;
import dev.rnb.balance.SketchSpec;
import dev.rnb.data.DomainProportions;
import dev.rnb.data.MixtureSampler;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.util.Random;

import static dev.rnb.mix.MixingStrategyTest.E;
import static dev.rnb.mix.MixingStrategyTest.H;
import static dev.rnb.mix.MixingStrategyTest.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** R&amp;B's {@code cap=m} (beyond the paper): no domain's share above m times its size's share. */
class RnbShareCapTest {
    @TempDir
    Path dir;

    /**
     * min(c_i, alpha p_i) summing to 1, alpha found here another way than {@link DomainProportions#cappedBy}'s selection:
     * Newton's steps on the concave sum from alpha = 1 (each step's alpha solves the sum with the domains already at
     * their limits held there), which reach it from below in a finite number of steps.
     */
    static double[] capped(float[] p, float[] c) {
        double alpha = 1;
        while (true) {
            double held = 0, free = 0;
            for (int i = 0; i < p.length; i++) {
                if (alpha * p[i] >= c[i]) held += c[i];
                else free += p[i];
            }
            double next = (1 - held) / free;
            if (!(next > alpha * (1 + 1e-12))) break;
            alpha = next;
        }
        double[] out = new double[p.length];
        for (int i = 0; i < p.length; i++) out[i] = Math.min(c[i], alpha * p[i]);
        return out;
    }

    @RepeatedTest(5)
    void cappedByMatchesNewtonsStepsOnRaggedRandomMixtures() {
        Random r = new Random();
        int k = 2 + r.nextInt(300);
        float[] q = new float[k], p = new float[k];
        double qs = 0, ps = 0;
        for (int i = 0; i < k; i++) {
            qs += q[i] = r.nextInt(5) == 0 ? 0f : (float) Math.exp(2 * r.nextGaussian());
            ps += p[i] = (float) Math.exp(2 * r.nextGaussian());
        }
        if (qs == 0) qs += q[0] = 1f;
        float m = 1 + 3 * r.nextFloat();
        float[] c = new float[k];
        for (int i = 0; i < k; i++) {
            c[i] = (float) (m * q[i] / qs);
            p[i] = (float) (p[i] / ps);
        }
        double[] expected = capped(p, c);
        float[] out = DomainProportions.dense(p).cappedBy(c).toArray();
        assertClose(expected, out, 1e-5);
        double sum = 0;
        for (int i = 0; i < k; i++) {
            sum += out[i];
            assertTrue(out[i] <= c[i] * (1 + 1e-6), "domain " + i + ": " + out[i] + " above its limit " + c[i]);
        }
        assertEquals(1, sum, 1e-5);
        // The sparse form (listed domains and one shared value) the same, once expanded.
        int listed = 1 + r.nextInt(Math.min(k, 8));
        int[] ids = new int[listed];
        float[] values = new float[listed];
        for (int j = 0; j < listed; j++) {
            ids[j] = j * (k / listed);
            values[j] = 0.5f / listed;
        }
        DomainProportions sparse = DomainProportions.sparse(k, ids, values, k > listed ? 0.5f / (k - listed) : 0f);
        assertClose(capped(sparse.toArray(), c), sparse.cappedBy(c).toArray(), 1e-5);
    }

    @Test
    void aMixtureUnderItsLimitsIsKeptAsItIsAndBadLimitsAreRefused() {
        DomainProportions sparse = DomainProportions.sparse(6, new int[] {1, 4}, new float[] {0.3f, 0.1f}, 0.15f);
        assertSame(sparse, sparse.cappedBy(new float[] {0.2f, 0.3f, 0.2f, 0.15f, 0.1f, 0.15f}), "a sparse p' stays sparse");
        assertThrows(IllegalArgumentException.class, () -> sparse.cappedBy(new float[5]));
        float[] nan = {1, 1, 1, 1, Float.NaN, 1};
        assertThrows(IllegalArgumentException.class, () -> sparse.cappedBy(nan));
        IllegalArgumentException tight = assertThrows(IllegalArgumentException.class,
                () -> sparse.cappedBy(new float[] {0.1f, 0.1f, 0.1f, 0.1f, 0.1f, 0.1f}));
        assertTrue(tight.getMessage().contains("no mixture fits under them"), tight.getMessage());
    }

    @Test
    void capsTheStartAndTheHandComputedUpdate() {
        // The hand-computed round (RnbPriorTest), sizes (1, 2, 5) / 8, cap 2: limits (0.25, 0.5, 1.25).
        double[] paper = RnbPriorTest.handComputedRound();
        try (Backend b = Backends.open("reference");
             RnbStrategy s = new RnbStrategy(b, 3, 2, 2, new float[] {1, 1, 1}, 2f, SketchSpec.EXACT, 1, 1, 0f, Float.NaN, null,
                     new float[] {1, 2, 5}, false, 2f)) {
            // The uniform start: domain 0 held at 0.25, the other two share the rest as before: 0.375 each.
            assertClose(new double[] {0.25, 0.375, 0.375}, s.initialProportions(), 1e-7);
            s.accumulate(H, E, new int[] {0, 0, 1}, 3);
            float[] next = s.endRound().toArray();
            // Domain 1 is held at 0.5; the rest scaled up would put domain 0 above 0.25, so it is held too: domain 2 gets 0.25.
            assertTrue(paper[1] > 0.5 && paper[0] < 0.25 && paper[0] * 0.5 / (paper[0] + paper[2]) > 0.25, "the case meant");
            assertClose(new double[] {0.25, 0.5, 0.25}, next, 1e-6);
            assertClose(paper, s.lastRound().mixture().toArray(), 1e-6); // the round's own p', before the cap
            assertArrayEquals(next, s.endRound().toArray(), "a skipped round keeps the capped proportions");
            assertTrue(s.summary().contains("cap 2: no domain above 2 times its size's share"), s.summary());
            assertTrue(s.summary().contains("the cap bound in 1 of the 2 rounds this run ended"), s.summary());
        }
    }

    @Test
    void capsThePriorsTiltedUpdate() {
        double[] paper = RnbPriorTest.handComputedRound();
        float[] tilted = new float[3];
        double sum = 0;
        for (int i = 0; i < 3; i++) sum += paper[i] * (1 + (i == 1 ? 1 : i == 2 ? 4 : 0));
        for (int i = 0; i < 3; i++) tilted[i] = (float) (paper[i] * (1 + (i == 1 ? 1 : i == 2 ? 4 : 0)) / sum);
        float[] limits = {1.5f / 8, 3f / 8, 7.5f / 8};
        try (Backend b = Backends.open("reference");
             RnbStrategy s = new RnbStrategy(b, 3, 2, 2, new float[] {1, 1, 1}, 2f, SketchSpec.EXACT, 1, 1, 0f, Float.NaN, null,
                     new float[] {1, 2, 5}, true, 1.5f)) {
            assertClose(new double[] {1 / 8.0, 2 / 8.0, 5 / 8.0}, s.initialProportions(), 1e-7); // q is under its own cap
            s.accumulate(H, E, new int[] {0, 0, 1}, 3);
            float[] next = s.endRound().toArray();
            assertTrue(tilted[1] > limits[1], "the case meant: the tilted p' puts domain 1 above 1.5 q_1");
            assertClose(capped(tilted, limits), next, 1e-6);
        }
    }

    @Test
    void settingsAreParsedAndBadOnesRefused() {
        assertEquals("rnb:hier=4:prior=natural:cap=4", Strategies.canonical("rnb:hier=4:prior=natural:cap=4"));
        assertEquals(4f, MixOptions.defaults(1).with("cap", "4").shareCap());
        assertEquals(0f, MixOptions.defaults(1).with("cap", "4").with("cap", "off").shareCap());
        for (String bad : new String[] {"0.5", "NaN", "Infinity", "-2"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Strategies.canonical("rnb:cap=" + bad));
            assertTrue(e.getMessage().contains("share cap must be off or a finite number >= 1"), e.getMessage());
        }
        IllegalArgumentException word = assertThrows(IllegalArgumentException.class, () -> Strategies.canonical("rnb:cap=big"));
        assertTrue(word.getMessage().contains("cap needs a number, got 'big'"), word.getMessage());
    }

    /**
     * N steps straight against a checkpoint written mid-round, read back and continued: the same batches, losses and
     * p', every p' under its limits; at k &gt;= {@link MixtureSampler#SPARSE_MIN_DOMAINS} too (a capped p' is dense).
     */
    @ParameterizedTest
    @CsvSource({"rnb:cap=1.5, 37", "rnb:sketch=4x3:hier=4:prior=natural:cap=1.5, 37",
            "rnb:sketch=4x3:hier=8:cap=2, " + (MixtureSampler.SPARSE_MIN_DOMAINS + 321)})
    @Timeout(120)
    void resumedRunMatchesTheStraightRun(String spec, int k) throws Exception {
        try (Backend b = Backends.open("cpu")) {
            MixingContext ctx = RnbPriorTest.context(b, k);
            float[] natural = ctx.train().proportions();
            float m = Float.parseFloat(spec.substring(spec.lastIndexOf('=') + 1));
            int[] bound = {0};
            ResumeCheck.run(spec, ctx, dir.resolve("ckpt.bin"), 4, (batch, next) -> {
                if (next == null) return;
                float[] p = next.toArray();
                boolean held = false;
                for (int d = 0; d < k; d++) {
                    assertTrue(p[d] <= m * natural[d] * (1 + 1e-5), spec + ": domain " + d + " at " + p[d] + ", its limit " + m * natural[d]);
                    held |= p[d] >= m * natural[d] * (1 - 1e-5) && natural[d] > 0;
                }
                if (held) bound[0]++;
            });
            assertTrue(bound[0] > 0, spec + ": the cap never bound, so this run tested nothing of it");
        }
    }
}
