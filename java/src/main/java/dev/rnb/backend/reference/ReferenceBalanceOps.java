package dev.rnb.backend.reference;

import dev.rnb.backend.BalanceOps;
import dev.rnb.backend.BalanceStep;
import dev.rnb.backend.DomainSegments;
import dev.rnb.backend.SketchHash;
import dev.rnb.backend.Tensor;

import static dev.rnb.backend.reference.HeapTensor.floats;

/**
 * The Balance operations as obvious loops with double sums over float32
 * tensors (the float64 mode has none), and the round as the default G p
 * followed by the update.
 */
final class ReferenceBalanceOps implements BalanceOps {

    @Override
    public void domainGradAccumulate(Tensor h, Tensor e, int hDim, int vDim, DomainSegments segments, Tensor g) {
        domainGradAccumulateWithHead(h, e, hDim, vDim, segments, g, null);
    }

    /** headGrad may be null (no head gradient) or a view; its sum is over all segments in double. */
    @Override
    public void domainGradAccumulateWithHead(Tensor h, Tensor e, int hDim, int vDim, DomainSegments segments, Tensor g,
                                             Tensor headGrad) {
        float[] H = floats(h), E = floats(e), G = floats(g);
        double[] head = headGrad == null ? null : new double[vDim * hDim];
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
                    if (head != null) head[i * hDim + j] += sum;
                }
            }
        }
        if (head != null) {
            HeapTensor out = HeapTensor.of(headGrad);
            for (int i = 0; i < head.length; i++) out.set(i, out.get(i) + head[i]);
        }
    }

    @Override
    public void domainGradSketchAccumulate(Tensor h, Tensor e, int hDim, int vDim, DomainSegments segments,
                                           int r, int seed, Tensor sketch) {
        float[] H = floats(h), E = floats(e), S = floats(sketch);
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
    public void signProjection(Tensor out, int n, int seed, float scale) {
        float[] o = floats(out);
        for (int i = 0; i < n; i++) {
            o[i] = SketchHash.negative(SketchHash.hash(i, seed)) ? -scale : scale;
        }
    }

    @Override
    public void gram(Tensor x, int k, long d, float[] scale, Tensor out) {
        float[] X = floats(x), O = floats(out);
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
        float[] X = floats(x);
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
    public float[] gramTimesPThenZero(Tensor x, int k, long d, float[] scale, float[] p) {
        float[] gp = gramTimesP(x, k, d, scale, p);
        java.util.Arrays.fill(floats(x), 0, Math.toIntExact(k * d), 0f);
        return gp;
    }

    /** The definition over the listed blocks' columns alone (the others are taken as zero, never read), then those zeroed. */
    @Override
    public float[] gramTimesPThenZero(Tensor x, int k, long d, float[] scale, float[] p, int[] liveBlocks) {
        float[] X = floats(x);
        int[] columns = new int[liveBlocks.length * LIVE_BLOCK];
        for (int b = 0; b < liveBlocks.length; b++) {
            for (int c = 0; c < LIVE_BLOCK; c++) columns[b * LIVE_BLOCK + c] = liveBlocks[b] * LIVE_BLOCK + c;
        }
        double[] v = new double[columns.length];
        for (int j = 0; j < k; j++) {
            double w = (double) p[j] * scale[j];
            for (int c = 0; c < columns.length; c++) v[c] += w * X[(int) (j * d + columns[c])];
        }
        float[] gp = new float[k];
        for (int i = 0; i < k; i++) {
            double dot = 0;
            for (int c = 0; c < columns.length; c++) {
                dot += X[(int) (i * d + columns[c])] * v[c];
                X[(int) (i * d + columns[c])] = 0f;
            }
            gp[i] = (float) (scale[i] * dot);
        }
        return gp;
    }

    @Override
    public BalanceStep balanceUpdate(float[] gp, float[] scale, float[] current, float lambda) {
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
}
