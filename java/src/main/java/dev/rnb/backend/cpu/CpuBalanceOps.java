package dev.rnb.backend.cpu;

import dev.rnb.backend.BalanceOps;
import dev.rnb.backend.BalanceStep;
import dev.rnb.backend.DomainSegments;
import dev.rnb.backend.Tensor;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;

import java.util.function.IntConsumer;
import java.util.stream.IntStream;

import static dev.rnb.backend.cpu.NativeTensor.at;
import static org.bytedeco.openblas.global.openblas_nolapack.*;

/**
 * The cpu backend's Balance operations: per-domain gradients (exact or
 * CountSketched) of small pieces by one native call per batch
 * (native/domain_pieces_small.cpp, walking the segments' runs of rows), of bigger ones as one OpenBLAS GEMM per
 * domain segment over rows gathered in domain order, the Gram matrix by
 * SSYRK, G p and the update by the per-instruction-set C++ kernels of
 * native/balance_round.cpp (rnb_model.h), on the caller's arrays in place.
 * Not thread-safe: its scratch (gather, pieces, sketch codes) is reused
 * between calls.
 */
final class CpuBalanceOps implements BalanceOps, AutoCloseable {
    private FloatPointer gatherH = new FloatPointer(1);
    private FloatPointer gatherE = new FloatPointer(1);
    private FloatPointer dense = new FloatPointer(1);
    private long gatherHCap = 1, gatherECap = 1, denseCap = 1;
    private IntPointer rowOrder = new IntPointer(1), segmentStart = new IntPointer(1), segmentSlot = new IntPointer(1);
    private IntPointer codes = new IntPointer(1);
    private int codesD = -1, codesR, codesSeed;

    /**
     * Per-domain GEMMs over fewer multiply-adds than this run one after the
     * other on the calling thread; above it, segments are spread over the
     * cores. Property {@code rnb.cpu.segmentParallelMinWork}.
     */
    private static volatile long segmentParallelMinWork = Long.getLong("rnb.cpu.segmentParallelMinWork", 1L << 26);

    /** See {@link CpuBackend#segmentParallelMinWork(long)}. */
    static long segmentParallelMinWork(long multiplyAdds) {
        long previous = segmentParallelMinWork;
        segmentParallelMinWork = multiplyAdds;
        return previous;
    }

    /**
     * Per instruction set (baseline, avx2, avx512), the largest pieces (v x h
     * floats) formed by one native call per batch (native/domain_pieces_small.cpp)
     * instead of one OpenBLAS GEMM per segment, exact and sketched: the
     * crossovers SmallPiecesProfile measured (docs/BENCHMARKS.md, "Small
     * pieces in one call"). Sketched pieces go native further: the GEMM path
     * then hashes every coordinate of every piece again.
     */
    private static final int[] EXACT_SMALL_MAX = {64, 256, 32768};
    private static final int[] SKETCH_SMALL_MAX = {64, 1024, Integer.MAX_VALUE};

    /** One limit for both (property {@code rnb.cpu.smallPieceMax}; 0: never native), or -1: the measured ones. */
    private static volatile int smallPieceMax = checkSmallPieceMax(Integer.getInteger("rnb.cpu.smallPieceMax", -1));

    /** See {@link CpuBackend#smallPieceMax(int)}. */
    static int smallPieceMax(int floats) {
        int previous = smallPieceMax;
        smallPieceMax = checkSmallPieceMax(floats);
        return previous;
    }

    private static int checkSmallPieceMax(int floats) {
        if (floats < -1) {
            throw new IllegalArgumentException("rnb.cpu.smallPieceMax must be >= 0 (or -1: per instruction set), got " + floats);
        }
        return floats;
    }

    private static boolean smallPieces(int hDim, int vDim, boolean sketched) {
        int forced = smallPieceMax;
        int limit = forced >= 0 ? forced : (sketched ? SKETCH_SMALL_MAX : EXACT_SMALL_MAX)[ModelKernels.isaLevel()];
        return (long) hDim * vDim <= limit;
    }

    @Override
    public void domainGradAccumulate(Tensor h, Tensor e, int hDim, int vDim, DomainSegments segments, Tensor g) {
        int rows = segments.rows();
        if (rows == 0) {
            return;
        }
        if (smallPieces(hDim, vDim, false)) {
            ModelKernels.rnb_model_domain_grad_small(at(h, 0), at(e, 0), hDim, vDim, segments.runFirst(),
                    segments.runRows(), segments.segmentRuns(), segments.segmentDomains(), segments.segmentCount(), rows,
                    at(g, 0));
            return;
        }
        // Gather the rows in domain order once (unless they come in long runs),
        // then one GEMM per domain: G_d += E_d^T H_d reads each row exactly once.
        SegmentRuns runs = rowsByDomain(h, e, hDim, vDim, segments);
        int[] domain = segments.segmentDomains();
        long block = (long) vDim * hDim;
        FloatPointer base = at(g, 0);
        overSegments(0, segments.segmentCount(), (long) rows * block,
                s -> segmentGemm(h, e, runs, segments, s, hDim, vDim, 1f, base.getPointer(domain[s] * block)));
    }

    /**
     * Runs one GEMM per segment. Per-domain GEMMs are small (a domain's share
     * of the rows), where OpenBLAS's own threading costs more than it gains:
     * with enough work, whole single-threaded GEMMs per core keep every core
     * busy without that synchronisation. With little work, waking a second
     * pool of threads (next to OpenBLAS's, still spinning after the model's
     * GEMMs) costs more than the GEMMs: they run in order on this thread.
     */
    private static void overSegments(int from, int to, long work, IntConsumer gemm) {
        if (work < segmentParallelMinWork) {
            for (int s = from; s < to; s++) gemm.accept(s);
            return;
        }
        int previous = BlasThreads.get();
        BlasThreads.set(1);
        try {
            IntStream.range(from, to).parallel().forEach(gemm);
        } finally {
            BlasThreads.set(previous);
        }
    }

    /**
     * The segments' runs of consecutive rows when they are long enough for the
     * GEMMs to read H and E in place; otherwise null, and the rows are
     * gathered in domain order into gatherH / gatherE.
     */
    private SegmentRuns rowsByDomain(Tensor h, Tensor e, int hDim, int vDim, DomainSegments segments) {
        SegmentRuns runs = SegmentRuns.of(segments);
        if (runs != null) {
            return runs;
        }
        int rows = segments.rows();
        ensureGather((long) rows * hDim, (long) rows * vDim);
        try (IntPointer order = new IntPointer(segments.rowOrder())) {
            CpuKernels.rnb_cpu_gather_rows(at(h, 0), hDim, order, rows, gatherH);
            CpuKernels.rnb_cpu_gather_rows(at(e, 0), vDim, order, rows, gatherE);
        }
        return null;
    }

    /**
     * out (v x h) = E_s^T H_s + beta * out over segment s: one GEMM over its
     * gathered rows (runs == null), or one per run of rows read in place.
     */
    private void segmentGemm(Tensor h, Tensor e, SegmentRuns runs, DomainSegments segments, int s, int hDim, int vDim,
                             float beta, FloatPointer out) {
        if (runs == null) {
            int[] start = segments.segmentStarts();
            rowsGemm(gatherE, gatherH, start[s], start[s + 1] - start[s], hDim, vDim, beta, out);
            return;
        }
        FloatPointer eRows = at(e, 0), hRows = at(h, 0);
        for (int r = runs.firstRun[s]; r < runs.firstRun[s + 1]; r++) {
            rowsGemm(eRows, hRows, runs.start[r], runs.length[r], hDim, vDim, r == runs.firstRun[s] ? beta : 1f, out);
        }
    }

    /** out (v x h) = E[first .. first+n)^T H[first .. first+n) + beta * out. */
    private static void rowsGemm(FloatPointer e, FloatPointer h, int first, int n, int hDim, int vDim, float beta,
                                 FloatPointer out) {
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, vDim, hDim, n, 1f,
                e.getPointer((long) first * vDim), vDim,
                h.getPointer((long) first * hDim), hDim,
                beta, out, hDim);
    }

    /**
     * With AVX-512, one native pass (native/domain_grad_head.cpp): each
     * register tile of a segment's E_s^T H_s goes to its accumulator and to
     * the head, so there is no piece in scratch and no second pass adding it
     * (issue #15). Rows are read in place through the segments' row order:
     * no gather either. Without it (the capability is asked once per
     * instruction-set selection) the native call's row-order buffers are not
     * filled at all.
     */
    @Override
    public void domainGradAccumulateWithHead(Tensor h, Tensor e, int hDim, int vDim, DomainSegments segments, Tensor g,
                                             Tensor headGrad) {
        int segs = segments.segmentCount();
        if (segs == 0) {
            return;
        }
        if (!ModelKernels.hasFusedHeadSplit()) {
            piecesThenAdds(h, e, hDim, vDim, segments, g, headGrad);
            return;
        }
        rowOrder = fill(rowOrder, segments.rowOrder(), segments.rows());
        segmentStart = fill(segmentStart, segments.segmentStarts(), segs + 1);
        segmentSlot = fill(segmentSlot, segments.segmentDomains(), segs);
        ensureDense(ModelKernels.rnb_model_domain_grad_with_head_scratch(vDim, hDim));
        if (ModelKernels.rnb_model_domain_grad_with_head(at(h, 0), at(e, 0), hDim, vDim, rowOrder, segmentStart,
                segmentSlot, segs, at(g, 0), at(headGrad, 0), dense) == 0) {
            throw new IllegalStateException("the native fused head split declined although "
                    + ModelKernels.isa() + " was reported to have it");
        }
    }

    /**
     * Without AVX-512 the split is OpenBLAS's GEMMs into scratch, then a pass
     * adding each piece to its accumulator and to the head: with AVX2 the
     * native tiles reach 1.3x OpenBLAS's GEMM, this 1.05-1.15x
     * (docs/BENCHMARKS.md, "Where the fused split's time goes").
     */
    private void piecesThenAdds(Tensor h, Tensor e, int hDim, int vDim, DomainSegments segments, Tensor g,
                                Tensor headGrad) {
        // Serial GEMMs form one piece at a time, so the piece is still in cache
        // when it is added to its domain and to the head.
        boolean parallel = (long) segments.rows() * vDim * hDim >= segmentParallelMinWork;
        overPieces(h, e, hDim, vDim, segments, parallel ? PIECE_SLOTS : 1, (chunk, domains, count, d) ->
                CpuKernels.rnb_cpu_domain_pieces_add(chunk, domains, count, d, at(g, 0), at(headGrad, 0)));
    }

    /** x[0 .. n) in {@code buffer}, grown (doubled) when too small: no native allocation per call. */
    private static IntPointer fill(IntPointer buffer, int[] x, int n) {
        if (buffer.capacity() < n) {
            buffer.close();
            buffer = new IntPointer(Math.max(n, 2 * buffer.capacity()));
        }
        buffer.put(x, 0, n);
        return buffer;
    }

    private void ensureDense(long floats) {
        if (floats > denseCap) {
            dense.close();
            denseCap = floats;
            dense = new FloatPointer(denseCap);
        }
    }

    /**
     * One native call forms and sketches every segment's piece when pieces
     * are small (each register tile's coordinates go straight to their
     * buckets); else OpenBLAS's GEMMs into scratch, then the sketch.
     */
    @Override
    public void domainGradSketchAccumulate(Tensor h, Tensor e, int hDim, int vDim, DomainSegments segments,
                                           int r, int seed, Tensor sketch) {
        if (smallPieces(hDim, vDim, true)) {
            if (segments.segmentCount() > 0) {
                ModelKernels.rnb_model_domain_sketch_small(at(h, 0), at(e, 0), hDim, vDim, segments.runFirst(),
                        segments.runRows(), segments.segmentRuns(), segments.segmentDomains(), segments.segmentCount(),
                        segments.rows(), r, sketchCodes(vDim * hDim, r, seed), segments.firstFresh(),
                        (int) Math.min(Integer.MAX_VALUE, sketch.size() / r), at(sketch, 0));
            }
            return;
        }
        overPieces(h, e, hDim, vDim, segments, PIECE_SLOTS, (chunk, domains, count, d) ->
                CpuKernels.rnb_cpu_count_sketch_add(chunk, domains, count, d, r, seed, at(sketch, 0)));
    }

    /**
     * Every coordinate's bucket and sign (rnb_cpu_sketch_codes), kept while
     * d, r and the seed stay: a round's steps share its seed, so the hashes
     * are computed once per round, not once per coordinate per domain per step.
     */
    private IntPointer sketchCodes(int d, int r, int seed) {
        if (d != codesD || r != codesR || seed != codesSeed) {
            if (codes.capacity() < d) {
                codes.close();
                codes = new IntPointer((long) d);
            }
            CpuKernels.rnb_cpu_sketch_codes(d, r, seed, codes);
            codesD = d;
            codesR = r;
            codesSeed = seed;
        }
        return codes;
    }

    /** Dense per-domain pieces are formed at most this many at a time. */
    private static final int PIECE_SLOTS = 16;

    /** What is done with a chunk of pieces: slot s (of count) holds segment s's E_s^T H_s, its domain at domains[s]. */
    private interface PieceSink {
        void accept(FloatPointer chunk, IntPointer domains, int count, int d);
    }

    /**
     * Forms every segment's dense piece X_s = E_s^T H_s (v x h) into scratch,
     * up to {@code maxSlots} at a time, and hands each chunk to the sink.
     */
    private void overPieces(Tensor h, Tensor e, int hDim, int vDim, DomainSegments segments, int maxSlots, PieceSink sink) {
        int segs = segments.segmentCount();
        if (segs == 0) {
            return;
        }
        SegmentRuns runs = rowsByDomain(h, e, hDim, vDim, segments);
        int d = vDim * hDim;
        int slots = Math.min(maxSlots, segs);
        int[] domain = segments.segmentDomains();
        ensureDense((long) slots * d);
        FloatPointer chunk = dense;
        segmentSlot = fill(segmentSlot, domain, segs);
        for (int first = 0; first < segs; first += slots) {
            int start = first, count = Math.min(slots, segs - first);
            long work = (long) (segments.segmentStarts()[start + count] - segments.segmentStarts()[start]) * d;
            overSegments(0, count, work, s -> segmentGemm(h, e, runs, segments, start + s, hDim, vDim, 0f, chunk.getPointer((long) s * d)));
            sink.accept(chunk, segmentSlot.getPointer(first), count, d);
        }
    }

    private void ensureGather(long hFloats, long eFloats) {
        if (hFloats > gatherHCap) {
            gatherH.close();
            gatherH = new FloatPointer(hFloats);
            gatherHCap = hFloats;
        }
        if (eFloats > gatherECap) {
            gatherE.close();
            gatherE = new FloatPointer(eFloats);
            gatherECap = eFloats;
        }
    }

    @Override
    public void signProjection(Tensor out, int n, int seed, float scale) {
        CpuKernels.rnb_cpu_sign_projection(at(out, 0), n, seed, scale);
    }

    @Override
    public void gram(Tensor x, int k, long d, float[] scale, Tensor out) {
        cblas_ssyrk(CblasRowMajor, CblasUpper, CblasNoTrans, k, Math.toIntExact(d), 1f, at(x, 0), Math.toIntExact(d), 0f, at(out, 0), k);
        try (FloatPointer s = new FloatPointer(scale)) {
            CpuKernels.rnb_cpu_gram_finish(at(out, 0), s, k);
        }
    }

    @Override
    public float[] gramTimesP(Tensor x, int k, long d, float[] scale, float[] p) {
        float[] gp = new float[k];
        ModelKernels.rnb_model_gram_times_p(at(x, 0), scale, p, k, d, gp);
        return gp;
    }

    /** One native call: pass 2 zeroes each row right after reading it. */
    @Override
    public float[] gramTimesPThenZero(Tensor x, int k, long d, float[] scale, float[] p) {
        float[] gp = new float[k];
        ModelKernels.rnb_model_gram_times_p_then_zero(at(x, 0), scale, p, k, d, gp);
        return gp;
    }

    /** The same native passes over the live blocks only: the dead lines are neither read nor written. */
    @Override
    public float[] gramTimesPThenZero(Tensor x, int k, long d, float[] scale, float[] p, int[] liveBlocks) {
        float[] gp = new float[k];
        ModelKernels.rnb_model_gram_times_p_then_zero_blocks(at(x, 0), scale, p, k, d, liveBlocks, liveBlocks.length, gp);
        return gp;
    }

    @Override
    public BalanceStep balanceUpdate(float[] gp, float[] scale, float[] current, float lambda) {
        float[] next = new float[gp.length];
        int status = ModelKernels.rnb_model_balance_update(gp, scale, current, lambda, gp.length, next);
        return new BalanceStep(next, BalanceStep.Status.fromCode(status));
    }

    /** G p and the update in one native call: G p never leaves the kernel, its norm and maximum come from pass 2. */
    @Override
    public BalanceStep balanceRound(Tensor x, int k, long d, float[] scale, float[] p, float lambda, float[] current) {
        float[] next = new float[k];
        int status = ModelKernels.rnb_model_balance_round(at(x, 0), scale, p, current, lambda, k, d, next);
        return new BalanceStep(next, BalanceStep.Status.fromCode(status));
    }

    @Override
    public void close() {
        gatherH.close();
        gatherE.close();
        dense.close();
        rowOrder.close();
        segmentStart.close();
        segmentSlot.close();
        codes.close();
    }
}
