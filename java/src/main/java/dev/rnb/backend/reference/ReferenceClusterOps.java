package dev.rnb.backend.reference;

import dev.rnb.backend.ClusterOps;
import dev.rnb.backend.Tensor;

import static dev.rnb.backend.reference.HeapTensor.floats;

/**
 * The reference k-means and silhouette: direct distances sum_c (x_c - y_c)^2
 * in double, no GEMM identity, so it is the oracle for the backends that use
 * ||x||^2 - 2 x.y + ||y||^2. It ignores the row norms the contract passes in.
 */
final class ReferenceClusterOps implements ClusterOps {

    static double sqDistance(float[] x, int xRow, float[] y, int yRow, int d) {
        double s = 0;
        for (int c = 0; c < d; c++) {
            double t = (double) x[xRow * d + c] - y[yRow * d + c];
            s += t * t;
        }
        return s;
    }

    @Override
    public void rowSquaredNorms(Tensor xs, int n, int d, Tensor outs) {
        float[] x = floats(xs), out = floats(outs);
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int c = 0; c < d; c++) s += (double) x[i * d + c] * x[i * d + c];
            out[i] = (float) s;
        }
    }

    @Override
    public void normalizeRows(Tensor xs, int n, int d) {
        float[] x = floats(xs);
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int c = 0; c < d; c++) s += (double) x[i * d + c] * x[i * d + c];
            if (s > 0) {
                double inv = 1 / Math.sqrt(s);
                for (int c = 0; c < d; c++) x[i * d + c] = (float) (x[i * d + c] * inv);
            }
        }
    }

    @Override
    public AssignStats assignNearest(Tensor xs, Tensor xNorms, int n, int d, Tensor cs, int k, Tensor as, Tensor ds) {
        float[] x = floats(xs), centroids = floats(cs), assign = floats(as), minDist = floats(ds);
        double inertia = 0;
        long changed = 0;
        for (int i = 0; i < n; i++) {
            int best = 0;
            double bestDist = Double.POSITIVE_INFINITY;
            for (int j = 0; j < k; j++) {
                double dist = sqDistance(x, i, centroids, j, d);
                if (dist < bestDist) {
                    bestDist = dist;
                    best = j;
                }
            }
            if (assign[i] != best) changed++;
            assign[i] = best;
            minDist[i] = (float) bestDist;
            inertia += bestDist;
        }
        return new AssignStats(inertia, changed, 0);
    }

    @Override
    public int updateCentroids(Tensor xs, int n, int d, Tensor as, int k, boolean normalize, Tensor cs, Tensor ns) {
        float[] x = floats(xs), assign = floats(as), centroids = floats(cs), counts = floats(ns);
        double[] sums = new double[k * d];
        long[] count = new long[k];
        for (int i = 0; i < n; i++) {
            int j = (int) assign[i];
            count[j]++;
            for (int c = 0; c < d; c++) sums[j * d + c] += x[i * d + c];
        }
        int empty = 0;
        for (int j = 0; j < k; j++) {
            counts[j] = count[j];
            if (count[j] == 0) {
                empty++;
                continue;
            }
            double norm2 = 0;
            for (int c = 0; c < d; c++) {
                sums[j * d + c] /= count[j];
                norm2 += sums[j * d + c] * sums[j * d + c];
            }
            double scale = normalize && norm2 > 0 ? 1 / Math.sqrt(norm2) : 1;
            for (int c = 0; c < d; c++) centroids[j * d + c] = (float) (sums[j * d + c] * scale);
        }
        return empty;
    }

    @Override
    public void silhouette(Tensor xs, Tensor xNorms, int m, int d, Tensor ls, int k, Tensor outs) {
        float[] x = floats(xs), labels = floats(ls), out = floats(outs);
        long[] size = new long[k];
        for (int i = 0; i < m; i++) size[(int) labels[i]]++;
        for (int i = 0; i < m; i++) {
            double[] sum = new double[k];
            for (int j = 0; j < m; j++) {
                if (j != i) sum[(int) labels[j]] += Math.sqrt(sqDistance(x, i, x, j, d));
            }
            out[i] = (float) silhouetteValue(sum, size, (int) labels[i]);
        }
    }

    /** s_i from the per-cluster distance sums of row i (shared with the cpu and cuda contracts). */
    static double silhouetteValue(double[] sum, long[] size, int own) {
        if (size[own] <= 1) return 0;
        double a = sum[own] / (size[own] - 1);
        double b = Double.POSITIVE_INFINITY;
        for (int j = 0; j < sum.length; j++) {
            if (j != own && size[j] > 0) b = Math.min(b, sum[j] / size[j]);
        }
        if (b == Double.POSITIVE_INFINITY) return 0;
        double max = Math.max(a, b);
        return max == 0 ? 0 : (b - a) / max;
    }
}
