package dev.rnb.bench;

import dev.rnb.backend.Backend;
import dev.rnb.backend.Backends;
import dev.rnb.backend.ClusterOps.AssignStats;
import dev.rnb.backend.Tensor;
import dev.rnb.regroup.KMeans;
import dev.rnb.regroup.Points;

import java.util.Arrays;
import java.util.Locale;

/**
 * Where one k-means fit's time goes on a backend (issue #16): the k-means++
 * seeding, then Lloyd's passes called one by one through the backend so each
 * is timed apart (assignment, centroid update), and the assignment's distance GEMM alone (N x k x d SGEMM of all
 * rows at once, the floor of a plain assignment pass). The points are
 * {@link KMeansComparison}'s Gaussian blobs.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar dev.rnb.bench.KMeansProfile [N d k passes backend]</pre>
 */
public final class KMeansProfile {
    private KMeansProfile() {}

    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int d = args.length > 1 ? Integer.parseInt(args[1]) : 64;
        int k = args.length > 2 ? Integer.parseInt(args[2]) : 100;
        int passes = args.length > 3 ? Integer.parseInt(args[3]) : 26;
        String backendName = args.length > 4 ? args[4] : "cpu";
        float[] x = KMeansComparison.blobs(n, d, k, 7);
        try (Backend b = Backends.open(backendName); Points points = new Points(b, x, n, d, false);
             Tensor xs = b.allocate((long) n * d); Tensor norms = b.allocate(n); Tensor c = b.allocate((long) k * d);
             Tensor assign = b.allocate(n); Tensor minDist = b.allocate(n); Tensor counts = b.allocate(k);
             Tensor dots = b.allocate((long) n * k); Tensor lower = b.allocate(n); Tensor last = b.allocate((long) k * d)) {
            b.upload(x, 0, xs, 0, x.length);
            b.rowSquaredNorms(xs, n, d, norms);
            for (int round = 0; round < 3; round++) {
                long t0 = System.nanoTime();
                float[] init = KMeans.seed(points, k, 1000 + round);
                double seeding = (System.nanoTime() - t0) / 1e9;
                Lloyd plain = lloyd(b, xs, norms, n, d, k, c, assign, minDist, counts, null, null, init, passes);
                Lloyd bounded = lloyd(b, xs, norms, n, d, k, c, assign, minDist, counts, lower, last, init, passes);
                b.upload(init, 0, c, 0, init.length);
                long g0 = System.nanoTime();
                for (int p = 0; p < passes; p++) b.gemm(false, true, n, k, d, -2f, xs, d, c, d, 0f, dots, k);
                double gemmS = (System.nanoTime() - g0) / 1e9;
                System.out.printf(Locale.ROOT, "round %d: seeding %.3f s | distance GEMMs alone %.3f s | %d updates %.3f s%n",
                        round, seeding, gemmS, passes - 1, plain.updateS);
                System.out.printf(Locale.ROOT, "  plain passes %.3f s (%.2fx the GEMMs), inertia %.6g%n",
                        plain.assignS, plain.assignS / gemmS, plain.inertia);
                System.out.printf(Locale.ROOT, "  bounded passes %.3f s (%.2fx the GEMMs), inertia %.6g, rows settled by the bounds per pass: %s%n",
                        bounded.assignS, bounded.assignS / gemmS, bounded.inertia, bounded.settled);
            }
        }
    }

    private record Lloyd(double assignS, double updateS, double inertia, String settled) {}

    /** {@code passes} assignment passes from {@code init} (bounded when lower is given), each but the last followed by an update. */
    private static Lloyd lloyd(Backend b, Tensor xs, Tensor norms, int n, int d, int k, Tensor c, Tensor assign, Tensor minDist,
                               Tensor counts, Tensor lower, Tensor last, float[] init, int passes) {
        b.upload(init, 0, c, 0, init.length);
        float[] fill = new float[n];
        Arrays.fill(fill, -1f);
        b.upload(fill, 0, assign, 0, n);
        if (lower != null) {
            Arrays.fill(fill, Float.NEGATIVE_INFINITY);
            b.upload(fill, 0, lower, 0, n);
        }
        double assignS = 0, updateS = 0, inertia = 0;
        StringBuilder settled = new StringBuilder();
        for (int p = 0; p < passes; p++) {
            long a0 = System.nanoTime();
            AssignStats s = lower == null ? b.assignNearest(xs, norms, n, d, c, k, assign, minDist)
                    : b.assignNearestBounded(xs, norms, n, d, c, k, assign, minDist, lower, last);
            long a1 = System.nanoTime();
            inertia = s.inertia();
            settled.append(p == 0 ? "" : " ").append(s.settled());
            if (p + 1 < passes) b.updateCentroids(xs, n, d, assign, k, false, c, counts);
            long a2 = System.nanoTime();
            assignS += (a1 - a0) / 1e9;
            updateS += (a2 - a1) / 1e9;
        }
        return new Lloyd(assignS, updateS, inertia, settled.toString());
    }
}
