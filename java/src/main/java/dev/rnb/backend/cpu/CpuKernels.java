package dev.rnb.backend.cpu;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.annotation.Cast;
import org.bytedeco.javacpp.annotation.Platform;

/**
 * JavaCPP binding of native/rnb_cpu.h. The javacpp Maven plugin generates the
 * JNI glue at build time and links native/ (built by CMake as a static
 * library) into it; the result travels in the jar and Loader extracts it.
 */
@Platform(include = "rnb_cpu.h", link = {"gomp", "rnb_cpu"})
public final class CpuKernels {
    static {
        Loader.load();
    }

    private CpuKernels() {}

    public static native void rnb_cpu_call_set_threads(Pointer fn, int n);

    public static native int rnb_cpu_call_get_threads(Pointer fn);

    /** Zero-filled memory on 2 MiB boundaries, huge pages where the kernel grants them; null on failure (rnb_cpu.h). */
    public static native FloatPointer rnb_cpu_map_huge(long bytes);

    /** Frees memory of {@link #rnb_cpu_map_huge} with the bytes it was asked for. */
    public static native void rnb_cpu_unmap_huge(FloatPointer p, long bytes);

    public static native void rnb_cpu_gather_rows(FloatPointer src, int cols, IntPointer rows, int n, FloatPointer dst);

    public static native void rnb_cpu_domain_pieces_add(FloatPointer pieces, IntPointer slotDomain, int slots, long d,
                                                        FloatPointer g, FloatPointer head);

    public static native void rnb_cpu_count_sketch_add(FloatPointer dense, IntPointer slotDomain, int slots, int d, int r,
                                                       @Cast("uint32_t") int seed, FloatPointer sketch);

    public static native void rnb_cpu_sketch_codes(int d, int r, @Cast("uint32_t") int seed, @Cast("uint32_t*") IntPointer codes);

    public static native void rnb_cpu_sign_projection(FloatPointer out, int n, @Cast("uint32_t") int seed, float scale);

    public static native void rnb_cpu_gram_finish(FloatPointer out, FloatPointer scale, int k);

    public static native void rnb_cpu_row_sq_norms(FloatPointer x, long n, int d, FloatPointer out);

    public static native void rnb_cpu_normalize_rows(FloatPointer x, long n, int d);

    public static native void rnb_cpu_kmeans_assign(Pointer sgemm, FloatPointer x, FloatPointer xNorm, FloatPointer c, long n, int d, int k,
                                                    int tileRows, FloatPointer assign, FloatPointer minDist, FloatPointer lower,
                                                    FloatPointer previous, @Cast("int64_t*") LongPointer counters, DoublePointer inertia);

    public static native int rnb_cpu_kmeans_tile_rows(int d, int k);

    public static native int rnb_cpu_kmeans_update(FloatPointer x, FloatPointer assign, long n, int d, int k, int normalize,
                                                   FloatPointer centroids, FloatPointer counts);

    public static native void rnb_cpu_silhouette_rows(FloatPointer dots, FloatPointer norms, int rowStart, int rows, int m,
                                                      FloatPointer labels, int k, FloatPointer clusterSize, FloatPointer out);
}
