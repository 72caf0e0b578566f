package dev.rnb.backend.reference;

import dev.rnb.backend.Backend;
import dev.rnb.backend.BalanceStep;
import dev.rnb.backend.Checks;
import dev.rnb.backend.DomainSegments;
import dev.rnb.backend.ModelChecks;
import dev.rnb.backend.SketchHash;
import dev.rnb.backend.Tensor;

import java.util.Arrays;

/**
 * Plain Java with double accumulation: the oracle every other backend is
 * tested against. Written for obviousness, not speed.
 */
public final class ReferenceBackend implements Backend {
    private final boolean float64;

    /** The float32 oracle. */
    public ReferenceBackend() { this(false); }

    private ReferenceBackend(boolean float64) { this.float64 = float64; }

    /**
     * The same code with every tensor element stored as a double (upload and
     * download convert): memory, gemm and the model operations only, for
     * finite-difference gradient checks. Balance operations need float mode.
     */
    public static ReferenceBackend float64() { return new ReferenceBackend(true); }

    @Override public String name() { return float64 ? "reference-float64" : "reference"; }

    @Override public String describe() {
        return float64 ? "reference-float64: plain Java, double storage (gradient checks)" : "reference: plain Java, double accumulation";
    }

    @Override public Tensor allocate(long size) { return new HeapTensor(this, size, float64); }

    /** A float-mode tensor's array; the Balance operations index it from 0. */
    private float[] data(Tensor t) {
        HeapTensor h = Checks.owned(this, HeapTensor.class, t);
        if (h.data == null || h.offset != 0) {
            throw new IllegalArgumentException("this operation needs a float32 tensor that is not a view at an offset");
        }
        return h.data;
    }

    static HeapTensor heap(ReferenceBackend self, Tensor t) { return Checks.owned(self, HeapTensor.class, t); }

    private HeapTensor h(Tensor t) { return heap(this, t); }

    @Override
    public void upload(float[] src, int srcOffset, Tensor dst, long dstOffset, int length) {
        Checks.range(dst, dstOffset, length);
        HeapTensor d = h(dst);
        for (int i = 0; i < length; i++) {
            d.set(dstOffset + i, src[srcOffset + i]);
        }
    }

    @Override
    public void download(Tensor src, long srcOffset, float[] dst, int dstOffset, int length) {
        Checks.range(src, srcOffset, length);
        HeapTensor s = h(src);
        for (int i = 0; i < length; i++) {
            dst[dstOffset + i] = (float) s.get(srcOffset + i);
        }
    }

    /** Float64 mode: reads without rounding (the gradient check's loss and gradients). */
    public void downloadDouble(Tensor src, long srcOffset, double[] dst, int dstOffset, int length) {
        Checks.range(src, srcOffset, length);
        HeapTensor s = h(src);
        for (int i = 0; i < length; i++) {
            dst[dstOffset + i] = s.get(srcOffset + i);
        }
    }

    /** Float64 mode: writes without rounding (finite-difference perturbations). */
    public void uploadDouble(double[] src, int srcOffset, Tensor dst, long dstOffset, int length) {
        Checks.range(dst, dstOffset, length);
        HeapTensor d = h(dst);
        for (int i = 0; i < length; i++) {
            d.set(dstOffset + i, src[srcOffset + i]);
        }
    }

    @Override
    public void zero(Tensor t) {
        HeapTensor d = h(t);
        for (long i = 0; i < t.size(); i++) {
            d.set(i, 0);
        }
    }

    @Override
    public void copy(Tensor src, long srcOffset, Tensor dst, long dstOffset, long length) {
        Checks.range(src, srcOffset, length);
        Checks.range(dst, dstOffset, length);
        HeapTensor s = h(src), d = h(dst);
        if (s.data != null && d.data != null) {
            System.arraycopy(s.data, Math.toIntExact(s.offset + srcOffset), d.data, Math.toIntExact(d.offset + dstOffset), Math.toIntExact(length));
        } else {
            System.arraycopy(s.wide, Math.toIntExact(s.offset + srcOffset), d.wide, Math.toIntExact(d.offset + dstOffset), Math.toIntExact(length));
        }
    }

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k,
                     float alpha, Tensor a, int lda, Tensor b, int ldb, float beta, Tensor c, int ldc) {
        Checks.gemmShapes(transA, transB, m, n, k, a, lda, b, ldb, c, ldc);
        HeapTensor A = h(a), B = h(b), C = h(c);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double sum = 0;
                for (int p = 0; p < k; p++) {
                    double av = transA ? A.get((long) p * lda + i) : A.get((long) i * lda + p);
                    double bv = transB ? B.get((long) j * ldb + p) : B.get((long) p * ldb + j);
                    sum += av * bv;
                }
                long ci = (long) i * ldc + j;
                C.set(ci, alpha * sum + (beta == 0f ? 0.0 : (double) beta * C.get(ci)));
            }
        }
    }

    @Override
    public void domainGradAccumulate(Tensor h, Tensor e, int hDim, int vDim, DomainSegments segments, Tensor g) {
        Checks.domainGrad(h, e, hDim, vDim, segments, g);
        float[] H = data(h), E = data(e), G = data(g);
        int[] order = segments.rowOrder(), start = segments.segmentStarts(), domain = segments.segmentDomains();
        for (int s = 0; s < segments.segmentCount(); s++) {
            int base = domain[s] * vDim * hDim;
            for (int i = 0; i < vDim; i++) {
                for (int j = 0; j < hDim; j++) {
                    double sum = 0;
                    for (int t = start[s]; t < start[s + 1]; t++) {
                        int row = order[t];
                        sum += (double) E[row * vDim + i] * H[row * hDim + j];
                    }
                    G[base + i * hDim + j] += (float) sum;
                }
            }
        }
    }

    @Override
    public void domainGradSketchAccumulate(Tensor h, Tensor e, int hDim, int vDim, DomainSegments segments,
                                           int r, int seed, Tensor sketch) {
        Checks.domainGradSketch(h, e, hDim, vDim, segments, r, sketch);
        float[] H = data(h), E = data(e), S = data(sketch);
        int[] order = segments.rowOrder(), start = segments.segmentStarts(), domain = segments.segmentDomains();
        for (int s = 0; s < segments.segmentCount(); s++) {
            double[] buckets = new double[r];
            for (int i = 0; i < vDim; i++) {
                for (int j = 0; j < hDim; j++) {
                    double x = 0;
                    for (int t = start[s]; t < start[s + 1]; t++) {
                        int row = order[t];
                        x += (double) E[row * vDim + i] * H[row * hDim + j];
                    }
                    int hash = SketchHash.hash(i * hDim + j, seed);
                    buckets[SketchHash.bucket(hash, r)] += SketchHash.negative(hash) ? -x : x;
                }
            }
            for (int b = 0; b < r; b++) {
                S[domain[s] * r + b] += (float) buckets[b];
            }
        }
    }

    @Override
    public void gram(Tensor x, int k, long d, float[] scale, Tensor out) {
        Checks.domainMatrix(x, k, d, scale);
        float[] X = data(x), O = data(out);
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < k; j++) {
                double dot = 0;
                for (long c = 0; c < d; c++) {
                    dot += (double) X[(int) (i * d + c)] * X[(int) (j * d + c)];
                }
                O[i * k + j] = (float) (dot * scale[i] * scale[j]);
            }
        }
    }

    @Override
    public float[] gramTimesP(Tensor x, int k, long d, float[] scale, float[] p) {
        Checks.domainMatrix(x, k, d, scale, p);
        float[] X = data(x);
        double[] v = new double[(int) d];
        for (int j = 0; j < k; j++) {
            double w = (double) p[j] * scale[j];
            for (int c = 0; c < d; c++) {
                v[c] += w * X[(int) (j * d + c)];
            }
        }
        float[] gp = new float[k];
        for (int i = 0; i < k; i++) {
            double dot = 0;
            for (int c = 0; c < d; c++) {
                dot += X[(int) (i * d + c)] * v[c];
            }
            gp[i] = (float) (scale[i] * dot);
        }
        return gp;
    }

    @Override
    public BalanceStep balanceUpdate(float[] gp, float[] scale, float[] current, float lambda) {
        Checks.update(gp, scale, current, lambda);
        int k = gp.length;
        double norm2 = 0;
        boolean anyPresent = false;
        for (int i = 0; i < k; i++) {
            if (scale[i] == 0f) {
                continue;
            }
            if (!Float.isFinite(gp[i])) {
                return new BalanceStep(current.clone(), BalanceStep.Status.SKIPPED_NON_FINITE);
            }
            anyPresent = true;
            norm2 += (double) gp[i] * gp[i];
        }
        if (!anyPresent) {
            return new BalanceStep(current.clone(), BalanceStep.Status.SKIPPED_NO_DOMAIN);
        }
        if (norm2 == 0) {
            return new BalanceStep(current.clone(), BalanceStep.Status.SKIPPED_ZERO_NORM);
        }
        double norm = Math.sqrt(norm2);
        double[] logit = new double[k];
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < k; i++) {
            logit[i] = scale[i] == 0f ? 0 : lambda * gp[i] / norm;
            max = Math.max(max, logit[i]);
        }
        double total = 0;
        for (int i = 0; i < k; i++) {
            logit[i] = Math.exp(logit[i] - max);
            total += logit[i];
        }
        float[] next = new float[k];
        for (int i = 0; i < k; i++) {
            next[i] = (float) (logit[i] / total);
        }
        return new BalanceStep(next, BalanceStep.Status.UPDATED);
    }

    @Override
    public BalanceStep balanceRound(Tensor x, int k, long d, float[] scale, float[] p, float lambda, float[] current) {
        return balanceUpdate(gramTimesP(x, k, d, scale, p), scale, current, lambda);
    }

    // ---------------------------------------------------------------- model operations (ModelOps)

    @Override
    public Tensor view(Tensor base, long offset, long size) { return h(base).view(offset, size); }

    @Override
    public void encoderForward(Tensor out, Tensor tokens, Tensor wte, Tensor wpe, int B, int T, int C) {
        ModelChecks.encoder("encoderForward", out, tokens, wte, wpe, B, T, C);
        ReferenceModel.encoderForward(h(out), h(tokens), h(wte), h(wpe), B, T, C);
    }

    @Override
    public void encoderBackward(Tensor dwte, Tensor dwpe, Tensor dout, Tensor tokens, int B, int T, int C) {
        ModelChecks.encoder("encoderBackward", dout, tokens, dwte, dwpe, B, T, C);
        ReferenceModel.encoderBackward(h(dwte), h(dwpe), h(dout), h(tokens), B, T, C);
    }

    @Override
    public void layerNormForward(Tensor out, Tensor mean, Tensor rstd, Tensor inp, Tensor weight, Tensor bias, int N, int C) {
        ModelChecks.layerNorm("layerNormForward", out, inp, mean, rstd, weight, bias, N, C);
        ReferenceModel.layerNormForward(h(out), h(mean), h(rstd), h(inp), h(weight), h(bias), N, C);
    }

    @Override
    public void layerNormBackward(Tensor dinp, Tensor dweight, Tensor dbias, Tensor dout, Tensor inp, Tensor weight,
                                  Tensor mean, Tensor rstd, int N, int C) {
        ModelChecks.layerNormBackward(dinp, dweight, dbias, dout, inp, weight, mean, rstd, N, C);
        ReferenceModel.layerNormBackward(h(dinp), h(dweight), h(dbias), h(dout), h(inp), h(weight), h(mean), h(rstd), N, C);
    }

    @Override
    public void biasAdd(Tensor out, Tensor bias, int N, int OC) {
        ModelChecks.bias("biasAdd", out, bias, N, OC);
        ReferenceModel.biasAdd(h(out), h(bias), N, OC);
    }

    @Override
    public void biasBackward(Tensor dbias, Tensor dout, int N, int OC) {
        ModelChecks.bias("biasBackward", dout, dbias, N, OC);
        ReferenceModel.biasBackward(h(dbias), h(dout), N, OC);
    }

    @Override
    public void attentionForward(Tensor out, Tensor att, Tensor qkv, int B, int T, int C, int NH) {
        ModelChecks.attention("attentionForward", out, att, qkv, B, T, C, NH);
        ReferenceModel.attentionForward(h(out), h(att), h(qkv), B, T, C, NH);
    }

    @Override
    public void attentionBackward(Tensor dqkv, Tensor dpreatt, Tensor dout, Tensor qkv, Tensor att, int B, int T, int C, int NH) {
        ModelChecks.attentionBackward(dqkv, dpreatt, dout, qkv, att, B, T, C, NH);
        ReferenceModel.attentionBackward(h(dqkv), h(dpreatt), h(dout), h(qkv), h(att), B, T, C, NH);
    }

    @Override
    public void geluForward(Tensor out, Tensor inp, long n) {
        ModelChecks.elementwise("geluForward", n, out, inp);
        ReferenceModel.geluForward(h(out), h(inp), n);
    }

    @Override
    public void geluBackward(Tensor dinp, Tensor inp, Tensor dout, long n) {
        ModelChecks.elementwise("geluBackward", n, dinp, inp, dout);
        ReferenceModel.geluBackward(h(dinp), h(inp), h(dout), n);
    }

    @Override
    public void add(Tensor out, Tensor a, Tensor b, long n) {
        ModelChecks.elementwise("add", n, out, a, b);
        ReferenceModel.add(h(out), h(a), h(b), n);
    }

    @Override
    public void crossEntropy(Tensor losses, Tensor lossSum, Tensor dlogits, Tensor logits, Tensor targets, Tensor weights, int N, int V) {
        ModelChecks.crossEntropy(losses, lossSum, dlogits, logits, targets, weights, N, V);
        ReferenceModel.crossEntropy(h(losses), h(lossSum), dlogits == null ? null : h(dlogits), h(logits), h(targets), h(weights), N, V);
    }

    @Override
    public void squaredNorm(Tensor out, Tensor x, long n) {
        ModelChecks.elementwise("squaredNorm", n, x);
        ModelChecks.elementwise("squaredNorm", 1, out);
        ReferenceModel.squaredNorm(h(out), h(x), n);
    }

    @Override
    public void adamw(Tensor params, Tensor grads, Tensor m, Tensor v, long n, Tensor normSq, float maxNorm,
                      float lr, float beta1, float beta2, float eps, float weightDecay, int t) {
        ModelChecks.adamw(params, grads, m, v, n, normSq, t);
        ReferenceModel.adamw(h(params), h(grads), h(m), h(v), n, h(normSq), maxNorm, lr, beta1, beta2, eps, weightDecay, t);
    }

    @Override
    public void rowSquaredNorms(Tensor x, int n, int d, Tensor out) {
        Checks.cluster(x, n, d, 1, out);
        ReferenceClusterOps.rowSquaredNorms(data(x), n, d, data(out));
    }

    @Override
    public void normalizeRows(Tensor x, int n, int d) {
        Checks.cluster(x, n, d, 1);
        ReferenceClusterOps.normalizeRows(data(x), n, d);
    }

    @Override
    public AssignStats assignNearest(Tensor x, Tensor xNorms, int n, int d, Tensor centroids, int k, Tensor assign, Tensor minDist) {
        Checks.cluster(x, n, d, k, xNorms, assign, minDist);
        Checks.centroids(centroids, k, d);
        return ReferenceClusterOps.assign(data(x), n, d, data(centroids), k, data(assign), data(minDist));
    }

    @Override
    public int updateCentroids(Tensor x, int n, int d, Tensor assign, int k, boolean normalize, Tensor centroids, Tensor counts) {
        Checks.cluster(x, n, d, k, assign);
        Checks.centroids(centroids, k, d);
        Checks.counts(counts, k);
        return ReferenceClusterOps.update(data(x), n, d, data(assign), k, normalize, data(centroids), data(counts));
    }

    @Override
    public void silhouette(Tensor x, Tensor xNorms, int m, int d, Tensor labels, int k, Tensor out) {
        Checks.cluster(x, m, d, k, xNorms, labels, out);
        ReferenceClusterOps.silhouette(data(x), m, d, data(labels), k, data(out));
    }

    @Override public void close() {}
}
