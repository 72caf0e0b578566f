package dev.rnb.backend.cpu;

import dev.rnb.backend.ClusterOps;
import dev.rnb.backend.Tensor;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.openblas.global.openblas_nolapack;

import static dev.rnb.backend.cpu.NativeTensor.at;
import static org.bytedeco.openblas.global.openblas_nolapack.*;

/**
 * The cpu backend's k-means and silhouette: distances through OpenBLAS SGEMM
 * (D = -2 X C^T for a chunk of rows, so ||x - c||^2 = ||x||^2 + D + ||c||^2).
 * The assignment pass is native/kmeans_assign.cpp, which calls SGEMM per tile
 * of rows and reduces each tile to its argmin while it is in cache (with
 * Hamerly's bounds in {@link #assignNearestBounded}); the silhouette runs
 * SGEMM here, a chunk of rows at a time, then native/kmeans.cpp's kernel.
 * Chunks and tiles bound the distance scratch to {@code chunkFloats} floats
 * whatever n is.
 */
final class CpuClusterOps implements ClusterOps, AutoCloseable {
    /** Distance scratch: 4M floats (16 MiB) per chunk of rows unless rnb.cluster.chunkFloats says otherwise. */
    private final long chunkFloats = Long.getLong("rnb.cluster.chunkFloats", 1L << 22);
    /** OpenBLAS's cblas_sgemm, for the native assignment pass (rnb_cpu does not link OpenBLAS). */
    private static final Pointer SGEMM;

    static {
        Loader.load(openblas_nolapack.class);
        SGEMM = Loader.addressof("cblas_sgemm");
        if (SGEMM == null) {
            throw new UnsatisfiedLinkError("cblas_sgemm not found in the loaded OpenBLAS");
        }
    }

    private FloatPointer dots = new FloatPointer(1);
    private long dotsCap = 1;

    private FloatPointer scratch(long floats) {
        if (floats > dotsCap) {
            dots.close();
            dots = new FloatPointer(floats);
            dotsCap = floats;
        }
        return dots;
    }

    private int chunkRows(int n, int width) {
        return (int) Math.max(1, Math.min(n, chunkFloats / Math.max(1, width)));
    }

    @Override
    public void rowSquaredNorms(Tensor x, int n, int d, Tensor out) {
        CpuKernels.rnb_cpu_row_sq_norms(at(x), n, d, at(out));
    }

    @Override
    public void normalizeRows(Tensor x, int n, int d) {
        CpuKernels.rnb_cpu_normalize_rows(at(x), n, d);
    }

    @Override
    public AssignStats assignNearest(Tensor x, Tensor xNorms, int n, int d, Tensor c, int k, Tensor assign, Tensor minDist) {
        return assign(x, xNorms, n, d, c, k, assign, minDist, null, null);
    }

    @Override
    public AssignStats assignNearestBounded(Tensor x, Tensor xNorms, int n, int d, Tensor c, int k, Tensor assign, Tensor minDist,
                                            Tensor lower, Tensor previous) {
        return assign(x, xNorms, n, d, c, k, assign, minDist, at(lower), at(previous));
    }

    /**
     * native/kmeans_assign.cpp's fused pass: OpenMP threads each run
     * single-threaded SGEMMs on their own tiles of rows, so OpenBLAS's own
     * threads are turned off for the call.
     */
    private AssignStats assign(Tensor x, Tensor xNorms, int n, int d, Tensor c, int k, Tensor assign, Tensor minDist,
                               FloatPointer lower, FloatPointer previous) {
        int tile = (int) Math.min(CpuKernels.rnb_cpu_kmeans_tile_rows(d, k), Math.max(1, chunkFloats / k));
        int threads = BlasThreads.get();
        BlasThreads.set(1);
        try (LongPointer counters = new LongPointer(new long[2]); DoublePointer inertia = new DoublePointer(1).put(0.0)) {
            CpuKernels.rnb_cpu_kmeans_assign(SGEMM, at(x), at(xNorms), at(c), n, d, k, tile, at(assign), at(minDist),
                    lower, previous, counters, inertia);
            return new AssignStats(inertia.get(), counters.get(0), counters.get(1));
        } finally {
            BlasThreads.set(threads);
        }
    }

    @Override
    public int updateCentroids(Tensor x, int n, int d, Tensor assign, int k, boolean normalize, Tensor centroids, Tensor counts) {
        return CpuKernels.rnb_cpu_kmeans_update(at(x), at(assign), n, d, k, normalize ? 1 : 0, at(centroids), at(counts));
    }

    @Override
    public void silhouette(Tensor xs, Tensor normsT, int m, int d, Tensor ls, int k, Tensor outs) {
        FloatPointer x = at(xs), norms = at(normsT), labels = at(ls), out = at(outs);
        float[] host = new float[m];
        labels.get(host);
        float[] size = new float[k];
        for (float l : host) size[(int) l]++;
        int chunk = chunkRows(m, m);
        FloatPointer dist = scratch((long) chunk * m);
        try (FloatPointer sizes = new FloatPointer(size)) {
            for (int r0 = 0; r0 < m; r0 += chunk) {
                int rows = Math.min(chunk, m - r0);
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, rows, m, d, -2f,
                        x.getPointer((long) r0 * d), d, x, d, 0f, dist, m);
                CpuKernels.rnb_cpu_silhouette_rows(dist, norms, r0, rows, m, labels, k, sizes, out.getPointer(r0));
            }
        }
    }

    @Override
    public void close() {
        dots.close();
    }
}
