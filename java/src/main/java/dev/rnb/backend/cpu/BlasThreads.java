package dev.rnb.backend.cpu;

import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.openblas.global.openblas_nolapack;

/**
 * OpenBLAS's thread count, read and set through function addresses resolved
 * once. The presets' own {@code blas_set_num_threads} looks the symbols up
 * on every call (about 0.7 ms, and a few function-pointer objects each that
 * only the collector frees), and its {@code blas_get_num_threads} returns
 * what that helper last set (-1 before any call) rather than OpenBLAS's
 * count, so "restore the previous count" restored -1.
 */
final class BlasThreads {
    private static final Pointer SET, GET;

    static {
        Loader.load(openblas_nolapack.class);
        SET = Loader.addressof("openblas_set_num_threads");
        GET = Loader.addressof("openblas_get_num_threads");
        if (SET == null || GET == null) {
            throw new UnsatisfiedLinkError("openblas_set_num_threads / openblas_get_num_threads not found in the loaded OpenBLAS");
        }
    }

    private BlasThreads() {}

    static int get() { return CpuKernels.rnb_cpu_call_get_threads(GET); }

    static void set(int threads) { CpuKernels.rnb_cpu_call_set_threads(SET, threads); }
}
