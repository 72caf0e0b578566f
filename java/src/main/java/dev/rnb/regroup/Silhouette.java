package dev.rnb.regroup;

import dev.rnb.backend.Backend;
import dev.rnb.backend.Tensor;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Mean silhouette of a clustering (Euclidean, on the points as the backend
 * holds them), computed on the backend from GEMM pairwise distances. Exact
 * when n &lt;= sampleSize; otherwise on a seeded uniform sample of sampleSize
 * points without replacement (the usual estimate: O(m^2 d) instead of O(n^2 d)).
 */
public final class Silhouette {
    private Silhouette() {}

    public static double score(Points p, int[] labels, int k, int sampleSize, long seed) {
        if (labels.length != p.n) {
            throw new IllegalArgumentException(labels.length + " labels for " + p.n + " points");
        }
        if (sampleSize < 2) {
            throw new IllegalArgumentException("silhouette sample size must be >= 2, got " + sampleSize);
        }
        int[] rows = sample(p.n, sampleSize, seed);
        int m = rows.length, d = p.d;
        float[] x = new float[m * d], lab = new float[m];
        for (int i = 0; i < m; i++) {
            System.arraycopy(p.host, rows[i] * d, x, i * d, d);
            lab[i] = labels[rows[i]];
        }
        Backend b = p.backend;
        try (Tensor tx = b.allocate((long) m * d); Tensor norms = b.allocate(m); Tensor tl = b.allocate(m);
             Tensor out = b.allocate(m)) {
            b.upload(x, 0, tx, 0, x.length);
            b.upload(lab, 0, tl, 0, m);
            b.rowSquaredNorms(tx, m, d, norms);
            b.silhouette(tx, norms, m, d, tl, k, out);
            float[] s = new float[m];
            b.download(out, 0, s, 0, m);
            double sum = 0;
            for (float v : s) sum += v;
            return sum / m;
        }
    }

    /** All of 0..n-1 when n &lt;= size, else a sorted seeded sample of size distinct indices. */
    static int[] sample(int n, int size, long seed) {
        int[] all = new int[n];
        for (int i = 0; i < n; i++) all[i] = i;
        if (n <= size) return all;
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < size; i++) {
            int j = i + random.nextInt(n - i);
            int t = all[i];
            all[i] = all[j];
            all[j] = t;
        }
        int[] picked = Arrays.copyOf(all, size);
        Arrays.sort(picked);
        return picked;
    }
}
