package dev.rnb.regroup;

import dev.rnb.backend.Backend;
import dev.rnb.backend.ClusterOps;
import dev.rnb.backend.Tensor;
import dev.rnb.data.CorpusFormatException;
import dev.rnb.data.Npy;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;

/**
 * k-means over a float32 .npy matrix larger than memory. The file is read in
 * chunks of rows; each chunk goes to the backend, is assigned to the nearest
 * centroid ({@link ClusterOps#assignNearest}) and reduced to per-cluster means
 * and counts ({@link ClusterOps#updateCentroids}), which the host sums in
 * double. Only one chunk, the k x d centroids and k counts are ever held, so
 * memory does not grow with N. Seeding is {@link KMeans} (k-means++, Lloyd,
 * repair, restarts) on a uniform sample of rows; a cluster that receives no
 * row in a pass keeps its centroid. Stops when the inertia improves by less
 * than {@code tolerance} (relative) or after {@code maxIterations} passes.
 */
public final class ChunkedKMeans {
    public record Options(int k, int chunkRows, int sampleRows, int maxIterations, double tolerance, long seed) {
        public Options {
            if (k < 1 || chunkRows < 1 || sampleRows < k || maxIterations < 1 || !(tolerance >= 0)) {
                throw new IllegalArgumentException("need k >= 1, chunkRows >= 1, sampleRows >= k, maxIterations >= 1, tolerance >= 0");
            }
        }
    }

    public record Result(long n, int d, int k, float[] centroids, long[] counts, double inertia, int passes) {}

    /** Receives the cluster of each row, in file order, chunk by chunk. */
    @FunctionalInterface
    public interface AssignmentSink {
        void accept(long firstRow, float[] clusters, int rows) throws IOException;
    }

    private ChunkedKMeans() {}

    public static Result fit(Backend backend, Path npy, Options o) {
        try (FileChannel ch = FileChannel.open(npy, StandardOpenOption.READ)) {
            Npy.Header h = Npy.header(npy, ch);
            if (h.rows() < o.k()) {
                throw new IllegalArgumentException("k = " + o.k() + " clusters exceeds the number of rows N = " + h.rows() + " of " + npy);
            }
            int d = Math.toIntExact(h.cols());
            float[] centroids = seed(backend, npy, ch, h, o);
            try (Chunk c = new Chunk(backend, o.chunkRows(), d, o.k())) {
                double previous = Double.POSITIVE_INFINITY, inertia = 0;
                long[] counts = new long[o.k()];
                int pass = 0;
                while (pass < o.maxIterations()) {
                    pass++;
                    double[] sums = new double[o.k() * d];
                    java.util.Arrays.fill(counts, 0);
                    inertia = 0;
                    c.setCentroids(centroids);
                    for (long first = 0; first < h.rows(); first += o.chunkRows()) {
                        int rows = (int) Math.min(o.chunkRows(), h.rows() - first);
                        inertia += c.assign(npy, ch, h, first, rows);
                        c.accumulateMeans(rows, sums, counts);
                    }
                    for (int j = 0; j < o.k(); j++) {
                        if (counts[j] == 0) continue;
                        for (int i = 0; i < d; i++) centroids[j * d + i] = (float) (sums[j * d + i] / counts[j]);
                    }
                    // The inertia of a pass is that of the centroids it started from, so two passes are the least.
                    if (pass > 1 && previous - inertia <= o.tolerance() * previous) break;
                    previous = inertia;
                }
                // The inertia reported is that of the final centroids.
                inertia = 0;
                c.setCentroids(centroids);
                for (long first = 0; first < h.rows(); first += o.chunkRows()) {
                    int rows = (int) Math.min(o.chunkRows(), h.rows() - first);
                    inertia += c.assign(npy, ch, h, first, rows);
                }
                return new Result(h.rows(), d, o.k(), centroids, counts, inertia, pass);
            }
        } catch (IOException e) {
            throw CorpusFormatException.unreadable(npy, e);
        }
    }

    /** Streams the nearest centroid of every row to {@code sink}. */
    public static void assign(Backend backend, Path npy, float[] centroids, int k, int chunkRows, AssignmentSink sink) throws IOException {
        try (FileChannel ch = FileChannel.open(npy, StandardOpenOption.READ)) {
            Npy.Header h = Npy.header(npy, ch);
            int d = Math.toIntExact(h.cols());
            try (Chunk c = new Chunk(backend, chunkRows, d, k)) {
                float[] clusters = new float[chunkRows];
                c.setCentroids(centroids);
                for (long first = 0; first < h.rows(); first += chunkRows) {
                    int rows = (int) Math.min(chunkRows, h.rows() - first);
                    c.assign(npy, ch, h, first, rows);
                    backend.download(c.assign, 0, clusters, 0, rows);
                    sink.accept(first, clusters, rows);
                }
            }
        }
    }

    /** k-means on sampleRows rows drawn uniformly without replacement (all rows when there are fewer). */
    private static float[] seed(Backend backend, Path npy, FileChannel ch, Npy.Header h, Options o) throws IOException {
        int d = Math.toIntExact(h.cols());
        float[] x = sampleRows(npy, ch, h, o.sampleRows(), o.seed());
        return KMeans.fit(backend, x, x.length / d, d, KMeans.Options.of(o.k(), o.seed()).restarts(3)).centroids();
    }

    /** Up to {@code m} rows of the file drawn uniformly without replacement, row-major, in file order. */
    static float[] sampleRows(Path npy, FileChannel ch, Npy.Header h, int m, long seed) throws IOException {
        int d = Math.toIntExact(h.cols());
        long[] picked = sample(h.rows(), (int) Math.min(m, h.rows()), seed);
        float[] x = new float[picked.length * d], row = new float[d];
        for (int i = 0; i < picked.length; i++) {
            Npy.readRows(npy, ch, h, picked[i], 1, row);
            System.arraycopy(row, 0, x, i * d, d);
        }
        return x;
    }

    /** m distinct row indices in increasing order (Floyd's algorithm, then sorted for sequential reads). */
    private static long[] sample(long n, int m, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        java.util.HashSet<Long> chosen = new java.util.HashSet<>();
        for (long j = n - m; j < n; j++) {
            long t = random.nextLong(j + 1);
            chosen.add(chosen.contains(t) ? j : t);
        }
        return chosen.stream().mapToLong(Long::longValue).sorted().toArray();
    }

    /** The index of the centroid nearest to row i of x (squared Euclidean distance, in double), on the host. */
    static int nearest(float[] x, int i, int d, float[] c, int k) {
        int best = 0;
        double bestDist = Double.POSITIVE_INFINITY;
        for (int j = 0; j < k; j++) {
            double s = 0;
            for (int t = 0; t < d; t++) {
                double diff = x[i * d + t] - c[j * d + t];
                s += diff * diff;
            }
            if (s < bestDist) {
                bestDist = s;
                best = j;
            }
        }
        return best;
    }

    /** One chunk's buffers on the backend, reused for every chunk. */
    private static final class Chunk implements AutoCloseable {
        final Backend b;
        final int d, k;
        final float[] host;
        final Tensor x, norms, assign, minDist, centroids, chunkMeans, counts;
        final float[] means, chunkCounts;

        Chunk(Backend b, int chunkRows, int d, int k) {
            this.b = b;
            this.d = d;
            this.k = k;
            host = new float[Math.multiplyExact(chunkRows, d)];
            x = b.allocate((long) chunkRows * d);
            norms = b.allocate(chunkRows);
            assign = b.allocate(chunkRows);
            minDist = b.allocate(chunkRows);
            centroids = b.allocate((long) k * d);
            chunkMeans = b.allocate((long) k * d);
            counts = b.allocate(k);
            means = new float[k * d];
            chunkCounts = new float[k];
        }

        /** The centroids the following chunks are assigned to (once per pass, not per chunk). */
        void setCentroids(float[] c) {
            b.upload(c, 0, centroids, 0, k * d);
        }

        /** Reads rows, assigns them to the nearest centroid; returns their inertia. */
        double assign(Path npy, FileChannel ch, Npy.Header h, long first, int rows) throws IOException {
            Npy.readRows(npy, ch, h, first, rows, host);
            b.upload(host, 0, x, 0, rows * d);
            b.rowSquaredNorms(x, rows, d, norms);
            return b.assignNearest(x, norms, rows, d, centroids, k, assign, minDist).inertia();
        }

        /** Adds this chunk's per-cluster sums (mean times count) and counts; clusters without rows here are skipped. */
        void accumulateMeans(int rows, double[] sums, long[] total) {
            b.updateCentroids(x, rows, d, assign, k, false, chunkMeans, counts);
            b.download(chunkMeans, 0, means, 0, k * d);
            b.download(counts, 0, chunkCounts, 0, k);
            for (int j = 0; j < k; j++) {
                long n = (long) chunkCounts[j];
                if (n == 0) continue;
                total[j] += n;
                for (int i = 0; i < d; i++) sums[j * d + i] += (double) means[j * d + i] * n;
            }
        }

        @Override
        public void close() {
            for (Tensor t : new Tensor[] {x, norms, assign, minDist, centroids, chunkMeans, counts}) t.close();
        }
    }
}
