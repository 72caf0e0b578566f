package dev.rnb.backend;

import dev.rnb.testing.TestBackends;
import dev.rnb.backend.reference.ReferenceBackend;
import dev.rnb.testing.Compare;
import dev.rnb.testing.CoversKernels;
import dev.rnb.testing.Rng;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each ClusterOps operation of cpu and of the cuda launch code (emulated
 * kernels) against the reference, on fresh random inputs, with outputs
 * poisoned (NaN) first, ragged sizes, and a distance tile forced down to a
 * few rows (rnb.cluster.chunkFloats) so the chunk loop is exercised.
 */
@CoversKernels({"rnb_row_sq_norms", "rnb_normalize_rows", "rnb_kmeans_assign", "rnb_kmeans_update_sums",
        "rnb_kmeans_update_finish", "rnb_silhouette_rows"})
class ClusterOpsConformanceTest {
    private static final Backend REF = new ReferenceBackend();
    private static final int[][] CASES = {{1, 1, 1}, {37, 5, 3}, {70, 33, 9}, {9, 300, 9}, {130, 2, 40}};

    /** A fresh backend whose distance tiles hold only 64 floats. */
    private static Backend chunked(String name) {
        System.setProperty("rnb.cluster.chunkFloats", "64");
        try {
            return TestBackends.openOrSkip(name);
        } finally {
            System.clearProperty("rnb.cluster.chunkFloats");
        }
    }

    private static Tensor put(Backend b, float[] v) {
        Tensor t = b.allocate(v.length);
        b.upload(v, 0, t, 0, v.length);
        return t;
    }

    private static float[] poison(int n) {
        float[] p = new float[n];
        Arrays.fill(p, Float.NaN);
        return p;
    }

    private static float[] get(Backend b, Tensor t, int n) {
        float[] out = new float[n];
        b.download(t, 0, out, 0, n);
        return out;
    }

    @ParameterizedTest
    @FieldSource("dev.rnb.testing.TestBackends#UNDER_TEST")
    void normsAndNormalisation(String name) {
        Rng rng = new Rng();
        try (Backend b = chunked(name)) {
            for (int[] c : CASES) {
                int n = c[0], d = c[1];
                float[] x = rng.gaussian(n * d);
                Arrays.fill(x, 0, d, 0f); // an all-zero row stays zero
                float[][] results = new float[2][];
                float[][] normalised = new float[2][];
                Backend[] both = {REF, b};
                for (int i = 0; i < 2; i++) {
                    try (Tensor tx = put(both[i], x); Tensor out = put(both[i], poison(n))) {
                        both[i].rowSquaredNorms(tx, n, d, out);
                        results[i] = get(both[i], out, n);
                        both[i].normalizeRows(tx, n, d);
                        normalised[i] = get(both[i], tx, n * d);
                    }
                }
                Compare.close(results[1], results[0], 1e-5, name + " norms n=" + n + " d=" + d + " " + rng);
                Compare.close(normalised[1], normalised[0], 1e-5, name + " normalised n=" + n + " d=" + d + " " + rng);
            }
        }
    }

    @ParameterizedTest
    @FieldSource("dev.rnb.testing.TestBackends#UNDER_TEST")
    void assignUpdateAndSilhouette(String name) {
        Rng rng = new Rng();
        try (Backend b = chunked(name)) {
            for (int[] c : CASES) {
                int n = c[0], d = c[1], k = c[2];
                float[] x = rng.gaussian(n * d), centroids = rng.gaussian(k * d);
                float[] previous = new float[n];
                for (int i = 0; i < n; i++) previous[i] = rng.nextInt(k);
                Outcome want = run(REF, x, n, d, centroids, k, previous);
                Outcome got = run(b, x, n, d, centroids, k, previous);
                String what = name + " n=" + n + " d=" + d + " k=" + k + " " + rng;
                assertArrayEquals(want.assign, got.assign, what + ": assignments");
                assertEquals(want.stats.changed(), got.stats.changed(), what + ": changed");
                // Distances come from ||x||^2 - 2 x.c + ||c||^2 in float: the error scales with the points' and the
                // distances' magnitudes (a lone point near 0 far from its centroid has sumSquares ~ 0).
                assertEquals(want.stats.inertia(), got.stats.inertia(), 1e-4 * (want.sumSquares + want.stats.inertia()), what + ": inertia");
                // The GEMM identity's error scales with the squared norms, not the distance.
                double tolerance = 1e-5 * (1 + 2 * want.sumSquares / n);
                for (int i = 0; i < n; i++) {
                    assertEquals(want.minDist[i], got.minDist[i], tolerance, what + ": distance of row " + i);
                }
                assertEquals(want.empty, got.empty, what + ": empty clusters");
                assertArrayEquals(want.counts, got.counts, what + ": counts");
                Compare.close(got.centroids, want.centroids, 1e-5, what + ": centroids");
                Compare.close(got.unitCentroids, want.unitCentroids, 1e-5, what + ": spherical centroids");
                Compare.close(got.silhouette, want.silhouette, 1e-4, what + ": silhouette");
            }
        }
    }

    /**
     * A Lloyd loop through assignNearestBounded (Hamerly's bounds on cpu):
     * every pass must assign as the reference and as the device's own plain
     * pass from the same centroids, on clustered points (so the bounds settle
     * rows) of ragged shapes (tiles of a few rows and the automatic ones), k = 1,
     * k = n, duplicate rows, and a centroid moved far between passes (as the
     * empty-cluster repair does), with the parallel paths forced on.
     */
    @ParameterizedTest
    @FieldSource("dev.rnb.testing.TestBackends#UNDER_TEST")
    void boundedPassesAssignAsPlainLloyd(String name) {
        Rng rng = new Rng();
        // {n, d, k, duplicate rows?}
        int[][] cases = {{517, 13, 7, 0}, {700, 64, 40, 0}, {301, 5, 1, 0}, {45, 3, 45, 0}, {60, 4, 60, 1},
                {400, 9, 12, 1}, {97, 130, 5, 0}, {9, 2, 3, 0}};
        long threshold = dev.rnb.backend.cpu.ModelKernels.rnb_model_parallel_min_work();
        dev.rnb.backend.cpu.ModelKernels.rnb_model_set_parallel_min_work(0);
        long settled = 0;
        try (Backend tiny = chunked(name); Backend auto = TestBackends.openOrSkip(name)) {
            for (int[] c : cases) {
                // Elsewhere the default (the plain pass) runs, in the emulator slowly (an update launches
                // thousands of emulated blocks): three passes of the smallest cases there.
                if (!name.equals("cpu") && (long) c[0] * c[1] * c[2] > 20_000) continue;
                // Tiles of a few rows only where the bounds run (the emulator would launch thousands of chunks).
                for (Backend b : name.equals("cpu") ? new Backend[] {tiny, auto} : new Backend[] {auto}) {
                    settled += boundedLoop(b, rng, c[0], c[1], c[2], c[3] == 1, name.equals("cpu") ? 8 : 3, name + " n=" + c[0] + " d=" + c[1] + " k=" + c[2]
                            + (c[3] == 1 ? " duplicates" : "") + (b == tiny ? " tiles of few rows " : " ") + rng);
                }
            }
        } finally {
            dev.rnb.backend.cpu.ModelKernels.rnb_model_set_parallel_min_work(threshold);
        }
        if (name.equals("cpu")) assertTrue(settled > 0, "the bounds never settled a row: " + rng);
    }

    /**
     * Assignments equal but where two centroids tie within the float rounding
     * of the GEMM identity (duplicate rows make exact ties and, after an
     * update, ties to within an ulp): there either centroid is right.
     */
    private static void sameUpToTies(float[] want, float[] got, float[] x, float[] centroids, int d, double tolerance, String what) {
        for (int i = 0; i < want.length; i++) {
            if (want[i] == got[i]) continue;
            double a = sqDistance(x, i, centroids, (int) want[i], d), b = sqDistance(x, i, centroids, (int) got[i], d);
            assertEquals(a, b, tolerance, what + ": row " + i + " went to " + (int) got[i] + ", not " + (int) want[i]
                    + ", which is no tie");
        }
    }

    private static double sqDistance(float[] x, int row, float[] c, int j, int d) {
        double s = 0;
        for (int t = 0; t < d; t++) {
            double diff = (double) x[row * d + t] - c[j * d + t];
            s += diff * diff;
        }
        return s;
    }

    /** {@code passes} passes of a Lloyd loop on b with bounds; returns the rows the bounds settled. */
    private static long boundedLoop(Backend b, Rng rng, int n, int d, int k, boolean duplicates, int passes, String what) {
        int blobs = Math.max(1, Math.min(k, 8));
        float[] centres = rng.gaussian(blobs * d), x = rng.gaussian(n * d);
        for (int i = 0; i < n; i++) {
            int blob = rng.nextInt(blobs);
            for (int t = 0; t < d; t++) x[i * d + t] = 0.3f * x[i * d + t] + 4 * centres[blob * d + t];
        }
        if (duplicates) for (int i = n / 2; i < n; i++) System.arraycopy(x, (i % 7) * d, x, i * d, d);
        float[] init = java.util.Arrays.copyOf(x, k * d);
        float[] unknown = new float[n], none = new float[n];
        Arrays.fill(unknown, Float.NEGATIVE_INFINITY);
        Arrays.fill(none, -1f);
        long settled = 0;
        try (Tensor tx = put(b, x); Tensor norms = put(b, poison(n)); Tensor c = put(b, init); Tensor assign = put(b, none);
             Tensor dist = put(b, poison(n)); Tensor lower = put(b, unknown); Tensor last = put(b, poison(k * d));
             Tensor counts = put(b, poison(k)); Tensor plainAssign = put(b, poison(n)); Tensor plainDist = put(b, poison(n))) {
            b.rowSquaredNorms(tx, n, d, norms);
            for (int pass = 0; pass < passes; pass++) {
                float[] centroids = get(b, c, k * d), before = get(b, assign, n);
                ClusterOps.AssignStats got = b.assignNearestBounded(tx, norms, n, d, c, k, assign, dist, lower, last);
                settled += got.settled();
                b.upload(before, 0, plainAssign, 0, n);
                ClusterOps.AssignStats plain = b.assignNearest(tx, norms, n, d, c, k, plainAssign, plainDist);
                Outcome want;
                try (Tensor rx = put(REF, x); Tensor rc = put(REF, centroids); Tensor ra = put(REF, before);
                     Tensor rd = put(REF, poison(n))) {
                    ClusterOps.AssignStats stats = REF.assignNearest(rx, rx, n, d, rc, k, ra, rd);
                    want = new Outcome(stats, get(REF, ra, n), get(REF, rd, n), 0, null, null, null, null, 0);
                }
                String at = what + " pass " + pass;
                float[] assigned = get(b, assign, n);
                double sumSquares = 0;
                for (float v : x) sumSquares += (double) v * v;
                double tolerance = 1e-5 * (1 + 2 * sumSquares / n);
                sameUpToTies(want.assign, assigned, x, centroids, d, tolerance, at + ": assignments against the reference");
                sameUpToTies(get(b, plainAssign, n), assigned, x, centroids, d, tolerance, at + ": assignments against the plain pass");
                if (Arrays.equals(want.assign, assigned)) assertEquals(want.stats.changed(), got.changed(), at + ": changed");
                assertEquals(0, plain.settled(), at + ": a plain pass settles nothing");
                float[] distances = get(b, dist, n);
                for (int i = 0; i < n; i++) assertEquals(want.minDist[i], distances[i], tolerance, at + ": distance of row " + i);
                assertEquals(want.stats.inertia(), got.inertia(), 1e-4 * (sumSquares + want.stats.inertia()), at + ": inertia");
                b.updateCentroids(tx, n, d, assign, k, false, c, counts);
                if (pass == 4 && k > 1) b.upload(x, rng.nextInt(n) * d, c, (long) rng.nextInt(k) * d, d);  // a far move
            }
        }
        return settled;
    }

    private record Outcome(ClusterOps.AssignStats stats, float[] assign, float[] minDist, int empty, float[] counts,
                           float[] centroids, float[] unitCentroids, float[] silhouette, double sumSquares) {}

    private static Outcome run(Backend b, float[] x, int n, int d, float[] c0, int k, float[] previous) {
        try (Tensor tx = put(b, x); Tensor norms = put(b, poison(n)); Tensor c = put(b, c0); Tensor assign = put(b, previous);
             Tensor dist = put(b, poison(n)); Tensor counts = put(b, poison(k)); Tensor c2 = put(b, c0);
             Tensor sil = put(b, poison(n))) {
            b.rowSquaredNorms(tx, n, d, norms);
            ClusterOps.AssignStats stats = b.assignNearest(tx, norms, n, d, c, k, assign, dist);
            int empty = b.updateCentroids(tx, n, d, assign, k, false, c, counts);
            b.updateCentroids(tx, n, d, assign, k, true, c2, counts);
            b.silhouette(tx, norms, n, d, assign, k, sil);
            double sumSquares = 0;
            for (float v : x) sumSquares += (double) v * v;
            return new Outcome(stats, get(b, assign, n), get(b, dist, n), empty, get(b, counts, k), get(b, c, k * d),
                    get(b, c2, k * d), get(b, sil, n), sumSquares);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"reference", "cpu", "cuda-emulated", "cuda"})
    void shapeErrorsAreClear(String name) {
        try (Backend b = name.equals("reference") ? new ReferenceBackend() : TestBackends.openOrSkip(name);
             Tensor x = b.allocate(10); Tensor small = b.allocate(2)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.rowSquaredNorms(x, 5, 3, small));
            assertTrue(e.getMessage().contains("n*d = 15"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> b.assignNearest(x, x, 5, 2, small, 2, x, x));
            assertTrue(e.getMessage().contains("k*d = 4"), e.getMessage());
        }
    }
}
