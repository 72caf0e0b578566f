package dev.rnb.bench;

import dev.rnb.backend.Backend;
import dev.rnb.backend.Backends;
import dev.rnb.data.Npy;
import dev.rnb.regroup.ChunkedKMeans;
import dev.rnb.regroup.ClusterAgreement;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Regroup's k-means on an embedding file larger than the heap (issue #7):
 * writes N x d float32 Gaussian blobs (k centres, row i from blob i mod k) to
 * a .npy in chunks if the file is absent, clusters it with
 * {@link ChunkedKMeans}, and prints the time, the peak heap, the peak
 * resident memory and the agreement with the blobs on every 20th row.
 *
 * <pre>java -Xmx256m -cp benchmarks/target/benchmarks.jar dev.rnb.bench.ChunkedKMeansRun FILE N d k [chunkRows]</pre>
 */
public final class ChunkedKMeansRun {
    private ChunkedKMeansRun() {}

    public static void main(String[] args) throws IOException {
        Path file = Path.of(args[0]);
        long n = Long.parseLong(args[1]);
        int d = Integer.parseInt(args[2]), k = Integer.parseInt(args[3]);
        int chunkRows = args.length > 4 ? Integer.parseInt(args[4]) : 1 << 18;
        if (!Files.exists(file)) {
            long t0 = System.nanoTime();
            writeBlobs(file, n, d, k);
            System.out.printf(Locale.ROOT, "wrote %s: %d x %d (%.2f GB) in %.1f s%n", file, n, d, n * d * 4 / 1e9, (System.nanoTime() - t0) / 1e9);
        }
        try (Backend b = Backends.open("cpu")) {
            long t0 = System.nanoTime();
            ChunkedKMeans.Result r = ChunkedKMeans.fit(b, file, new ChunkedKMeans.Options(k, chunkRows, 100_000, 20, 1e-4, 1));
            double fitSeconds = (System.nanoTime() - t0) / 1e9;
            int stride = 20;
            int[] found = new int[(int) ((n + stride - 1) / stride)], truth = new int[found.length];
            ChunkedKMeans.assign(b, file, r.centroids(), k, chunkRows, (first, clusters, rows) -> {
                for (int i = 0; i < rows; i++) {
                    long row = first + i;
                    if (row % stride == 0) {
                        found[(int) (row / stride)] = (int) clusters[i];
                        truth[(int) (row / stride)] = (int) (row % k);
                    }
                }
            });
            System.out.printf(Locale.ROOT, "N = %d, d = %d, k = %d, chunks of %d rows: %d passes in %.1f s (%.2f s per pass), inertia %.4g; "
                            + "ARI against the blobs on every %dth row: %.4f; max heap %d MiB, peak heap used %d MiB, peak resident %s%n",
                    n, d, k, chunkRows, r.passes(), fitSeconds, fitSeconds / (r.passes() + 1), r.inertia(), stride,
                    ClusterAgreement.adjustedRandIndex(found, truth), Runtime.getRuntime().maxMemory() >> 20, peakHeap() >> 20, peakResident());
        }
    }

    private static void writeBlobs(Path file, long n, int d, int k) throws IOException {
        SplittableRandom random = new SplittableRandom(5);
        float[] centres = new float[k * d];
        for (int i = 0; i < centres.length; i++) centres[i] = (float) (8 * random.nextGaussian());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (OutputStream out = Files.newOutputStream(tmp)) {
            byte[] h = Npy.headerBytes(n, d);
            out.write(h);
            ByteBuffer buf = ByteBuffer.allocate(d * 4 * 4096).order(ByteOrder.LITTLE_ENDIAN);
            for (long row = 0; row < n; row++) {
                int c = (int) (row % k);
                for (int t = 0; t < d; t++) buf.putFloat((float) (centres[c * d + t] + random.nextGaussian()));
                if (!buf.hasRemaining()) {
                    out.write(buf.array(), 0, buf.position());
                    buf.clear();
                }
            }
            out.write(buf.array(), 0, buf.position());
        }
        Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private static long peakHeap() {
        long sum = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) sum += pool.getPeakUsage().getUsed();
        }
        return sum;
    }

    private static String peakResident() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) return line.substring(6).trim();
        }
        return "n/a";
    }
}
