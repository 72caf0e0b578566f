package dev.rnb.regroup;

import dev.rnb.backend.Backend;
import dev.rnb.backend.Tensor;

import java.util.Arrays;
import java.util.List;

/**
 * Stage 1 of R&amp;B on embedded examples: sweep k over the training
 * embeddings, keep the fit with the best silhouette, assign every evaluation
 * example to its nearest training centroid, and measure the evaluation
 * proportions p that Balance needs. Clusters are fitted on training data only,
 * so every cluster has training examples.
 */
public final class Regroup {

    /**
     * @param silhouetteSample silhouette is exact up to this many training points, sampled beyond
     */
    public record Options(List<Integer> ks, boolean spherical, long seed, int maxIterations, double tolerance,
                          int restarts, int silhouetteSample) {}

    /**
     * @param evalProportions fraction of evaluation examples in each cluster (sums to 1)
     */
    public record Result(KSweep.Outcome sweep, int[] trainAssignments, int[] evalAssignments, long[] trainSizes,
                         double[] evalProportions) {
        public int k() { return sweep.best().k(); }
    }

    private Regroup() {}

    public static Result run(Backend backend, float[] train, int nTrain, float[] eval, int nEval, int d, Options o) {
        KSweep.Outcome sweep;
        try (Points points = new Points(backend, train, nTrain, d, o.spherical())) {
            KMeans.Options base = new KMeans.Options(1, o.maxIterations(), o.tolerance(), o.spherical(), o.seed(), o.restarts(), null);
            sweep = KSweep.run(points, o.ks(), base, o.silhouetteSample());
        }
        KMeans.Result best = sweep.best();
        int[] evalAssign = nearest(backend, eval, nEval, d, best, o.spherical());
        long[] sizes = new long[best.k()];
        for (int a : best.assignments()) sizes[a]++;
        long[] evalCounts = new long[best.k()];
        for (int a : evalAssign) evalCounts[a]++;
        double[] p = new double[best.k()];
        for (int j = 0; j < p.length; j++) p[j] = (double) evalCounts[j] / nEval;
        return new Result(sweep, best.assignments(), evalAssign, sizes, p);
    }

    /** Nearest centroid of each row of x (unit rows first when spherical, as in the fit). */
    static int[] nearest(Backend backend, float[] x, int n, int d, KMeans.Result fit, boolean spherical) {
        if (d != fit.d()) {
            throw new IllegalArgumentException("evaluation embeddings have " + d + " dims, training centroids " + fit.d());
        }
        int k = fit.k();
        try (Points points = new Points(backend, x, n, d, spherical);
             Tensor c = backend.allocate((long) k * d); Tensor assign = backend.allocate(n); Tensor dist = backend.allocate(n)) {
            backend.upload(fit.centroids(), 0, c, 0, k * d);
            float[] none = new float[n];
            Arrays.fill(none, -1f);
            backend.upload(none, 0, assign, 0, n);
            backend.assignNearest(points.x, points.norms, n, d, c, k, assign, dist);
            float[] labels = new float[n];
            backend.download(assign, 0, labels, 0, n);
            int[] out = new int[n];
            for (int i = 0; i < n; i++) out[i] = (int) labels[i];
            return out;
        }
    }
}
