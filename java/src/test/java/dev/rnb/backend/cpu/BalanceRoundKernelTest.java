package dev.rnb.backend.cpu;

import dev.rnb.backend.Backend;
import dev.rnb.backend.BalanceStep;
import dev.rnb.backend.Tensor;
import dev.rnb.backend.reference.ReferenceBackend;
import dev.rnb.testing.Compare;
import dev.rnb.testing.Rng;
import dev.rnb.testing.TestBackends;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static dev.rnb.testing.Tensors.put;

/**
 * native/balance_round.cpp (G p, the update, and both in one call) against
 * the reference backend on every instruction set this CPU runs, forced in
 * turn, each with its loops serial (the default threshold, which most sizes
 * stay under) and with the threshold at 0 (every loop parallel). Ragged k and
 * d: k = 1, d not a multiple of any vector width, d across pass 1's
 * 4096-column blocks, k across its 16,384-row slices (partial sums added),
 * k not a multiple of the four rows a kernel step takes, absent domains whose
 * rows hold NaN (never read) and rounds the update skips.
 */
class BalanceRoundKernelTest {
    private static final Backend REF = new ReferenceBackend();
    private static Backend cpu;

    /** {k, d}. */
    private static final int[][] SHAPES = {{1, 1}, {1, 17}, {2, 3}, {3, 5}, {7, 15}, {13, 33}, {5, 64}, {64, 63},
            {130, 64}, {257, 100}, {1000, 5}, {1030, 7}, {3, 4097}, {9, 8200}, {200, 4100}, {16385, 3}, {40000, 9},
            {17000, 33}};

    /** {k, d} for the live-block passes: d whole blocks of 16; k across the four-row groups and pass 1's slices. */
    private static final int[][] LIVE_SHAPES = {{1, 16}, {2, 32}, {7, 48}, {64, 1024}, {130, 64}, {1030, 160}, {16385, 16},
            {17000, 64}};

    @AfterAll
    static void close() {
        if (cpu != null) cpu.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"baseline", "avx2", "avx512"})
    void gramTimesPAndTheUpdateMatchReferenceOnEveryInstructionSetAndPath(String isa) {
        if (cpu == null) cpu = TestBackends.openOrSkip("cpu");
        Assumptions.assumeTrue(ModelKernels.isaSupported(isa), "this CPU lacks " + isa);
        String chosen = ModelKernels.isa();
        long loops = ModelKernels.rnb_model_parallel_min_work();
        ModelKernels.selectIsa(isa);
        try {
            for (long threshold : new long[] {loops, 0}) {
                ModelKernels.rnb_model_set_parallel_min_work(threshold);
                Rng rng = new Rng();
                String what = isa + " threshold=" + threshold + " " + rng;
                for (int[] s : SHAPES) {
                    shapeMatchesReference(rng, s[0], s[1], what);
                }
                for (int[] s : LIVE_SHAPES) {
                    liveBlocksKeepTheBits(rng, s[0], s[1], what);
                }
                degenerateRounds(rng, what);
            }
        } finally {
            ModelKernels.rnb_model_set_parallel_min_work(loops);
            ModelKernels.selectIsa(chosen);
        }
    }

    /**
     * Pass 1's row slices and pass 2's statistics chunks are fixed by k, and
     * their partial results added in order: serial and parallel runs give the
     * same bits (rnb_model.h promises results independent of the threads).
     */
    @Test
    void serialAndParallelRunsGiveTheSameBits() {
        if (cpu == null) cpu = TestBackends.openOrSkip("cpu");
        Rng rng = new Rng();
        int k = 40000 + rng.nextInt(1000), d = 1 + rng.nextInt(40);
        float[] x = rng.gaussian(k * d), scale = new float[k], p = new float[k], current = new float[k];
        for (int i = 0; i < k; i++) {
            scale[i] = rng.nextInt(7) == 0 ? 0f : (float) (1.0 / (1 + rng.nextInt(50)));
            p[i] = (float) rng.nextDouble();
            current[i] = 1f / k;
        }
        long loops = ModelKernels.rnb_model_parallel_min_work();
        float[][] gp = new float[2][], next = new float[2][];
        try (Tensor tx = put(cpu, x)) {
            for (int run = 0; run < 2; run++) {
                ModelKernels.rnb_model_set_parallel_min_work(run == 0 ? Long.MAX_VALUE : 0);
                gp[run] = cpu.gramTimesP(tx, k, d, scale, p);
                next[run] = cpu.balanceRound(tx, k, d, scale, p, 3f, current).next();
                try (Tensor copy = put(cpu, x)) {
                    assertArrayEquals(gp[run], cpu.gramTimesPThenZero(copy, k, d, scale, p), "G p then zero, run " + run);
                }
            }
        } finally {
            ModelKernels.rnb_model_set_parallel_min_work(loops);
        }
        assertArrayEquals(gp[0], gp[1], "G p, k=" + k + " d=" + d + " " + rng);
        assertArrayEquals(next[0], next[1], "p', k=" + k + " d=" + d + " " + rng);
    }

    private static void shapeMatchesReference(Rng rng, int k, int d, String what) {
        String at = what + " k=" + k + " d=" + d;
        float[] x = rng.gaussian(k * d);
        float[] scale = new float[k], p = new float[k];
        for (int i = 0; i < k; i++) {
            boolean absent = k > 1 && rng.nextInt(5) == 0;
            scale[i] = absent ? 0f : (float) (1.0 / (1 + rng.nextInt(50)));
            p[i] = (float) rng.nextDouble();
            if (absent) Arrays.fill(x, i * d, (i + 1) * d, Float.NaN); // an absent row is never read
        }
        float[] current = rng.gaussian(k);
        float lambda = (float) (5 * rng.nextDouble());
        float[] wantGp, gotGp;
        BalanceStep want, got;
        try (Tensor tx = put(REF, x)) {
            float[] clean = x.clone();
            for (int i = 0; i < clean.length; i++) if (Float.isNaN(clean[i])) clean[i] = 0f; // the reference reads every row
            REF.upload(clean, 0, tx, 0, clean.length);
            wantGp = REF.gramTimesP(tx, k, d, scale, p);
            want = REF.balanceRound(tx, k, d, scale, p, lambda, current);
        }
        try (Tensor tx = put(cpu, x)) {
            gotGp = cpu.gramTimesP(tx, k, d, scale, p);
            got = cpu.balanceRound(tx, k, d, scale, p, lambda, current);
        }
        gramTimesPThenZeroKeepsTheBits(x, k, d, scale, p, gotGp, at);
        Compare.close(gotGp, wantGp, 1e-4, at + " G p");
        assertEquals(want.status(), got.status(), at);
        Compare.close(got.next(), want.next(), 1e-4, at + " balance round");
        BalanceStep update = cpu.balanceUpdate(wantGp, scale, current, lambda);
        BalanceStep wantUpdate = REF.balanceUpdate(wantGp, scale, current, lambda);
        assertEquals(wantUpdate.status(), update.status(), at);
        Compare.close(update.next(), wantUpdate.next(), 1e-5, at + " update");
    }

    /**
     * The fused reset: G p's bits unchanged (the same dots, each row zeroed
     * after its read), every row zero after, NaN rows included, and the
     * floats after the k rows (here a ragged tail) untouched.
     */
    private static void gramTimesPThenZeroKeepsTheBits(float[] x, int k, int d, float[] scale, float[] p, float[] gp, String at) {
        int after = 1 + (k + d) % 19;
        float[] padded = Arrays.copyOf(x, k * d + after);
        for (int i = k * d; i < padded.length; i++) padded[i] = 7f + i;
        float[] fused, left = new float[padded.length];
        try (Tensor tx = put(cpu, padded)) {
            fused = cpu.gramTimesPThenZero(tx, k, d, scale, p);
            cpu.download(tx, 0, left, 0, left.length);
        }
        assertArrayEquals(gp, fused, at + " G p then zero: the bits of G p");
        for (int i = 0; i < k * d; i++) assertEquals(0f, left[i], at + " float " + i + " zeroed");
        for (int i = k * d; i < left.length; i++) assertEquals(padded[i], left[i], at + " float " + i + " after the rows kept");
    }

    /**
     * G p over the live blocks only (rnb_model_gram_times_p_then_zero_blocks)
     * has the bits of the whole-row call on the same rows with zeros in the
     * dead blocks; the dead blocks (NaN here) are neither read nor written,
     * the live ones zeroed; absent rows (NaN) are not read.
     */
    private static void liveBlocksKeepTheBits(Rng rng, int k, int d, String what) {
        int blocks = d / 16;
        int[] live = java.util.stream.IntStream.range(0, blocks).filter(b -> blocks == 1 || rng.nextInt(3) > 0).toArray();
        boolean[] isLive = new boolean[blocks];
        for (int b : live) isLive[b] = true;
        float[] x = rng.gaussian(k * d), scale = new float[k], p = new float[k];
        for (int i = 0; i < k; i++) {
            boolean absent = k > 1 && rng.nextInt(5) == 0;
            scale[i] = absent ? 0f : (float) (1.0 / (1 + rng.nextInt(50)));
            p[i] = (float) rng.nextDouble();
            if (absent) Arrays.fill(x, i * d, (i + 1) * d, Float.NaN);
        }
        float[] zeroed = x.clone();
        for (int i = 0; i < k * d; i++) {
            if (!isLive[(i % d) / 16]) {
                x[i] = Float.NaN;
                zeroed[i] = 0f;
            }
        }
        String at = what + " k=" + k + " d=" + d + " live " + live.length + " of " + blocks;
        float[] want, got, left = new float[k * d];
        try (Tensor tx = put(cpu, zeroed)) { want = cpu.gramTimesPThenZero(tx, k, d, scale, p); }
        try (Tensor tx = put(cpu, x)) {
            got = cpu.gramTimesPThenZero(tx, k, d, scale, p, live);
            cpu.download(tx, 0, left, 0, left.length);
        }
        assertArrayEquals(want, got, at + ": G p over the live blocks, the bits of the whole rows'");
        for (int i = 0; i < k * d; i++) {
            if (isLive[(i % d) / 16]) assertEquals(0f, left[i], at + ": live float " + i + " zeroed");
            else assertEquals(Float.floatToRawIntBits(Float.NaN), Float.floatToRawIntBits(left[i]), at + ": dead float " + i + " kept");
        }
    }

    /** A round with no present domain, one with a non-finite present row, one whose gradients are all zero. */
    private static void degenerateRounds(Rng rng, String what) {
        int k = 300, d = 9;
        float[] x = rng.gaussian(k * d), p = new float[k], scale = new float[k], current = rng.gaussian(k);
        Arrays.fill(p, 1f / k);
        assertSkipped(round(x, k, d, scale, p, current), BalanceStep.Status.SKIPPED_NO_DOMAIN, current, what);
        Arrays.fill(scale, 0.5f);
        x[200 * d + 4] = Float.POSITIVE_INFINITY;
        assertSkipped(round(x, k, d, scale, p, current), BalanceStep.Status.SKIPPED_NON_FINITE, current, what);
        assertSkipped(round(new float[k * d], k, d, scale, p, current), BalanceStep.Status.SKIPPED_ZERO_NORM, current, what);
    }

    private static BalanceStep round(float[] x, int k, int d, float[] scale, float[] p, float[] current) {
        try (Tensor tx = put(cpu, x)) {
            return cpu.balanceRound(tx, k, d, scale, p, 2f, current);
        }
    }

    private static void assertSkipped(BalanceStep step, BalanceStep.Status status, float[] current, String what) {
        assertEquals(status, step.status(), what);
        assertArrayEquals(current, step.next(), what + ": a skipped round keeps the current proportions");
    }
}
