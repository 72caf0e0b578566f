package dev.rnb.backend.cpu;

import dev.rnb.backend.Backend;
import dev.rnb.backend.DomainSegments;
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
import static dev.rnb.testing.Tensors.get;
import static dev.rnb.testing.Tensors.put;

/**
 * native/domain_pieces_small.cpp (a batch's small per-domain pieces in one
 * call, exact and CountSketched) against the reference backend on every
 * instruction set this CPU runs, forced in turn, with its segments on one
 * thread and spread over threads: ragged batches of 1..300 rows, segments of
 * 1..n rows whose rows are contiguous or interleaved, v and h in {1, 3, 5, 8,
 * 12, 17, 32} (no vector width divides some; on every instruction set each
 * tile width, 32 / 16 / 8 / 4 / 1 columns as it has them, and row tiles of 1
 * to 8 rows of v are used), r in
 * {7, 64, 1024}, accumulators that already hold values and slots that are a
 * subset of the domains. The OpenBLAS path the cpu backend keeps for big
 * pieces is checked on the same batches.
 */
class SmallPiecesKernelTest {
    private static final Backend REF = new ReferenceBackend();
    private static final int[] WIDTHS = {1, 3, 5, 8, 12, 17, 32};
    private static final int[] SKETCH_SIZES = {7, 64, 1024};
    private static Backend cpu;

    @AfterAll
    static void close() {
        if (cpu != null) cpu.close();
    }

    private static Backend cpu() {
        if (cpu == null) cpu = TestBackends.openOrSkip("cpu");
        return cpu;
    }

    @ParameterizedTest
    @ValueSource(strings = {"baseline", "avx2", "avx512"})
    void smallPiecesMatchReferenceOnEveryInstructionSet(String isa) {
        Backend b = cpu();
        long loops = ModelKernels.rnb_model_parallel_min_work();
        onSmallPieces(isa, () -> {
            for (long threshold : new long[] {loops, 0}) {
                ModelKernels.rnb_model_set_parallel_min_work(threshold);
                for (int seed = 0; seed < 3; seed++) {
                    Rng rng = new Rng();
                    for (int v : WIDTHS) {
                        for (int h : WIDTHS) {
                            Batch batch = Batch.random(rng, v, h);
                            String what = isa + " threshold=" + threshold + " " + batch + " " + rng;
                            batch.matchesReference(b, rng, what);
                        }
                    }
                }
            }
        }, () -> ModelKernels.rnb_model_set_parallel_min_work(loops));
    }

    /**
     * The kernels walk each segment's runs of rows: batches shaped as a
     * trainer's (a run of T rows per sequence, each sequence its own domain
     * or some sharing one, so a segment is several runs), one domain
     * throughout (one segment, one run), one row per domain (runs of one row)
     * and rows in no runs at all, of ragged sizes, on every instruction set.
     */
    @ParameterizedTest
    @ValueSource(strings = {"baseline", "avx2", "avx512"})
    void runShapesMatchReferenceOnEveryInstructionSet(String isa) {
        Backend b = cpu();
        onSmallPieces(isa, () -> {
            Rng rng = new Rng();
            for (int trial = 0; trial < 24; trial++) {
                int v = WIDTHS[rng.nextInt(WIDTHS.length)], h = WIDTHS[rng.nextInt(WIDTHS.length)];
                int sequences = 1 + rng.nextInt(20), t = 1 + rng.nextInt(70), rows = sequences * t;
                int[] dom = new int[rows];
                int k;
                switch (trial % 4) {
                    case 0 -> { // a run per sequence, domains drawn from many (mostly distinct) or few (shared)
                        k = trial % 8 == 0 ? 1_000 : 1 + rng.nextInt(4);
                        for (int s = 0; s < sequences; s++) Arrays.fill(dom, s * t, s * t + t, rng.nextInt(k));
                    }
                    case 1 -> { // one domain throughout
                        k = 1 + rng.nextInt(30);
                        Arrays.fill(dom, rng.nextInt(k));
                    }
                    case 2 -> { // one row per domain
                        k = rows;
                        for (int r = 0; r < rows; r++) dom[r] = r;
                    }
                    default -> { // rows in no runs: neighbours always differ
                        k = 2 + rng.nextInt(5);
                        for (int r = 0; r < rows; r++) dom[r] = r == 0 ? rng.nextInt(k) : (dom[r - 1] + 1 + rng.nextInt(k - 1)) % k;
                    }
                }
                Batch batch = Batch.of(rng, v, h, dom, k, trial % 4 < 2);
                batch.matchesReference(b, rng, isa + " " + batch + " " + rng);
            }
        }, () -> {});
    }

    /**
     * After a batch the sketch kernel asks for the rows after its highest
     * slot (the next batch's new domains' rows), as many as it had fresh
     * segments, up to the buffer's rows: those rows are neither read into a
     * result nor written. A buffer of the batch's slots plus 0 to 40 more
     * rows, the extra rows NaN: the slots' rows match the reference, the
     * extra rows keep their bits, on every instruction set.
     */
    @ParameterizedTest
    @ValueSource(strings = {"baseline", "avx2", "avx512"})
    void rowsAfterTheBatchAreOnlyAskedFor(String isa) {
        Backend b = cpu();
        onSmallPieces(isa, () -> {
            Rng rng = new Rng();
            for (int trial = 0; trial < 12; trial++) {
                int v = WIDTHS[rng.nextInt(WIDTHS.length)], h = WIDTHS[rng.nextInt(WIDTHS.length)];
                int r = SKETCH_SIZES[rng.nextInt(SKETCH_SIZES.length)], extra = trial % 3 == 0 ? 0 : 1 + rng.nextInt(40);
                Batch batch = Batch.random(rng, v, h);
                int k = batch.k, seed = rng.nextInt(Integer.MAX_VALUE);
                float[] s0 = rng.gaussian(k * r), padded = Arrays.copyOf(s0, (k + extra) * r);
                Arrays.fill(padded, k * r, padded.length, Float.NaN);
                float[] want = batch.sketch(REF, r, seed, s0), got = batch.sketch(b, r, seed, padded);
                String what = isa + " r=" + r + " extra rows=" + extra + " " + batch + " " + rng;
                Compare.closeAtScale(Arrays.copyOf(got, k * r), want,
                        Compare.norm(s0) + Compare.norm(batch.hs) * Compare.norm(batch.es), 1e-5, what);
                for (int i = k * r; i < got.length; i++) {
                    if (Float.floatToRawIntBits(got[i]) != Float.floatToRawIntBits(Float.NaN)) {
                        throw new AssertionError(what + ": float " + i + " after the slots' rows written: " + got[i]);
                    }
                }
            }
        }, () -> {});
    }

    /**
     * Runs {@code body} with instruction set {@code isa} (skipped where the
     * CPU lacks it) and every piece on the small-piece kernels, then puts the
     * instruction set and the crossover back and runs {@code restore}.
     */
    private static void onSmallPieces(String isa, Runnable body, Runnable restore) {
        Assumptions.assumeTrue(ModelKernels.isaSupported(isa), "this CPU lacks " + isa);
        String chosen = ModelKernels.isa();
        int small = CpuBackend.smallPieceMax(Integer.MAX_VALUE);
        ModelKernels.selectIsa(isa);
        try {
            body.run();
        } finally {
            restore.run();
            ModelKernels.selectIsa(chosen);
            CpuBackend.smallPieceMax(small);
        }
    }

    /** Bigger pieces (the default model's 256 x 64, long thin ones) and segments longer than anything above. */
    @Test
    void biggerPiecesMatchReference() {
        Backend b = cpu();
        int small = CpuBackend.smallPieceMax(Integer.MAX_VALUE);
        try {
            Rng rng = new Rng();
            for (int[] vh : new int[][] {{256, 64}, {8192, 1}, {1, 8192}, {64, 100}}) {
                Batch batch = Batch.random(rng, vh[0], vh[1], 1 + rng.nextInt(700));
                batch.matchesReference(b, rng, batch + " " + rng);
            }
        } finally {
            CpuBackend.smallPieceMax(small);
        }
    }

    /** OpenBLAS's per-segment GEMMs (the path for big pieces), on batches like those above. */
    @Test
    void theGemmPathMatchesReferenceOnTheSameBatches() {
        Backend b = cpu();
        int small = CpuBackend.smallPieceMax(0);
        try {
            Rng rng = new Rng();
            for (int v : WIDTHS) {
                for (int h : WIDTHS) {
                    Batch batch = Batch.random(rng, v, h);
                    batch.matchesReference(b, rng, "GEMM path " + batch + " " + rng);
                }
            }
        } finally {
            CpuBackend.smallPieceMax(small);
        }
    }

    /** Segments are independent and each sums its rows in order: one thread or two give the same bits. */
    @Test
    void oneThreadOrTwoGiveTheSameBits() {
        Backend b = cpu();
        long loops = ModelKernels.rnb_model_parallel_min_work();
        int small = CpuBackend.smallPieceMax(Integer.MAX_VALUE);
        try {
            Rng rng = new Rng();
            for (int trial = 0; trial < 20; trial++) {
                Batch batch = Batch.random(rng, WIDTHS[rng.nextInt(WIDTHS.length)], WIDTHS[rng.nextInt(WIDTHS.length)]);
                int r = SKETCH_SIZES[rng.nextInt(SKETCH_SIZES.length)], seed = rng.nextInt(Integer.MAX_VALUE);
                float[] g0 = rng.gaussian(batch.k * batch.v * batch.h), s0 = rng.gaussian(batch.k * r);
                ModelKernels.rnb_model_set_parallel_min_work(Long.MAX_VALUE);
                float[] exactSerial = batch.exact(b, g0), sketchSerial = batch.sketch(b, r, seed, s0);
                ModelKernels.rnb_model_set_parallel_min_work(0);
                float[] exactParallel = batch.exact(b, g0), sketchParallel = batch.sketch(b, r, seed, s0);
                assertArrayEquals(exactSerial, exactParallel, "exact " + batch + " " + rng);
                assertArrayEquals(sketchSerial, sketchParallel, "sketch r=" + r + " " + batch + " " + rng);
            }
        } finally {
            ModelKernels.rnb_model_set_parallel_min_work(loops);
            CpuBackend.smallPieceMax(small);
        }
    }

    /** One batch: H, E and its rows grouped by domain, of k domains (some absent). */
    private record Batch(int rows, int v, int h, int k, boolean contiguous, float[] hs, float[] es, DomainSegments segments) {
        static Batch random(Rng rng, int v, int h) {
            return random(rng, v, h, 1 + rng.nextInt(300));
        }

        static Batch random(Rng rng, int v, int h, int rows) {
            int k = 1 + rng.nextInt(Math.min(rows, 24) + 3);
            boolean contiguous = rng.nextInt(2) == 0;
            int[] domainOfRow = new int[rows];
            if (contiguous) {
                // runs of random length, each a domain of its own or one seen before (then the
                // segment is several runs); some domains never appear
                for (int r = 0; r < rows; ) {
                    int end = Math.min(rows, r + 1 + rng.nextInt(Math.max(1, rows / 3)));
                    Arrays.fill(domainOfRow, r, end, rng.nextInt(k));
                    r = end;
                }
            } else {
                domainOfRow = rng.ints(rows, k);
            }
            return of(rng, v, h, domainOfRow, k, contiguous);
        }

        static Batch of(Rng rng, int v, int h, int[] domainOfRow, int k, boolean contiguous) {
            int rows = domainOfRow.length;
            return new Batch(rows, v, h, k, contiguous, rng.gaussian(rows * h), rng.gaussian(rows * v),
                    DomainSegments.of(domainOfRow, rows, k));
        }

        void matchesReference(Backend b, Rng rng, String what) {
            float[] g0 = rng.gaussian(k * v * h);
            float[] want = exact(REF, g0), got = exact(b, g0);
            // Sums can cancel to near zero: judge the error against the size of the terms.
            double scale = Compare.norm(g0) + Compare.norm(hs) * Compare.norm(es);
            Compare.closeAtScale(got, want, scale, 1e-5, "exact " + what);
            for (int r : SKETCH_SIZES) {
                float[] s0 = rng.gaussian(k * r);
                int seed = rng.nextInt(Integer.MAX_VALUE);
                float[] wantSketch = sketch(REF, r, seed, s0), gotSketch = sketch(b, r, seed, s0);
                Compare.closeAtScale(gotSketch, wantSketch, Compare.norm(s0) + Compare.norm(hs) * Compare.norm(es), 1e-5,
                        "sketch r=" + r + " " + what);
            }
        }

        float[] exact(Backend b, float[] g0) {
            try (Tensor th = put(b, hs); Tensor te = put(b, es); Tensor tg = put(b, g0)) {
                b.domainGradAccumulate(th, te, h, v, segments, tg);
                return get(b, tg);
            }
        }

        float[] sketch(Backend b, int r, int seed, float[] s0) {
            try (Tensor th = put(b, hs); Tensor te = put(b, es); Tensor ts = put(b, s0)) {
                b.domainGradSketchAccumulate(th, te, h, v, segments, r, seed, ts);
                return get(b, ts);
            }
        }

        @Override
        public String toString() {
            return "rows=" + rows + " v=" + v + " h=" + h + " k=" + k + " segments=" + segments.segmentCount()
                    + (contiguous ? " (runs)" : " (interleaved)");
        }
    }
}
