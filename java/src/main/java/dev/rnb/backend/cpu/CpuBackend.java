package dev.rnb.backend.cpu;

import dev.rnb.backend.Backend;
import dev.rnb.backend.BalanceOps;
import dev.rnb.backend.ClusterOps;
import dev.rnb.backend.DeviceMemory;
import dev.rnb.backend.ModelOps;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.openblas.global.openblas_nolapack;

/**
 * CPU backend: GEMM and SYRK from OpenBLAS, everything else from the C++
 * kernels of native/ (OpenMP; the model's in native/model_*.cpp through
 * {@link ModelKernels}). Tensors are off-heap. Not thread-safe: one
 * instance serves one caller at a time (its gather scratch is reused).
 */
public final class CpuBackend extends Backend {
    private final DeviceMemory memory = new NativeMemory();
    private final ModelOps model = new ModelKernels();
    private final CpuClusterOps cluster = new CpuClusterOps();
    private final CpuBalanceOps balance = new CpuBalanceOps();

    /** Loads OpenBLAS and the kernel library; throws if either is missing. */
    public CpuBackend() {
        Loader.load(openblas_nolapack.class);
        Loader.load(CpuKernels.class);
        Loader.load(ModelKernels.class);
    }

    /**
     * Sets the work (multiply-adds) from which per-domain GEMMs run in parallel
     * (property {@code rnb.cpu.segmentParallelMinWork}); returns the previous
     * value. Tests set 0 to run that path on small inputs.
     */
    public static long segmentParallelMinWork(long multiplyAdds) {
        return CpuBalanceOps.segmentParallelMinWork(multiplyAdds);
    }

    /**
     * Sets the largest piece (v x h floats; 0: none; -1: the limits measured
     * per instruction set, the default) whose per-domain gradients and
     * sketches are formed by one native call per batch instead of one
     * OpenBLAS GEMM per domain (property {@code rnb.cpu.smallPieceMax});
     * returns the previous value. Tests and benchmarks switch paths with it.
     */
    public static int smallPieceMax(int floats) {
        return CpuBalanceOps.smallPieceMax(floats);
    }

    @Override public String name() { return "cpu"; }

    @Override
    public String describe() {
        return "cpu: C++ kernels (OpenMP, " + Runtime.getRuntime().availableProcessors()
                + " cores; model kernels built for " + ModelKernels.isa() + ") + OpenBLAS (Bytedeco presets, cblas without LAPACK)";
    }

    @Override protected DeviceMemory memory() { return memory; }

    @Override protected ModelOps modelOps() { return model; }

    @Override protected ClusterOps clusterOps() { return cluster; }

    @Override protected BalanceOps balanceOps() { return balance; }

    @Override
    public void close() {
        cluster.close();
        balance.close();
    }
}
