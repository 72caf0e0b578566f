package dev.rnb.backend;

import dev.rnb.backend.cpu.CpuBackend;
import dev.rnb.backend.cpu.ModelKernels;
import dev.rnb.backend.reference.ReferenceBackend;
import dev.rnb.testing.Compare;
import dev.rnb.testing.CoversKernels;
import dev.rnb.testing.Rng;
import dev.rnb.testing.TestBackends;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;
import org.junit.jupiter.params.provider.ValueSource;


import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static dev.rnb.testing.Tensors.get;
import static dev.rnb.testing.Tensors.put;

/**
 * Every operation of the cpu backend and of the cuda launch code (run on the
 * emulated kernels) against the reference backend, on fresh random inputs,
 * ragged sizes and the edge cases (k = 1, absent domains, N = 0).
 */
@CoversKernels({"rnb_domain_grad_accumulate", "rnb_domain_grad_head_accumulate", "rnb_count_sketch_add", "rnb_gram", "rnb_scaled_domain_sum", "rnb_scaled_domain_dots",
        "rnb_balance_stats", "rnb_balance_norm", "rnb_balance_exp", "rnb_balance_normalise"})
class BackendConformanceTest {
    private static final TestBackends BACKENDS = new TestBackends();
    private static final Backend REF = new ReferenceBackend();

    static Backend backend(String name) {
        return BACKENDS.get(name);
    }

    @AfterAll
    static void closeAll() {
        BACKENDS.close();
    }

    @ParameterizedTest
    @FieldSource("dev.rnb.testing.TestBackends#UNDER_TEST")
    void gemmMatchesReferenceForAllTranspositions(String name) {
        Backend b = backend(name);
        Rng rng = new Rng();
        int[][] shapes = {{1, 1, 1}, {7, 5, 3}, {33, 17, 65}, {64, 1, 129}};
        for (int[] s : shapes) {
            int m = s[0], n = s[1], k = s[2];
            for (int variant = 0; variant < 4; variant++) {
                boolean ta = (variant & 1) != 0, tb = (variant & 2) != 0;
                float[] a = rng.gaussian(m * k), bb = rng.gaussian(k * n), c = rng.gaussian(m * n);
                int lda = ta ? m : k, ldb = tb ? k : n;
                float[] want = run(REF, ta, tb, m, n, k, a, lda, bb, ldb, c);
                float[] got = run(b, ta, tb, m, n, k, a, lda, bb, ldb, c);
                // A 1 x 1 result can cancel to near zero: judge the error against the size of the terms.
                double scale = Compare.norm(want) + 0.75 * Compare.norm(a) * Compare.norm(bb) + 0.5 * Compare.norm(c);
                Compare.closeAtScale(got, want, scale, 1e-5, name + " gemm " + m + "x" + n + "x" + k + " ta=" + ta + " tb=" + tb + " " + rng);
            }
        }
    }

    private static float[] run(Backend b, boolean ta, boolean tb, int m, int n, int k,
                               float[] a, int lda, float[] bb, int ldb, float[] c) {
        try (Tensor ta1 = put(b, a); Tensor tb1 = put(b, bb); Tensor tc = put(b, c)) {
            b.gemm(ta, tb, m, n, k, 0.75f, ta1, lda, tb1, ldb, 0.5f, tc, n);
            return get(b, tc);
        }
    }

    @ParameterizedTest
    @FieldSource("dev.rnb.testing.TestBackends#UNDER_TEST")
    void domainGradientsMatchReferenceOnRaggedSizes(String name) {
        Backend b = backend(name);
        Rng rng = new Rng();
        // {rows, h, v, k}: ragged widths, k = 1, more domains than rows (absent domains), N = 0.
        // a fifth entry: domains in runs of consecutive rows (one domain per example; the cpu reads them in place)
        int[][] fixed = {{37, 1, 1, 1}, {100, 17, 33, 3}, {65, 64, 64, 5}, {129, 65, 130, 1},
                {10, 300, 7, 16}, {0, 8, 8, 4}, {200, 96, 257, 7}, {300, 17, 33, 4, 1}, {517, 64, 256, 3, 1}};
        // Random ragged shapes too: h and v off the cpu kernel's tile sizes
        // (6 or 4 rows of v, 64, 16 or 8 columns of h), segments longer than
        // its 128-row chunks, runs of mixed lengths, domains without rows.
        int[][] cases = java.util.Arrays.copyOf(fixed, fixed.length + 6);
        for (int i = fixed.length; i < cases.length; i++) {
            cases[i] = new int[] {1 + rng.nextInt(600), 1 + rng.nextInt(200), 1 + rng.nextInt(300), 1 + rng.nextInt(12),
                    rng.nextInt(2)};
        }
        for (int[] c : cases) {
            int rows = c[0], h = c[1], v = c[2], k = c[3];
            float[] hs = rng.gaussian(rows * h), es = rng.gaussian(rows * v);
            float[] g0 = rng.gaussian(k * v * h); // accumulate onto random values, not zeros
            int[] dom = c.length > 4 ? runsOfDomains(rng, rows, k) : rng.ints(rows, k);
            if (k > 2 && rows > 0) {
                for (int r = 0; r < rows; r++) {
                    if (dom[r] == 1) dom[r] = 0; // domain 1 absent from this call
                }
            }
            DomainSegments seg = DomainSegments.of(dom, rows, k);
            float[] want = accumulate(REF, hs, es, h, v, seg, g0);
            float[] got = accumulate(b, hs, es, h, v, seg, g0);
            double scale = Compare.norm(want) + Compare.norm(g0) + 2 * Compare.norm(hs) * Compare.norm(es);
            Compare.closeAtScale(got, want, scale, 1e-5, name + " domain grads rows=" + rows + " h=" + h + " v=" + v + " k=" + k + " " + rng);
            if (k > 2 && rows > 0) {
                float[] absentBlock = java.util.Arrays.copyOfRange(got, v * h, 2 * v * h);
                assertArrayEquals(java.util.Arrays.copyOfRange(g0, v * h, 2 * v * h), absentBlock, name + ": absent domain touched");
            }
        }
    }

    /** A domain per run of 32 to 79 consecutive rows (the last run ragged), as when every example has one domain. */
    private static int[] runsOfDomains(Rng rng, int rows, int k) {
        int[] dom = new int[rows];
        for (int start = 0; start < rows; ) {
            int end = Math.min(rows, start + 32 + rng.nextInt(48));
            java.util.Arrays.fill(dom, start, end, rng.nextInt(k));
            start = end;
        }
        return dom;
    }

    private static float[] accumulate(Backend b, float[] hs, float[] es, int h, int v, DomainSegments seg, float[] g0) {
        try (Tensor th = put(b, hs.length == 0 ? new float[1] : hs); Tensor te = put(b, es.length == 0 ? new float[1] : es);
             Tensor tg = put(b, g0)) {
            b.domainGradAccumulate(th, te, h, v, seg, tg);
            b.domainGradAccumulate(th, te, h, v, seg, tg); // twice: accumulation, not overwrite
            return get(b, tg);
        }
    }

    /**
     * The fused split: per-domain gradients as domainGradAccumulate, and the
     * head gradient (a view at an offset, as in the model's gradients) grows
     * by E^T H, the plain GEMM's result, on every backend.
     */
    @ParameterizedTest
    @FieldSource("dev.rnb.testing.TestBackends#UNDER_TEST")
    void domainGradientsWithHeadMatchReferenceAndTheHeadIsThePlainGemm(String name) {
        Backend b = backend(name);
        Rng rng = new Rng();
        // a fifth entry: domains in runs of consecutive rows (one domain per example; the cpu reads them in place)
        int[][] fixed = {{37, 1, 1, 1}, {100, 17, 33, 3}, {65, 64, 64, 5}, {129, 65, 130, 1},
                {10, 300, 7, 16}, {0, 8, 8, 4}, {200, 96, 257, 7}, {300, 17, 33, 4, 1}, {517, 64, 256, 3, 1}};
        // Random ragged shapes too: h and v off the cpu kernel's tile sizes
        // (6 or 4 rows of v, 64, 16 or 8 columns of h), segments longer than
        // its 128-row chunks, runs of mixed lengths, domains without rows.
        int[][] cases = java.util.Arrays.copyOf(fixed, fixed.length + 6);
        for (int i = fixed.length; i < cases.length; i++) {
            cases[i] = new int[] {1 + rng.nextInt(600), 1 + rng.nextInt(200), 1 + rng.nextInt(300), 1 + rng.nextInt(12),
                    rng.nextInt(2)};
        }
        for (int[] c : cases) {
            int rows = c[0], h = c[1], v = c[2], k = c[3];
            float[] hs = rng.gaussian(Math.max(1, rows * h)), es = rng.gaussian(Math.max(1, rows * v));
            float[] g0 = rng.gaussian(k * v * h);
            float[] around = rng.gaussian(v * h + 5); // the head sits at offset 3 of this
            int[] dom = c.length > 4 && c[4] == 1 ? runsOfDomains(rng, rows, k) : rng.ints(rows, k);
            DomainSegments seg = DomainSegments.of(dom, rows, k);
            float[][] want = accumulateWithHead(REF, hs, es, h, v, seg, g0, around);
            float[][] got = accumulateWithHead(b, hs, es, h, v, seg, g0, around);
            double scale = Compare.norm(want[0]) + Compare.norm(g0) + Compare.norm(around) + 2 * Compare.norm(hs) * Compare.norm(es);
            String what = name + " rows=" + rows + " h=" + h + " v=" + v + " k=" + k + " runs=" + (c.length > 4 && c[4] == 1)
                    + " " + rng;
            Compare.closeAtScale(got[0], want[0], scale, 1e-5, what + " domain grads");
            Compare.closeAtScale(got[1], want[1], scale, 1e-5, what + " head");
            float[] plain = around.clone();
            try (Tensor th = put(REF, hs); Tensor te = put(REF, es); Tensor tw = put(REF, plain)) {
                REF.gemm(true, false, v, h, rows, 1f, te, v, th, h, 1f, REF.view(tw, 3, (long) v * h), h);
                plain = get(REF, tw);
            }
            Compare.closeAtScale(got[1], plain, scale, 1e-5, what + " head vs the plain GEMM");
            assertEquals(around[0], got[1][0], what + ": head view wrote before its offset");
            assertEquals(around[v * h + 4], got[1][v * h + 4], what + ": head view wrote past its end");
        }
    }

    /**
     * The cpu's fused split is built once per instruction set, like the model's
     * kernels: each this CPU supports, forced in turn, must agree with the
     * reference, serially and with every loop parallel. Only AVX-512 has the
     * native split; forcing another level must switch the cached capability,
     * so that the OpenBLAS path runs without filling the native call's buffers.
     */
    @ParameterizedTest
    @ValueSource(strings = {"baseline", "avx2", "avx512"})
    void cpuFusedHeadSplitAgreesOnEveryInstructionSet(String isa) {
        backend("cpu");
        Assumptions.assumeTrue(ModelKernels.isaSupported(isa), "this CPU lacks " + isa);
        String chosen = ModelKernels.isa();
        long loops = ModelKernels.rnb_model_parallel_min_work();
        ModelKernels.selectIsa(isa);
        try {
            assertEquals(isa.equals("avx512"), ModelKernels.hasFusedHeadSplit(), isa);
            domainGradientsWithHeadMatchReferenceAndTheHeadIsThePlainGemm("cpu");
            ModelKernels.rnb_model_set_parallel_min_work(0);
            domainGradientsWithHeadMatchReferenceAndTheHeadIsThePlainGemm("cpu");
        } finally {
            ModelKernels.rnb_model_set_parallel_min_work(loops);
            ModelKernels.selectIsa(chosen);
        }
    }

    /** The per-domain gradients and the whole tensor around the head, after one fused call. */
    private static float[][] accumulateWithHead(Backend b, float[] hs, float[] es, int h, int v, DomainSegments seg,
                                                float[] g0, float[] around) {
        try (Tensor th = put(b, hs); Tensor te = put(b, es); Tensor tg = put(b, g0); Tensor tw = put(b, around)) {
            b.domainGradAccumulateWithHead(th, te, h, v, seg, tg, b.view(tw, 3, (long) v * h));
            return new float[][]{get(b, tg), get(b, tw)};
        }
    }

    @ParameterizedTest
    @FieldSource("dev.rnb.testing.TestBackends#UNDER_TEST")
    void sketchedDomainGradientsMatchReference(String name) {
        Backend b = backend(name);
        Rng rng = new Rng();
        // {rows, h, v, k, r}: r smaller and larger than v*h, k = 1, absent domains, N = 0.
        int[][] cases = {{37, 1, 1, 1, 1}, {100, 17, 33, 3, 64}, {129, 65, 20, 9, 1000}, {0, 8, 8, 4, 16}, {50, 3, 5, 2, 257}};
        for (int[] c : cases) {
            int rows = c[0], h = c[1], v = c[2], k = c[3], r = c[4];
            float[] hs = rng.gaussian(Math.max(1, rows * h)), es = rng.gaussian(Math.max(1, rows * v));
            float[] s0 = rng.gaussian(k * r);
            int[] dom = rng.ints(rows, k);
            int seed = rng.nextInt(Integer.MAX_VALUE);
            DomainSegments seg = DomainSegments.of(dom, rows, k);
            float[] want = sketch(REF, hs, es, h, v, seg, r, seed, s0);
            float[] got = sketch(b, hs, es, h, v, seg, r, seed, s0);
            // Bucket sums can cancel to near zero: judge the error against the size of the terms.
            double scale = Compare.norm(want) + Compare.norm(s0) + Compare.norm(hs) * Compare.norm(es);
            Compare.closeAtScale(got, want, scale, 1e-5, name + " sketch rows=" + rows + " h=" + h + " v=" + v + " k=" + k + " r=" + r + " " + rng);
        }
    }

    private static float[] sketch(Backend b, float[] hs, float[] es, int h, int v, DomainSegments seg, int r, int seed, float[] s0) {
        try (Tensor th = put(b, hs); Tensor te = put(b, es); Tensor ts = put(b, s0)) {
            b.domainGradSketchAccumulate(th, te, h, v, seg, r, seed, ts);
            return get(b, ts);
        }
    }

    /**
     * The cpu backend runs per-domain GEMMs, and its gather, sketch and G p
     * loops, in parallel only above work thresholds the inputs above stay
     * under: with the thresholds at 0 the parallel paths must agree too.
     */
    @Test
    void cpuBalanceKernelsAgreeOnTheirParallelPaths() {
        long segments = CpuBackend.segmentParallelMinWork(0);
        long loops = ModelKernels.rnb_model_parallel_min_work();
        ModelKernels.rnb_model_set_parallel_min_work(0);
        try {
            domainGradientsMatchReferenceOnRaggedSizes("cpu");
            domainGradientsWithHeadMatchReferenceAndTheHeadIsThePlainGemm("cpu");
            sketchedDomainGradientsMatchReference("cpu");
            gramTimesPMatchesReference("cpu");
            gramTimesPThenZeroIsGramTimesPAndEmptiesTheRows("cpu");
            balanceRoundMatchesReference("cpu");
        } finally {
            CpuBackend.segmentParallelMinWork(segments);
            ModelKernels.rnb_model_set_parallel_min_work(loops);
        }
    }

    @ParameterizedTest
    @FieldSource("dev.rnb.testing.TestBackends#UNDER_TEST")
    void gramMatchesReference(String name) {
        Backend b = backend(name);
        Rng rng = new Rng();
        int[][] cases = {{1, 1}, {3, 100}, {65, 33}, {130, 257}};
        for (int[] c : cases) {
            int k = c[0], d = c[1];
            float[] x = rng.gaussian(k * d);
            float[] scale = scales(rng, k);
            float[] want = gram(REF, x, k, d, scale);
            float[] got = gram(b, x, k, d, scale);
            Compare.close(got, want, 1e-5, name + " gram k=" + k + " d=" + d + " " + rng);
        }
    }

    private static float[] scales(Rng rng, int k) {
        float[] s = new float[k];
        for (int i = 0; i < k; i++) {
            s[i] = (i % 4 == 3) ? 0f : (float) (1.0 / (1 + rng.nextInt(50))); // every 4th domain absent
        }
        return s;
    }

    private static float[] gram(Backend b, float[] x, int k, int d, float[] scale) {
        try (Tensor tx = put(b, x); Tensor out = b.allocate((long) k * k)) {
            b.gram(tx, k, d, scale, out);
            return get(b, out);
        }
    }

    @ParameterizedTest
    @FieldSource("dev.rnb.testing.TestBackends#UNDER_TEST")
    void gramTimesPMatchesReference(String name) {
        Backend b = backend(name);
        Rng rng = new Rng();
        // cuda: k = 5 and 64 split the columns of the dot pass (12 splits, the last ragged, at
        // d = 3000; 4 at 1024), the others do not; k = 300 and 1000 cut the sum's rows into
        // slices of 8 (the last ragged at 300); k = 37 and 1000 are no multiple of the dot
        // pass's 8 rows per block.
        int[][] cases = {{1, 1}, {5, 3000}, {300, 17}, {64, 1024}, {1000, 5}, {37, 100}};
        for (int[] c : cases) {
            int k = c[0], d = c[1];
            float[] x = rng.gaussian(k * d);
            float[] scale = scales(rng, k);
            float[] p = rng.gaussian(k);
            for (int i = 0; i < k; i++) p[i] = Math.abs(p[i]);
            float[] want;
            float[] got;
            try (Tensor tx = put(REF, x)) { want = REF.gramTimesP(tx, k, d, scale, p); }
            try (Tensor tx = put(b, x)) { got = b.gramTimesP(tx, k, d, scale, p); }
            Compare.close(got, want, 1e-4, name + " G p k=" + k + " d=" + d + " " + rng);
        }
    }

    /**
     * The end of an R&amp;B round: G p with the same bits as {@code gramTimesP}
     * on cpu and reference (to rounding on cuda, whose atomics add in a varying
     * order), close to the reference's, the first k x d floats zero afterwards
     * (absent rows too, NaN or not), and the floats after them untouched.
     */
    @ParameterizedTest
    @FieldSource("dev.rnb.testing.TestBackends#UNDER_TEST")
    void gramTimesPThenZeroIsGramTimesPAndEmptiesTheRows(String name) {
        Backend b = backend(name);
        Rng rng = new Rng();
        int[][] cases = {{1, 1}, {5, 3000}, {300, 17}, {64, 1024}, {37, 100}, {7, 15}};
        for (int[] c : cases) {
            int k = c[0], d = c[1], after = 1 + rng.nextInt(40);
            float[] x = rng.gaussian(k * d + after);
            float[] scale = scales(rng, k);
            float[] p = rng.gaussian(k);
            for (int i = 0; i < k; i++) p[i] = Math.abs(p[i]);
            float[] want, plain, got, left;
            try (Tensor tx = put(REF, Arrays.copyOf(x, k * d))) { want = REF.gramTimesP(tx, k, d, scale, p); }
            try (Tensor tx = put(b, x)) {
                plain = b.gramTimesP(tx, k, d, scale, p);
                got = b.gramTimesPThenZero(tx, k, d, scale, p);
                left = get(b, tx);
            }
            String at = name + " k=" + k + " d=" + d + " " + rng;
            if (name.startsWith("cuda")) {
                // cuda's G p adds with float atomics, whose order changes from call to call: the same sum to rounding.
                Compare.close(got, plain, 1e-6, at + ": G p as gramTimesP's");
            } else {
                assertArrayEquals(plain, got, at + ": G p as gramTimesP's");
            }
            Compare.close(got, want, 1e-4, at);
            for (int i = 0; i < k * d; i++) assertEquals(0f, left[i], at + ": float " + i + " zeroed");
            for (int i = k * d; i < x.length; i++) assertEquals(x[i], left[i], at + ": float " + i + " after the rows kept");
        }
    }

    /**
     * G p then zero over the live column blocks only, rows zero elsewhere (a
     * round's CountSketch rows at v x h &lt; r): the same G p as the call
     * without the list (the same bits on cpu), close to the reference's
     * (which reads only the listed columns), every row zero afterwards and
     * the floats after the rows untouched. Random block subsets (none, one,
     * all, ragged), absent rows, k across the kernels' groups of four rows.
     */
    @ParameterizedTest
    @FieldSource("dev.rnb.testing.TestBackends#UNDER_TEST")
    void gramTimesPThenZeroOverLiveBlocksIsTheWholeRowsCall(String name) {
        Backend b = backend(name);
        Rng rng = new Rng();
        int[][] cases = {{1, 16}, {5, 64}, {3, 1024}, {64, 1024}, {37, 48}, {130, 160}, {7, 4112}};
        for (int[] c : cases) {
            int k = c[0], d = c[1], blocks = d / BalanceOps.LIVE_BLOCK, after = 1 + rng.nextInt(40);
            for (int draw = 0; draw < 4; draw++) {
                int[] live = switch (draw) {
                    case 0 -> new int[0];
                    case 1 -> new int[] {rng.nextInt(blocks)};
                    case 2 -> java.util.stream.IntStream.range(0, blocks).toArray();
                    default -> java.util.stream.IntStream.range(0, blocks).filter(i -> rng.nextInt(3) > 0).toArray();
                };
                float[] x = rng.gaussian(k * d + after);
                boolean[] isLive = new boolean[blocks];
                for (int blk : live) isLive[blk] = true;
                for (int i = 0; i < k * d; i++) if (!isLive[(i % d) / BalanceOps.LIVE_BLOCK]) x[i] = 0f;
                float[] scale = scales(rng, k);
                float[] p = rng.gaussian(k);
                for (int i = 0; i < k; i++) p[i] = Math.abs(p[i]);
                String at = name + " k=" + k + " d=" + d + " live " + live.length + " of " + blocks + " " + rng;
                float[] want, refLive, plain, got, left;
                try (Tensor tx = put(REF, Arrays.copyOf(x, k * d))) {
                    want = REF.gramTimesP(tx, k, d, scale, p);
                    refLive = REF.gramTimesPThenZero(tx, k, d, scale, p, live);
                }
                try (Tensor tx = put(b, x)) {
                    plain = b.gramTimesP(tx, k, d, scale, p);
                    got = b.gramTimesPThenZero(tx, k, d, scale, p, live);
                    left = get(b, tx);
                }
                if (name.startsWith("cuda")) {
                    Compare.close(got, plain, 1e-6, at + ": G p as gramTimesP's"); // float atomics: the same sum to rounding
                } else {
                    assertArrayEquals(plain, got, at + ": G p as gramTimesP's");
                }
                Compare.close(refLive, want, 1e-6, at + ": the reference over the live columns");
                Compare.close(got, want, 1e-4, at);
                for (int i = 0; i < k * d; i++) assertEquals(0f, left[i], at + ": float " + i + " zero");
                for (int i = k * d; i < x.length; i++) assertEquals(x[i], left[i], at + ": float " + i + " after the rows kept");
            }
        }
    }

    /** The cpu and the reference read and write only the live blocks: NaN elsewhere is neither read nor cleared. */
    @ParameterizedTest
    @ValueSource(strings = {"cpu", "reference"})
    void deadBlocksAreNeitherReadNorWritten(String name) {
        Backend b = name.equals("reference") ? REF : backend(name);
        Rng rng = new Rng();
        for (int[] c : new int[][] {{1, 32}, {6, 1024}, {65, 96}, {300, 64}}) {
            int k = c[0], d = c[1], blocks = d / BalanceOps.LIVE_BLOCK;
            int[] live = java.util.stream.IntStream.range(0, blocks).filter(i -> i % 2 == 0 || rng.nextInt(2) == 0).toArray();
            boolean[] isLive = new boolean[blocks];
            for (int blk : live) isLive[blk] = true;
            float[] x = rng.gaussian(k * d), zeroed = x.clone();
            for (int i = 0; i < k * d; i++) {
                if (!isLive[(i % d) / BalanceOps.LIVE_BLOCK]) {
                    x[i] = Float.NaN;
                    zeroed[i] = 0f;
                }
            }
            float[] scale = scales(rng, k), p = rng.gaussian(k);
            for (int i = 0; i < k; i++) p[i] = Math.abs(p[i]);
            String at = name + " k=" + k + " d=" + d + " " + rng;
            float[] want, got, left;
            try (Tensor tx = put(b, zeroed)) { want = b.gramTimesP(tx, k, d, scale, p); }
            try (Tensor tx = put(b, x)) {
                got = b.gramTimesPThenZero(tx, k, d, scale, p, live);
                left = get(b, tx);
            }
            assertArrayEquals(want, got, at + ": G p as over the rows with zeros there");
            for (int i = 0; i < k * d; i++) {
                if (isLive[(i % d) / BalanceOps.LIVE_BLOCK]) assertEquals(0f, left[i], at + ": live float " + i + " zeroed");
                else assertTrue(Float.isNaN(left[i]), at + ": dead float " + i + " not written");
            }
        }
    }

    @Test
    void liveBlocksOutsideTheRowOrOutOfOrderAreRejected() {
        try (Tensor tx = REF.allocate(64)) {
            float[] one = {1f, 1f};
            org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> REF.gramTimesPThenZero(tx, 2, 32, one, one, new int[] {2}));
            org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> REF.gramTimesPThenZero(tx, 2, 32, one, one, new int[] {1, 0}));
            org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> REF.gramTimesPThenZero(tx, 2, 32, one, one, new int[] {0, 0}));
            org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> REF.gramTimesPThenZero(tx, 2, 24, one, one, new int[] {0})); // d not whole blocks
        }
    }

    @ParameterizedTest
    @FieldSource("dev.rnb.testing.TestBackends#UNDER_TEST")
    void balanceUpdateMatchesReferenceAndHandlesDegenerateRounds(String name) {
        Backend b = backend(name);
        Rng rng = new Rng();
        // cuda: one block of 256 threads for the update's passes up to k = 1024
        for (int k : new int[] {1, 2, 31, 257, 1000}) {
            float[] gp = rng.gaussian(k);
            float[] scale = scales(rng, k);
            scale[0] = 0.5f; // at least one present domain
            float[] current = uniform(k);
            for (float lambda : new float[] {0f, 1f, 3f, 1e6f}) {
                BalanceStep want = REF.balanceUpdate(gp, scale, current, lambda);
                BalanceStep got = b.balanceUpdate(gp, scale, current, lambda);
                assertEquals(want.status(), got.status());
                Compare.close(got.next(), want.next(), 1e-5, name + " update k=" + k + " lambda=" + lambda + " " + rng);
            }
        }
        // cuda: 20 blocks, each thread of the grid-stride passes taking 3 or 4 domains
        int large = 20_011;
        float[] gp = rng.gaussian(large), scale = scales(rng, large), current = uniform(large);
        BalanceStep want = REF.balanceUpdate(gp, scale, current, 3f);
        BalanceStep got = b.balanceUpdate(gp, scale, current, 3f);
        assertEquals(want.status(), got.status());
        Compare.close(got.next(), want.next(), 1e-5, name + " update k=" + large + " " + rng);
        for (int k : new int[] {70, 3000}) { // cuda: 1 and 3 blocks
            degenerateRounds(b, rng, k);
        }
    }

    /** Every status, the offending domain in the last of the update's blocks on cuda. */
    private static void degenerateRounds(Backend b, Rng rng, int k) {
        float[] gp = rng.gaussian(k), scale = new float[k], current = rng.gaussian(k);
        java.util.Arrays.fill(scale, 0.25f);
        scale[3] = 0f;
        gp[3] = Float.NaN; // NaN in an absent domain is ignored
        assertEquals(BalanceStep.Status.UPDATED, b.balanceUpdate(gp, scale, current, 3f).status());
        float[] bad = gp.clone();
        bad[k - 30] = Float.POSITIVE_INFINITY;
        assertSkipped(b.balanceUpdate(bad, scale, current, 3f), BalanceStep.Status.SKIPPED_NON_FINITE, current);
        bad[k - 30] = Float.NaN;
        assertSkipped(b.balanceUpdate(bad, scale, current, 3f), BalanceStep.Status.SKIPPED_NON_FINITE, current);
        float[] zeros = new float[k];
        zeros[3] = 1f; // absent: its G p does not count
        assertSkipped(b.balanceUpdate(zeros, scale, current, 3f), BalanceStep.Status.SKIPPED_ZERO_NORM, current);
        assertSkipped(b.balanceUpdate(bad, new float[k], current, 3f), BalanceStep.Status.SKIPPED_NO_DOMAIN, current);
    }

    private static void assertSkipped(BalanceStep step, BalanceStep.Status status, float[] current) {
        assertEquals(status, step.status());
        assertArrayEquals(current, step.next(), "a skipped round keeps the current proportions");
    }

    private static float[] uniform(int k) {
        float[] p = new float[k];
        java.util.Arrays.fill(p, 1f / k);
        return p;
    }

    @ParameterizedTest
    @FieldSource("dev.rnb.testing.TestBackends#UNDER_TEST")
    void balanceRoundMatchesReference(String name) {
        Backend b = backend(name);
        Rng rng = new Rng();
        // cuda: k = 2100 runs the update on 3 blocks and is no multiple of the dot pass's 8 rows per block
        for (int[] c : new int[][] {{23, 401}, {1, 1}, {2100, 37}}) {
            int k = c[0], d = c[1];
            float[] x = rng.gaussian(k * d), scale = scales(rng, k), p = uniform(k), current = rng.gaussian(k);
            scale[0] = 0.5f; // at least one present domain
            BalanceStep want = round(REF, x, k, d, scale, p, current);
            BalanceStep got = round(b, x, k, d, scale, p, current);
            assertEquals(want.status(), got.status());
            Compare.close(got.next(), want.next(), 1e-4, name + " balance round k=" + k + " d=" + d + " " + rng);
        }
        int k = 300, d = 33;
        float[] x = rng.gaussian(k * d), scale = scales(rng, k), p = uniform(k), current = rng.gaussian(k);
        x[(k - 2) * d + 5] = Float.NaN; // domain k - 2 = 298 is present (scales() leaves out i % 4 == 3)
        assertSkipped(round(b, x, k, d, scale, p, current), BalanceStep.Status.SKIPPED_NON_FINITE, current);
        assertSkipped(round(b, new float[k * d], k, d, scale, p, current), BalanceStep.Status.SKIPPED_ZERO_NORM, current);
        assertSkipped(round(b, x, k, d, new float[k], p, current), BalanceStep.Status.SKIPPED_NO_DOMAIN, current);
    }

    private static BalanceStep round(Backend b, float[] x, int k, int d, float[] scale, float[] p, float[] current) {
        try (Tensor tx = put(b, x)) {
            return b.balanceRound(tx, k, d, scale, p, 3f, current);
        }
    }
}
