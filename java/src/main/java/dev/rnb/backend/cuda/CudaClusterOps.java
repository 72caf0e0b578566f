package dev.rnb.backend.cuda;

import dev.rnb.backend.ClusterOps;
import dev.rnb.backend.Tensor;

import static dev.rnb.backend.cuda.DeviceTensor.address;

/**
 * The cuda backend's k-means and silhouette launch code (kernels of
 * cuda/row_norms.cu, kmeans_assign.cu, kmeans_update.cu, silhouette.cu;
 * contracts in cuda/KERNELS.md). Distances come from cuBLAS a chunk of rows
 * at a time into a bounded scratch tile. Per Lloyd iteration only the
 * assignment stats (16 bytes) and the empty-cluster count (4 bytes) cross to
 * the host; points, centroids and assignments stay on the device.
 */
final class CudaClusterOps implements ClusterOps, AutoCloseable {
    /** Distance tile: 2^24 floats (64 MiB) per chunk of rows unless rnb.cluster.chunkFloats says otherwise. */
    private final long chunkFloats = Long.getLong("rnb.cluster.chunkFloats", 1L << 24);
    /** rnb_silhouette_rows keeps k doubles in shared memory; 48 KiB holds 6144. */
    static final int MAX_SILHOUETTE_K = 6144;
    private static final int THREADS = 256, ROWS_PER_BLOCK = 8, MAX_GRID_Y = 65535;
    private static final int DOTS = 0, C_NORM = 1, STATS = 2, SUMS = 3, COUNTS = 4, EMPTY = 5, SIZES = 6;

    private final CudaDevice device;
    private final Scratch scratch;

    CudaClusterOps(CudaDevice device) {
        this.device = device;
        this.scratch = new Scratch(device, 7);
    }

    private int chunkRows(int n, int width) {
        return (int) Math.max(1, Math.min(n, chunkFloats / Math.max(1, width)));
    }

    @Override
    public void rowSquaredNorms(Tensor x, int n, int d, Tensor out) {
        launchRowSquaredNorms(address(x), n, d, address(out));
    }

    private void launchRowSquaredNorms(long x, int n, int d, long out) {
        device.launch("rnb_row_sq_norms", Dim3.of(Dim3.blocks(n, ROWS_PER_BLOCK)), Dim3.of(THREADS), 0,
                new KernelArgs().ptr(x).i32(n).i32(d).ptr(out));
    }

    @Override
    public void normalizeRows(Tensor x, int n, int d) {
        device.launch("rnb_normalize_rows", Dim3.of(Dim3.blocks(n, ROWS_PER_BLOCK)), Dim3.of(THREADS), 0,
                new KernelArgs().ptr(address(x)).i32(n).i32(d));
    }

    @Override
    public AssignStats assignNearest(Tensor xs, Tensor xNormsT, int n, int d, Tensor cs, int k, Tensor as, Tensor ds) {
        long x = address(xs), xNorms = address(xNormsT), centroids = address(cs), assign = address(as), minDist = address(ds);
        int chunk = chunkRows(n, k);
        long dots = scratch.get(DOTS, (long) chunk * k * Float.BYTES);
        long cNorm = scratch.get(C_NORM, (long) k * Float.BYTES);
        long stats = scratch.get(STATS, 16); // double inertia, then unsigned long long changed
        device.memsetZero(stats, 16);
        launchRowSquaredNorms(centroids, k, d, cNorm);
        for (int r0 = 0; r0 < n; r0 += chunk) {
            int rows = Math.min(chunk, n - r0);
            device.blas().sgemm(false, true, rows, k, d, -2f, x + (long) r0 * d * Float.BYTES, d, centroids, d, 0f, dots, k);
            device.launch("rnb_kmeans_assign", Dim3.of(Dim3.blocks(rows, ROWS_PER_BLOCK)), Dim3.of(THREADS), 0,
                    new KernelArgs().ptr(dots).ptr(xNorms + (long) r0 * Float.BYTES).ptr(cNorm).i32(rows).i32(k)
                            .ptr(assign + (long) r0 * Float.BYTES).ptr(minDist + (long) r0 * Float.BYTES)
                            .ptr(stats).ptr(stats + 8));
        }
        int[] words = new int[4];
        device.copyToHost(words, 0, stats, 4);
        double inertia = Double.longBitsToDouble((words[0] & 0xFFFFFFFFL) | ((long) words[1] << 32));
        long changed = (words[2] & 0xFFFFFFFFL) | ((long) words[3] << 32);
        return new AssignStats(inertia, changed, 0);
    }

    @Override
    public int updateCentroids(Tensor xs, int n, int d, Tensor as, int k, boolean normalize, Tensor cs, Tensor ns) {
        long x = address(xs), assign = address(as), centroids = address(cs), counts = address(ns);
        long sums = scratch.get(SUMS, (long) k * d * Float.BYTES);
        long empty = scratch.get(EMPTY, Integer.BYTES);
        device.memsetZero(sums, (long) k * d * Float.BYTES);
        device.memsetZero(counts, (long) k * Float.BYTES);
        device.memsetZero(empty, Integer.BYTES);
        int columnBlocks = Dim3.blocks(d, THREADS);
        // Enough row slices to fill the device (~2048 blocks) when d is small.
        int slices = (int) Math.max(1, Math.min(Math.min(n, MAX_GRID_Y), 2048L / columnBlocks));
        device.launch("rnb_kmeans_update_sums", Dim3.of(columnBlocks, slices), Dim3.of(THREADS), 0,
                new KernelArgs().ptr(x).ptr(assign).i32(n).i32(d).ptr(sums).ptr(counts));
        device.launch("rnb_kmeans_update_finish", Dim3.of(k), Dim3.of(THREADS), 0,
                new KernelArgs().ptr(sums).ptr(counts).i32(k).i32(d).i32(normalize ? 1 : 0).ptr(centroids).ptr(empty));
        int[] out = new int[1];
        device.copyToHost(out, 0, empty, 1);
        return out[0];
    }

    @Override
    public void silhouette(Tensor xs, Tensor normsT, int m, int d, Tensor ls, int k, Tensor outs) {
        long x = address(xs), norms = address(normsT), labels = address(ls), out = address(outs);
        if (k > MAX_SILHOUETTE_K) {
            throw new IllegalArgumentException("silhouette on the cuda backend supports k <= " + MAX_SILHOUETTE_K + ", got k = " + k);
        }
        // Cluster sizes: the m labels of the sample are small next to the m x m distances.
        float[] labelsHost = new float[m];
        device.copyToHost(labelsHost, 0, labels, m);
        float[] size = new float[k];
        for (float l : labelsHost) size[(int) l]++;
        long sizes = scratch.floats(SIZES, size);
        int chunk = Math.min(chunkRows(m, m), MAX_GRID_Y);
        long dots = scratch.get(DOTS, (long) chunk * m * Float.BYTES);
        for (int r0 = 0; r0 < m; r0 += chunk) {
            int rows = Math.min(chunk, m - r0);
            device.blas().sgemm(false, true, rows, m, d, -2f, x + (long) r0 * d * Float.BYTES, d, x, d, 0f, dots, m);
            device.launch("rnb_silhouette_rows", Dim3.of(rows), Dim3.of(THREADS), k * Double.BYTES,
                    new KernelArgs().ptr(dots).ptr(norms).i32(r0).i32(rows).i32(m).ptr(labels).i32(k).ptr(sizes)
                            .ptr(out + (long) r0 * Float.BYTES));
        }
    }

    @Override
    public void close() {
        scratch.close();
    }
}
