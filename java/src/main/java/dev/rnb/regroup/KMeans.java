package dev.rnb.regroup;

import dev.rnb.backend.Backend;
import dev.rnb.backend.ClusterOps.AssignStats;
import dev.rnb.backend.Tensor;

import java.util.Arrays;

/**
 * Lloyd's k-means on any backend: greedy k-means++ seeding
 * ({@link KMeansPlusPlus}, seeded, on the host, so every backend starts from
 * the same centroids), then assignment and
 * centroid passes on the backend, which return only a few scalars per
 * iteration; the assignment passes carry the backend's Hamerly bounds
 * ({@link Backend#assignNearestBounded}) from one to the next. A cluster left empty is re-seeded at the point farthest from its
 * centroid (then the next farthest, ...). Stops when no assignment changes,
 * when the inertia improves by at most {@code tolerance} (relative), or after
 * {@code maxIterations}. Spherical k-means works on unit rows and re-normalises
 * the centroids, so it clusters by cosine. With {@code restarts} &gt; 1 the
 * whole fit is repeated from independent seedings and the lowest inertia
 * kept: one plain k-means++ seeding lands two centroids in one well-separated
 * group often enough (about one fit in eight on six Gaussian blobs) to matter.
 */
public final class KMeans {

    /**
     * @param restarts         independent k-means++ fits, the lowest inertia kept (>= 1)
     * @param initialCentroids k x d starting centroids instead of k-means++ (null: k-means++; then one fit)
     */
    public record Options(int k, int maxIterations, double tolerance, boolean spherical, long seed, int restarts,
                          float[] initialCentroids) {
        public static Options of(int k, long seed) {
            return new Options(k, 100, 1e-4, false, seed, 1, null);
        }

        public Options spherical(boolean s) { return new Options(k, maxIterations, tolerance, s, seed, restarts, initialCentroids); }

        public Options tolerance(double t) { return new Options(k, maxIterations, t, spherical, seed, restarts, initialCentroids); }

        public Options maxIterations(int m) { return new Options(k, m, tolerance, spherical, seed, restarts, initialCentroids); }

        public Options restarts(int r) { return new Options(k, maxIterations, tolerance, spherical, seed, r, initialCentroids); }

        public Options withK(int newK) { return new Options(newK, maxIterations, tolerance, spherical, seed, restarts, null); }

        public Options initialCentroids(float[] c) { return new Options(k, maxIterations, tolerance, spherical, seed, restarts, c); }
    }

    /**
     * @param assignments cluster of each point
     * @param inertia     sum of squared distances of the points to their centroids
     * @param repairs     empty clusters re-seeded along the way
     */
    public record Result(int k, int d, float[] centroids, int[] assignments, double inertia, int iterations,
                         boolean converged, int repairs) {}

    private KMeans() {}

    public static Result fit(Backend backend, float[] x, int n, int d, Options options) {
        try (Points points = new Points(backend, x, n, d, options.spherical())) {
            return fit(points, options);
        }
    }

    public static Result fit(Points p, Options o) {
        int n = p.n, d = p.d, k = o.k();
        if (k < 1) {
            throw new IllegalArgumentException("k must be >= 1, got k = " + k);
        }
        if (k > n) {
            throw new IllegalArgumentException("k = " + k + " clusters exceeds the number of points N = " + n);
        }
        if (o.maxIterations() < 1 || !(o.tolerance() >= 0) || o.restarts() < 1) {
            throw new IllegalArgumentException("need maxIterations >= 1, tolerance >= 0 and restarts >= 1, got "
                    + o.maxIterations() + ", " + o.tolerance() + ", " + o.restarts());
        }
        if (o.initialCentroids() != null) {
            return lloyd(p, o, checkedInitial(o, d));
        }
        Result best = null;
        for (int r = 0; r < o.restarts(); r++) {
            // Restart r: the seed plus r golden-ratio steps (SplittableRandom's gamma), restart 0 the seed itself.
            Result fit = lloyd(p, o, seed(p, k, o.seed() + 0x9E3779B97F4A7C15L * r));
            // A later restart must win by more than rounding, so that restarts
            // reaching the same optimum resolve to the earliest on every backend.
            if (best == null || fit.inertia() < best.inertia() * (1 - 1e-6)) best = fit;
        }
        return best;
    }

    private static Result lloyd(Points p, Options o, float[] init) {
        int n = p.n, d = p.d, k = o.k();
        Backend b = p.backend;
        try (Tensor c = b.allocate((long) k * d); Tensor assign = b.allocate(n); Tensor minDist = b.allocate(n);
             Tensor counts = b.allocate(k); Tensor lower = b.allocate(n); Tensor lastCentroids = b.allocate((long) k * d)) {
            b.upload(init, 0, c, 0, init.length);
            float[] none = new float[n];
            Arrays.fill(none, -1f);
            b.upload(none, 0, assign, 0, n);
            Arrays.fill(none, Float.NEGATIVE_INFINITY);  // no bounds yet
            b.upload(none, 0, lower, 0, n);
            AssignStats stats = b.assignNearestBounded(p.x, p.norms, n, d, c, k, assign, minDist, lower, lastCentroids);
            int iterations = 0, repairs = 0;
            boolean converged = false;
            while (iterations < o.maxIterations()) {
                int empty = b.updateCentroids(p.x, n, d, assign, k, p.spherical, c, counts);
                int repaired = empty > 0 ? repair(p, c, counts, minDist, k) : 0;
                repairs += repaired;
                iterations++;
                double previous = stats.inertia();
                stats = b.assignNearestBounded(p.x, p.norms, n, d, c, k, assign, minDist, lower, lastCentroids);
                if (repaired == 0 && (stats.changed() == 0 || previous - stats.inertia() <= o.tolerance() * previous)) {
                    converged = true;
                    break;
                }
            }
            float[] centroids = new float[k * d];
            b.download(c, 0, centroids, 0, centroids.length);
            float[] labels = new float[n];
            b.download(assign, 0, labels, 0, n);
            int[] assignments = new int[n];
            for (int i = 0; i < n; i++) assignments[i] = (int) labels[i];
            return new Result(k, d, centroids, assignments, stats.inertia(), iterations, converged, repairs);
        }
    }

    private static float[] checkedInitial(Options o, int d) {
        if (o.initialCentroids().length != (long) o.k() * d) {
            throw new IllegalArgumentException("initial centroids hold " + o.initialCentroids().length + " floats, need k x d = " + o.k() + " x " + d);
        }
        return o.initialCentroids().clone();
    }

    /** The seeding {@link #fit} uses: greedy k-means++ ({@link KMeansPlusPlus#greedyTrials} trials a centroid). */
    public static float[] seed(Points p, int k, long seed) {
        return KMeansPlusPlus.seed(p, k, seed, KMeansPlusPlus.greedyTrials(k));
    }

    /**
     * Re-seeds each empty cluster at the point farthest from its centroid
     * (lowest index on ties), one point per empty cluster. Points already at
     * distance 0 cannot help (duplicates), so fewer clusters may be repaired.
     */
    private static int repair(Points p, Tensor c, Tensor counts, Tensor minDist, int k) {
        Backend b = p.backend;
        int n = p.n, d = p.d;
        float[] count = new float[k];
        b.download(counts, 0, count, 0, k);
        float[] dist = new float[n];
        b.download(minDist, 0, dist, 0, n);
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        Arrays.sort(order, (u, v) -> dist[u] != dist[v] ? Float.compare(dist[v], dist[u]) : Integer.compare(u, v));
        int next = 0, repaired = 0;
        for (int j = 0; j < k; j++) {
            if (count[j] != 0 || next >= n || dist[order[next]] <= 0) continue;
            b.upload(p.host, order[next] * d, c, (long) j * d, d);
            next++;
            repaired++;
        }
        return repaired;
    }
}
