package dev.rnb.backend.cpu;

import dev.rnb.backend.ClusterOps;
import dev.rnb.backend.Tensor;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.LongPointer;

import static dev.rnb.backend.cpu.NativeTensor.at;
import static org.bytedeco.openblas.global.openblas_nolapack.*;

/**
 * The cpu backend's k-means and silhouette: distances through OpenBLAS SGEMM
 * (D = -2 X C^T for a chunk of rows, so ||x - c||^2 = ||x||^2 + D + ||c||^2),
 * then the fused argmin / silhouette kernels of native/kmeans.cpp. Chunks
 * bound the distance scratch to {@code chunkFloats} floats whatever n is.
 */
final class CpuClusterOps implements ClusterOps, AutoCloseable {
    /** Distance scratch: 4M floats (16 MiB) per chunk of rows unless rnb.cluster.chunkFloats says otherwise. */
    private final long chunkFloats = Long.getLong("rnb.cluster.chunkFloats", 1L << 22);

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
    public AssignStats assignNearest(Tensor xs, Tensor xNormsT, int n, int d, Tensor cs, int k, Tensor as, Tensor ds) {
        FloatPointer x = at(xs), xNorms = at(xNormsT), centroids = at(cs), assign = at(as), minDist = at(ds);
        int chunk = chunkRows(n, k);
        FloatPointer dist = scratch((long) chunk * k);
        try (FloatPointer cNorm = new FloatPointer(k);
             LongPointer changed = new LongPointer(1).put(0L);
             DoublePointer inertia = new DoublePointer(1).put(0.0)) {
            CpuKernels.rnb_cpu_row_sq_norms(centroids, k, d, cNorm);
            for (int r0 = 0; r0 < n; r0 += chunk) {
                int rows = Math.min(chunk, n - r0);
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, rows, k, d, -2f,
                        x.getPointer((long) r0 * d), d, centroids, d, 0f, dist, k);
                CpuKernels.rnb_cpu_kmeans_argmin(dist, xNorms.getPointer(r0), cNorm, rows, k,
                        assign.getPointer(r0), minDist.getPointer(r0), changed, inertia);
            }
            return new AssignStats(inertia.get(), changed.get());
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
