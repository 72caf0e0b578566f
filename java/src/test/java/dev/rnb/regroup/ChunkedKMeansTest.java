package dev.rnb.regroup;

import dev.rnb.backend.Backend;
import dev.rnb.data.Npy;
import dev.rnb.testing.Rng;
import dev.rnb.testing.TestBackends;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** k-means over a .npy file read in chunks: the result is a k-means fixed point of the whole file, whatever the chunk size. */
class ChunkedKMeansTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "cuda-emulated"})
    void chunkedFitIsAFixedPointOfTheWholeFileForAnyChunkSize(String name) throws IOException {
        Rng rng = new Rng();
        boolean emulated = name.equals("cuda-emulated");
        int n = emulated ? 90 : 3001, d = 8, k = 4;
        Blobs blobs = new Blobs(rng, n, d, k, 6.0, 1.0);
        Path npy = Files.write(dir.resolve("x.npy"), Npy.encode(n, d, blobs.x));
        try (Backend b = TestBackends.openOrSkip(name)) {
            ChunkedKMeans.Result whole = null;
            for (int chunk : new int[] {n, 37, 1}) {
                if (emulated && chunk == 1) continue;
                ChunkedKMeans.Result r = ChunkedKMeans.fit(b, npy, new ChunkedKMeans.Options(k, chunk, Math.min(200, n), 50, 0.0, rng.seed));
                assertEquals(n, r.n());
                assertTrue(r.passes() >= 2, "a pass measures the centroids it started from: converging takes two " + rng);
                int[] assigned = new int[n];
                ChunkedKMeans.assign(b, npy, r.centroids(), k, chunk, (first, clusters, rows) -> {
                    for (int i = 0; i < rows; i++) assigned[(int) first + i] = (int) clusters[i];
                });
                // Every row sits with its nearest centroid, and each centroid is the mean of its rows.
                double[] sum = new double[k * d];
                long[] count = new long[k];
                for (int i = 0; i < n; i++) {
                    assertEquals(ChunkedKMeans.nearest(blobs.x, i, d, r.centroids(), k), assigned[i], "row " + i + " " + rng);
                    count[assigned[i]]++;
                    for (int t = 0; t < d; t++) sum[assigned[i] * d + t] += blobs.x[i * d + t];
                }
                for (int j = 0; j < k; j++) {
                    assertEquals(count[j], r.counts()[j], "cluster " + j + " " + rng);
                    for (int t = 0; t < d; t++) {
                        assertEquals(sum[j * d + t] / count[j], r.centroids()[j * d + t], 1e-4, "centroid " + j + " " + rng);
                    }
                }
                assertTrue(ClusterAgreement.adjustedRandIndex(assigned, blobs.labels) > 0.95, "ARI " + rng);
                if (whole == null) {
                    whole = r;
                } else {
                    assertEquals(whole.inertia(), r.inertia(), 1e-4 * whole.inertia(), "chunk size " + chunk + " " + rng);
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu"})
    void moreClustersThanRowsIsAnError(String name) throws IOException {
        Path npy = Files.write(dir.resolve("small.npy"), Npy.encode(3, 2, new float[] {1, 2, 3, 4, 5, 6}));
        try (Backend b = TestBackends.openOrSkip(name)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ChunkedKMeans.fit(b, npy, new ChunkedKMeans.Options(4, 2, 4, 5, 0, 1)));
            assertTrue(e.getMessage().contains("exceeds the number of rows N = 3"), e.getMessage());
        }
    }
}
