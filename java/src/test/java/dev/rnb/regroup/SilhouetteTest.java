package dev.rnb.regroup;

import dev.rnb.testing.TestBackends;
import dev.rnb.backend.Backend;
import dev.rnb.backend.reference.ReferenceBackend;
import dev.rnb.testing.CoversKernels;
import dev.rnb.testing.Rng;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The backends' silhouette against a direct O(N^2) computation written here. */
@CoversKernels({"rnb_silhouette_rows"})
class SilhouetteTest {
    private static final Map<String, Backend> OPEN = new HashMap<>();

    static synchronized Backend backend(String name) {
        return name.equals("reference") ? new ReferenceBackend() : OPEN.computeIfAbsent(name, TestBackends::openOrSkip);
    }

    @AfterAll
    static void closeAll() {
        OPEN.values().forEach(Backend::close);
        OPEN.clear();
    }

    /** Textbook silhouette, straight from the definition. */
    static double direct(float[] x, int n, int d, int[] labels, int k) {
        double total = 0;
        for (int i = 0; i < n; i++) {
            double[] sum = new double[k];
            int[] size = new int[k];
            for (int j = 0; j < n; j++) {
                size[labels[j]]++;
                if (j == i) continue;
                double s = 0;
                for (int c = 0; c < d; c++) {
                    double t = (double) x[i * d + c] - x[j * d + c];
                    s += t * t;
                }
                sum[labels[j]] += Math.sqrt(s);
            }
            if (size[labels[i]] <= 1) continue;
            double a = sum[labels[i]] / (size[labels[i]] - 1), b = Double.MAX_VALUE;
            for (int c = 0; c < k; c++) {
                if (c != labels[i] && size[c] > 0) b = Math.min(b, sum[c] / size[c]);
            }
            if (b == Double.MAX_VALUE) continue;
            total += (b - a) / Math.max(a, b);
        }
        return total / n;
    }

    @ParameterizedTest
    @ValueSource(strings = {"reference", "cpu", "cuda-emulated", "cuda"})
    void matchesDirectComputation(String name) {
        Backend b = backend(name);
        Rng rng = new Rng();
        // {n, d, k}: ragged, k = 1 (all zeros), singletons, an empty cluster id.
        int[][] cases = {{40, 3, 3}, {97, 17, 5}, {10, 2, 1}, {12, 4, 12}, {33, 40, 6}};
        for (int[] c : cases) {
            int n = c[0], d = c[1], k = c[2];
            Blobs blobs = new Blobs(rng, n, d, k, 2, 1);
            int[] labels = blobs.labels.clone();
            if (k == 6) for (int i = 0; i < n; i++) if (labels[i] == 5) labels[i] = 4; // cluster 5 empty
            try (Points p = new Points(b, blobs.x, n, d, false)) {
                double got = Silhouette.score(p, labels, k, 1000, 1);
                double want = direct(blobs.x, n, d, labels, k);
                assertEquals(want, got, 1e-4 * Math.max(1, Math.abs(want)), name + " n=" + n + " k=" + k + " " + rng);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu"})
    void sampledEstimateIsCloseAndSeeded(String name) {
        Rng rng = new Rng();
        Blobs blobs = new Blobs(rng, 1500, 8, 4, 2, 1);
        try (Points p = new Points(backend(name), blobs.x, 1500, 8, false)) {
            double exact = Silhouette.score(p, blobs.labels, 4, 1500, 1);
            double a = Silhouette.score(p, blobs.labels, 4, 400, 7), again = Silhouette.score(p, blobs.labels, 4, 400, 7);
            assertEquals(a, again, "same seed, same sample");
            assertTrue(Math.abs(a - exact) < 0.05, "sample " + a + " vs exact " + exact + " " + rng);
        }
    }
}
