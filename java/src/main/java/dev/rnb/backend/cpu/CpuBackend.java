package dev.rnb.backend.cpu;

import dev.rnb.backend.Backend;
import dev.rnb.backend.BalanceStep;
import dev.rnb.backend.Checks;
import dev.rnb.backend.DomainSegments;
import dev.rnb.backend.ModelChecks;
import dev.rnb.backend.Tensor;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.openblas.global.openblas_nolapack;

import java.util.function.IntConsumer;
import java.util.stream.IntStream;

import static org.bytedeco.openblas.global.openblas_nolapack.*;

/**
 * CPU backend: GEMM and SYRK from OpenBLAS, everything else from the C++
 * kernels of native/ (OpenMP; the model's in native/model_*.cpp through
 * {@link ModelKernels}). Tensors are off-heap. Not thread-safe: one
 * instance serves one caller at a time (its gather scratch is reused).
 */
public final class CpuBackend implements Backend {
    private FloatPointer gatherH = new FloatPointer(1);
    private FloatPointer gatherE = new FloatPointer(1);
    private FloatPointer dense = new FloatPointer(1);
    private long gatherHCap = 1, gatherECap = 1, denseCap = 1;
    private final CpuClusterOps cluster = new CpuClusterOps();

    /** Loads OpenBLAS and the kernel library; throws if either is missing. */
    public CpuBackend() {
        Loader.load(openblas_nolapack.class);
        Loader.load(CpuKernels.class);
        Loader.load(ModelKernels.class);
    }

    @Override public String name() { return "cpu"; }

    @Override
    public String describe() {
        return "cpu: C++ kernels (OpenMP, " + Runtime.getRuntime().availableProcessors()
                + " cores) + OpenBLAS (Bytedeco presets, cblas without LAPACK)";
    }

    @Override public Tensor allocate(long size) { return new NativeTensor(this, size); }

    private FloatPointer at(Tensor t, long offset) { return Checks.owned(this, NativeTensor.class, t).at(offset); }

    @Override
    public void upload(float[] src, int srcOffset, Tensor dst, long dstOffset, int length) {
        Checks.range(dst, dstOffset, length);
        at(dst, dstOffset).put(src, srcOffset, length);
    }

    @Override
    public void download(Tensor src, long srcOffset, float[] dst, int dstOffset, int length) {
        Checks.range(src, srcOffset, length);
        at(src, srcOffset).get(dst, dstOffset, length);
    }

    @Override
    public void zero(Tensor t) {
        FloatPointer p = at(t, 0);
        org.bytedeco.javacpp.Pointer.memset(p, 0, t.size() * Float.BYTES);
    }

    @Override
    public void copy(Tensor src, long srcOffset, Tensor dst, long dstOffset, long length) {
        Checks.range(src, srcOffset, length);
        Checks.range(dst, dstOffset, length);
        org.bytedeco.javacpp.Pointer.memcpy(at(dst, dstOffset), at(src, srcOffset), length * Float.BYTES);
    }

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k,
                     float alpha, Tensor a, int lda, Tensor b, int ldb, float beta, Tensor c, int ldc) {
        Checks.gemmShapes(transA, transB, m, n, k, a, lda, b, ldb, c, ldc);
        if (m == 0 || n == 0) {
            return;
        }
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                m, n, k, alpha, at(a, 0), Math.max(1, lda), at(b, 0), Math.max(1, ldb), beta, at(c, 0), Math.max(1, ldc));
    }

    @Override
    public void domainGradAccumulate(Tensor h, Tensor e, int hDim, int vDim, DomainSegments segments, Tensor g) {
        Checks.domainGrad(h, e, hDim, vDim, segments, g);
        int rows = segments.rows();
        if (rows == 0) {
            return;
        }
        // Gather the rows in domain order once, then one GEMM per domain:
        // G_d += E_d^T H_d reads each gathered row exactly once.
        gatherByDomain(h, e, hDim, vDim, segments);
        int[] domain = segments.segmentDomains();
        long block = (long) vDim * hDim;
        FloatPointer base = at(g, 0);
        overSegments(0, segments.segmentCount(), (long) rows * block,
                s -> segmentGemm(segments, s, hDim, vDim, 1f, base.getPointer(domain[s] * block)));
    }

    /**
     * Per-domain GEMMs over fewer multiply-adds than this run one after the
     * other on the calling thread; above it, segments are spread over the
     * cores. Property {@code rnb.cpu.segmentParallelMinWork}.
     */
    private static volatile long segmentParallelMinWork = Long.getLong("rnb.cpu.segmentParallelMinWork", 1L << 26);

    /** Sets the work (multiply-adds) from which per-domain GEMMs run in parallel; returns the previous value. Tests set 0 to run that path on small inputs. */
    public static long segmentParallelMinWork(long multiplyAdds) {
        long previous = segmentParallelMinWork;
        segmentParallelMinWork = multiplyAdds;
        return previous;
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

    private void gatherByDomain(Tensor h, Tensor e, int hDim, int vDim, DomainSegments segments) {
        int rows = segments.rows();
        ensureGather((long) rows * hDim, (long) rows * vDim);
        try (IntPointer order = new IntPointer(segments.rowOrder())) {
            CpuKernels.rnb_cpu_gather_rows(at(h, 0), hDim, order, rows, gatherH);
            CpuKernels.rnb_cpu_gather_rows(at(e, 0), vDim, order, rows, gatherE);
        }
    }

    /** out (v x h) = E_s^T H_s + beta * out over segment s of the gathered rows. */
    private void segmentGemm(DomainSegments segments, int s, int hDim, int vDim, float beta, FloatPointer out) {
        int[] start = segments.segmentStarts();
        int n = start[s + 1] - start[s];
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, vDim, hDim, n, 1f,
                gatherE.getPointer((long) start[s] * vDim), vDim,
                gatherH.getPointer((long) start[s] * hDim), hDim,
                beta, out, hDim);
    }

    /** Dense per-domain gradients are formed this many at a time before sketching. */
    private static final int SKETCH_SLOTS = 16;

    @Override
    public void domainGradSketchAccumulate(Tensor h, Tensor e, int hDim, int vDim, DomainSegments segments,
                                           int r, int seed, Tensor sketch) {
        Checks.domainGradSketch(h, e, hDim, vDim, segments, r, sketch);
        int segs = segments.segmentCount();
        if (segs == 0) {
            return;
        }
        gatherByDomain(h, e, hDim, vDim, segments);
        int d = vDim * hDim;
        int slots = Math.min(SKETCH_SLOTS, segs);
        int[] domain = segments.segmentDomains();
        if ((long) slots * d > denseCap) {
            dense.close();
            denseCap = (long) slots * d;
            dense = new FloatPointer(denseCap);
        }
        FloatPointer chunk = dense;
        try (IntPointer domains = new IntPointer(domain)) {
            for (int first = 0; first < segs; first += slots) {
                int start = first, count = Math.min(slots, segs - first);
                long work = (long) (segments.segmentStarts()[start + count] - segments.segmentStarts()[start]) * d;
                overSegments(0, count, work, s -> segmentGemm(segments, start + s, hDim, vDim, 0f, chunk.getPointer((long) s * d)));
                CpuKernels.rnb_cpu_count_sketch_add(chunk, domains.getPointer(first), count, d, r, seed, at(sketch, 0));
            }
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
    public void gram(Tensor x, int k, long d, float[] scale, Tensor out) {
        Checks.domainMatrix(x, k, d, scale);
        if (out.size() < (long) k * k) {
            throw new IllegalArgumentException("gram output holds " + out.size() + " floats, needs k*k = " + (long) k * k);
        }
        cblas_ssyrk(CblasRowMajor, CblasUpper, CblasNoTrans, k, Math.toIntExact(d), 1f, at(x, 0), Math.toIntExact(d), 0f, at(out, 0), k);
        try (FloatPointer s = new FloatPointer(scale)) {
            CpuKernels.rnb_cpu_gram_finish(at(out, 0), s, k);
        }
    }

    @Override
    public float[] gramTimesP(Tensor x, int k, long d, float[] scale, float[] p) {
        Checks.domainMatrix(x, k, d, scale, p);
        float[] weight = new float[k];
        for (int j = 0; j < k; j++) {
            weight[j] = p[j] * scale[j];
        }
        float[] gp = new float[k];
        try (FloatPointer w = new FloatPointer(weight);
             FloatPointer s = new FloatPointer(scale);
             FloatPointer v = new FloatPointer(d);
             FloatPointer out = new FloatPointer(k)) {
            CpuKernels.rnb_cpu_scaled_domain_sum(at(x, 0), w, k, d, v);
            CpuKernels.rnb_cpu_scaled_domain_dots(at(x, 0), s, v, k, d, out);
            out.get(gp);
        }
        return gp;
    }

    @Override
    public BalanceStep balanceUpdate(float[] gp, float[] scale, float[] current, float lambda) {
        Checks.update(gp, scale, current, lambda);
        float[] next = new float[gp.length];
        int status;
        try (FloatPointer g = new FloatPointer(gp);
             FloatPointer s = new FloatPointer(scale);
             FloatPointer c = new FloatPointer(current);
             FloatPointer n = new FloatPointer(gp.length)) {
            status = CpuKernels.rnb_cpu_balance_update(g, s, c, lambda, gp.length, n);
            n.get(next);
        }
        return new BalanceStep(next, BalanceStep.Status.fromCode(status));
    }

    @Override
    public BalanceStep balanceRound(Tensor x, int k, long d, float[] scale, float[] p, float lambda, float[] current) {
        return balanceUpdate(gramTimesP(x, k, d, scale, p), scale, current, lambda);
    }

    // ---------------------------------------------------------------- model operations (ModelOps)

    private FloatPointer at(Tensor t) { return at(t, 0); }

    @Override
    public Tensor view(Tensor base, long offset, long size) {
        return Checks.owned(this, NativeTensor.class, base).view(offset, size);
    }

    @Override
    public void encoderForward(Tensor out, Tensor tokens, Tensor wte, Tensor wpe, int B, int T, int C) {
        ModelChecks.encoder("encoderForward", out, tokens, wte, wpe, B, T, C);
        ModelKernels.rnb_model_encoder_forward(at(out), at(tokens), at(wte), at(wpe), B, T, C);
    }

    @Override
    public void encoderBackward(Tensor dwte, Tensor dwpe, Tensor dout, Tensor tokens, int B, int T, int C) {
        ModelChecks.encoder("encoderBackward", dout, tokens, dwte, dwpe, B, T, C);
        ModelKernels.rnb_model_encoder_backward(at(dwte), at(dwpe), at(dout), at(tokens), B, T, C);
    }

    @Override
    public void layerNormForward(Tensor out, Tensor mean, Tensor rstd, Tensor inp, Tensor weight, Tensor bias, int N, int C) {
        ModelChecks.layerNorm("layerNormForward", out, inp, mean, rstd, weight, bias, N, C);
        ModelKernels.rnb_model_layernorm_forward(at(out), at(mean), at(rstd), at(inp), at(weight), at(bias), N, C);
    }

    @Override
    public void layerNormBackward(Tensor dinp, Tensor dweight, Tensor dbias, Tensor dout, Tensor inp, Tensor weight,
                                  Tensor mean, Tensor rstd, int N, int C) {
        ModelChecks.layerNormBackward(dinp, dweight, dbias, dout, inp, weight, mean, rstd, N, C);
        ModelKernels.rnb_model_layernorm_backward(at(dinp), at(dweight), at(dbias), at(dout), at(inp), at(weight), at(mean), at(rstd), N, C);
    }

    @Override
    public void biasAdd(Tensor out, Tensor bias, int N, int OC) {
        ModelChecks.bias("biasAdd", out, bias, N, OC);
        ModelKernels.rnb_model_bias_add(at(out), at(bias), N, OC);
    }

    @Override
    public void biasBackward(Tensor dbias, Tensor dout, int N, int OC) {
        ModelChecks.bias("biasBackward", dout, dbias, N, OC);
        ModelKernels.rnb_model_bias_backward(at(dbias), at(dout), N, OC);
    }

    @Override
    public void attentionForward(Tensor out, Tensor att, Tensor qkv, int B, int T, int C, int NH) {
        ModelChecks.attention("attentionForward", out, att, qkv, B, T, C, NH);
        CpuAttention.forward(at(out), at(att), at(qkv), B, T, C, NH);
    }

    @Override
    public void attentionBackward(Tensor dqkv, Tensor dpreatt, Tensor dout, Tensor qkv, Tensor att, int B, int T, int C, int NH) {
        ModelChecks.attentionBackward(dqkv, dpreatt, dout, qkv, att, B, T, C, NH);
        CpuAttention.backward(at(dqkv), at(dpreatt), at(dout), at(qkv), at(att), B, T, C, NH);
    }

    @Override
    public void geluForward(Tensor out, Tensor inp, long n) {
        ModelChecks.elementwise("geluForward", n, out, inp);
        ModelKernels.rnb_model_gelu_forward(at(out), at(inp), n);
    }

    @Override
    public void geluBackward(Tensor dinp, Tensor inp, Tensor dout, long n) {
        ModelChecks.elementwise("geluBackward", n, dinp, inp, dout);
        ModelKernels.rnb_model_gelu_backward(at(dinp), at(inp), at(dout), n);
    }

    @Override
    public void add(Tensor out, Tensor a, Tensor b, long n) {
        ModelChecks.elementwise("add", n, out, a, b);
        ModelKernels.rnb_model_add(at(out), at(a), at(b), n);
    }

    @Override
    public void crossEntropy(Tensor losses, Tensor lossSum, Tensor dlogits, Tensor logits, Tensor targets, Tensor weights, int N, int V) {
        ModelChecks.crossEntropy(losses, lossSum, dlogits, logits, targets, weights, N, V);
        ModelKernels.rnb_model_cross_entropy(at(losses), at(lossSum), dlogits == null ? null : at(dlogits), at(logits), at(targets), at(weights), N, V);
    }

    @Override
    public void squaredNorm(Tensor out, Tensor x, long n) {
        ModelChecks.elementwise("squaredNorm", n, x);
        ModelChecks.elementwise("squaredNorm", 1, out);
        ModelKernels.rnb_model_squared_norm(at(out), at(x), n);
    }

    @Override
    public void adamw(Tensor params, Tensor grads, Tensor m, Tensor v, long n, Tensor normSq, float maxNorm,
                      float lr, float beta1, float beta2, float eps, float weightDecay, int t) {
        ModelChecks.adamw(params, grads, m, v, n, normSq, t);
        ModelKernels.rnb_model_adamw(at(params), at(grads), at(m), at(v), n, at(normSq), maxNorm, lr, beta1, beta2, eps, weightDecay, t);
    }

    @Override
    public void rowSquaredNorms(Tensor x, int n, int d, Tensor out) {
        Checks.cluster(x, n, d, 1, out);
        CpuKernels.rnb_cpu_row_sq_norms(at(x, 0), n, d, at(out, 0));
    }

    @Override
    public void normalizeRows(Tensor x, int n, int d) {
        Checks.cluster(x, n, d, 1);
        CpuKernels.rnb_cpu_normalize_rows(at(x, 0), n, d);
    }

    @Override
    public AssignStats assignNearest(Tensor x, Tensor xNorms, int n, int d, Tensor centroids, int k, Tensor assign, Tensor minDist) {
        Checks.cluster(x, n, d, k, xNorms, assign, minDist);
        Checks.centroids(centroids, k, d);
        return cluster.assign(at(x, 0), at(xNorms, 0), n, d, at(centroids, 0), k, at(assign, 0), at(minDist, 0));
    }

    @Override
    public int updateCentroids(Tensor x, int n, int d, Tensor assign, int k, boolean normalize, Tensor centroids, Tensor counts) {
        Checks.cluster(x, n, d, k, assign);
        Checks.centroids(centroids, k, d);
        Checks.counts(counts, k);
        return CpuKernels.rnb_cpu_kmeans_update(at(x, 0), at(assign, 0), n, d, k, normalize ? 1 : 0, at(centroids, 0), at(counts, 0));
    }

    @Override
    public void silhouette(Tensor x, Tensor xNorms, int m, int d, Tensor labels, int k, Tensor out) {
        Checks.cluster(x, m, d, k, xNorms, labels, out);
        cluster.silhouette(at(x, 0), at(xNorms, 0), m, d, at(labels, 0), k, at(out, 0));
    }

    @Override
    public void close() {
        cluster.close();
        gatherH.close();
        gatherE.close();
        dense.close();
    }
}
