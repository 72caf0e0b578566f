package dev.rnb.backend.reference;

import dev.rnb.backend.Backend;
import dev.rnb.backend.BalanceStep;
import dev.rnb.backend.Checks;
import dev.rnb.backend.DomainSegments;
import dev.rnb.backend.SketchHash;
import dev.rnb.backend.Tensor;

import java.util.Arrays;

/**
 * Plain Java with double accumulation: the oracle every other backend is
 * tested against. Written for obviousness, not speed.
 */
public final class ReferenceBackend implements Backend {

    @Override public String name() { return "reference"; }

    @Override public String describe() { return "reference: plain Java, double accumulation"; }

    @Override public Tensor allocate(long size) { return new HeapTensor(this, size); }

    private float[] data(Tensor t) { return Checks.owned(this, HeapTensor.class, t).data; }

    @Override
    public void upload(float[] src, int srcOffset, Tensor dst, long dstOffset, int length) {
        System.arraycopy(src, srcOffset, data(dst), Math.toIntExact(dstOffset), length);
    }

    @Override
    public void download(Tensor src, long srcOffset, float[] dst, int dstOffset, int length) {
        System.arraycopy(data(src), Math.toIntExact(srcOffset), dst, dstOffset, length);
    }

    @Override public void zero(Tensor t) { Arrays.fill(data(t), 0f); }

    @Override
    public void copy(Tensor src, long srcOffset, Tensor dst, long dstOffset, long length) {
        System.arraycopy(data(src), Math.toIntExact(srcOffset), data(dst), Math.toIntExact(dstOffset), Math.toIntExact(length));
    }

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k,
                     float alpha, Tensor a, int lda, Tensor b, int ldb, float beta, Tensor c, int ldc) {
        Checks.gemmShapes(transA, transB, m, n, k, a, lda, b, ldb, c, ldc);
        float[] A = data(a), B = data(b), C = data(c);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double sum = 0;
                for (int p = 0; p < k; p++) {
                    double av = transA ? A[p * lda + i] : A[i * lda + p];
                    double bv = transB ? B[j * ldb + p] : B[p * ldb + j];
                    sum += av * bv;
                }
                int ci = i * ldc + j;
                C[ci] = (float) (alpha * sum + (beta == 0f ? 0.0 : (double) beta * C[ci]));
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
