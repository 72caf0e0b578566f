package dev.rnb.backend.cuda;

import dev.rnb.backend.ClusterOps.AssignStats;

/**
 * The cuda backend's k-means and silhouette launch code (kernels of
 * cuda/row_norms.cu, kmeans_assign.cu, kmeans_update.cu, silhouette.cu;
 * contracts in cuda/KERNELS.md). Distances come from cuBLAS a chunk of rows
 * at a time into a bounded scratch tile. Per Lloyd iteration only the
 * assignment stats (16 bytes) and the empty-cluster count (4 bytes) cross to
 * the host; points, centroids and assignments stay on the device.
 */
final class CudaClusterOps implements AutoCloseable {
    /** Distance tile: 2^24 floats (64 MiB) per chunk of rows unless rnb.cluster.chunkFloats says otherwise. */
    private final long chunkFloats = Long.getLong("rnb.cluster.chunkFloats", 1L << 24);
    /** rnb_silhouette_rows keeps k doubles in shared memory; 48 KiB holds 6144. */
    static final int MAX_SILHOUETTE_K = 6144;
    private static final int THREADS = 256, ROWS_PER_BLOCK = 8, MAX_GRID_Y = 65535;
    private static final int DOTS = 0, C_NORM = 1, STATS = 2, SUMS = 3, COUNTS = 4, EMPTY = 5, SIZES = 6;

    private final CudaDriver driver;
    private final Scratch scratch;

    CudaClusterOps(CudaDriver driver) {
        this.driver = driver;
        this.scratch = new Scratch(driver, 7);
    }

    private int chunkRows(int n, int width) {
        return (int) Math.max(1, Math.min(n, chunkFloats / Math.max(1, width)));
    }

    void rowSquaredNorms(long x, int n, int d, long out) {
        driver.launch("rnb_row_sq_norms", Dim3.of(Dim3.blocks(n, ROWS_PER_BLOCK)), Dim3.of(THREADS), 0,
                new KernelArgs().ptr(x).i32(n).i32(d).ptr(out));
    }

    void normalizeRows(long x, int n, int d) {
        driver.launch("rnb_normalize_rows", Dim3.of(Dim3.blocks(n, ROWS_PER_BLOCK)), Dim3.of(THREADS), 0,
                new KernelArgs().ptr(x).i32(n).i32(d));
    }

    AssignStats assign(long x, long xNorms, int n, int d, long centroids, int k, long assign, long minDist) {
        int chunk = chunkRows(n, k);
        long dots = scratch.get(DOTS, (long) chunk * k * Float.BYTES);
        long cNorm = scratch.get(C_NORM, (long) k * Float.BYTES);
        long stats = scratch.get(STATS, 16); // double inertia, then unsigned long long changed
        driver.memsetZero(stats, 16);
        rowSquaredNorms(centroids, k, d, cNorm);
        for (int r0 = 0; r0 < n; r0 += chunk) {
            int rows = Math.min(chunk, n - r0);
            driver.blas().sgemm(false, true, rows, k, d, -2f, x + (long) r0 * d * Float.BYTES, d, centroids, d, 0f, dots, k);
            driver.launch("rnb_kmeans_assign", Dim3.of(Dim3.blocks(rows, ROWS_PER_BLOCK)), Dim3.of(THREADS), 0,
                    new KernelArgs().ptr(dots).ptr(xNorms + (long) r0 * Float.BYTES).ptr(cNorm).i32(rows).i32(k)
                            .ptr(assign + (long) r0 * Float.BYTES).ptr(minDist + (long) r0 * Float.BYTES)
                            .ptr(stats).ptr(stats + 8));
        }
        int[] words = new int[4];
        driver.copyToHost(words, 0, stats, 4);
        double inertia = Double.longBitsToDouble((words[0] & 0xFFFFFFFFL) | ((long) words[1] << 32));
        long changed = (words[2] & 0xFFFFFFFFL) | ((long) words[3] << 32);
        return new AssignStats(inertia, changed);
    }

    int update(long x, int n, int d, long assign, int k, boolean normalize, long centroids, long counts) {
        long sums = scratch.get(SUMS, (long) k * d * Float.BYTES);
        long empty = scratch.get(EMPTY, Integer.BYTES);
        driver.memsetZero(sums, (long) k * d * Float.BYTES);
        driver.memsetZero(counts, (long) k * Float.BYTES);
        driver.memsetZero(empty, Integer.BYTES);
        int columnBlocks = Dim3.blocks(d, THREADS);
        // Enough row slices to fill the device (~2048 blocks) when d is small.
        int slices = (int) Math.max(1, Math.min(Math.min(n, MAX_GRID_Y), 2048L / columnBlocks));
        driver.launch("rnb_kmeans_update_sums", Dim3.of(columnBlocks, slices), Dim3.of(THREADS), 0,
                new KernelArgs().ptr(x).ptr(assign).i32(n).i32(d).ptr(sums).ptr(counts));
        driver.launch("rnb_kmeans_update_finish", Dim3.of(k), Dim3.of(THREADS), 0,
                new KernelArgs().ptr(sums).ptr(counts).i32(k).i32(d).i32(normalize ? 1 : 0).ptr(centroids).ptr(empty));
        int[] out = new int[1];
        driver.copyToHost(out, 0, empty, 1);
        return out[0];
    }

    void silhouette(long x, long norms, int m, int d, long labels, int k, long out) {
        if (k > MAX_SILHOUETTE_K) {
            throw new IllegalArgumentException("silhouette on the cuda backend supports k <= " + MAX_SILHOUETTE_K + ", got k = " + k);
        }
        // Cluster sizes: the m labels of the sample are small next to the m x m distances.
        float[] labelsHost = new float[m];
        driver.copyToHost(labelsHost, 0, labels, m);
        float[] size = new float[k];
        for (float l : labelsHost) size[(int) l]++;
        long sizes = scratch.floats(SIZES, size);
        int chunk = Math.min(chunkRows(m, m), MAX_GRID_Y);
        long dots = scratch.get(DOTS, (long) chunk * m * Float.BYTES);
        for (int r0 = 0; r0 < m; r0 += chunk) {
            int rows = Math.min(chunk, m - r0);
            driver.blas().sgemm(false, true, rows, m, d, -2f, x + (long) r0 * d * Float.BYTES, d, x, d, 0f, dots, m);
            driver.launch("rnb_silhouette_rows", Dim3.of(rows), Dim3.of(THREADS), k * Double.BYTES,
                    new KernelArgs().ptr(dots).ptr(norms).i32(r0).i32(rows).i32(m).ptr(labels).i32(k).ptr(sizes)
                            .ptr(out + (long) r0 * Float.BYTES));
        }
    }

    @Override
    public void close() {
        scratch.close();
    }
}
