package dev.rnb.backend.reference;

import dev.rnb.backend.Backend;
import dev.rnb.backend.BalanceOps;
import dev.rnb.backend.ClusterOps;
import dev.rnb.backend.DeviceMemory;
import dev.rnb.backend.ModelOps;
import dev.rnb.backend.Tensor;

/**
 * Plain Java with double accumulation: the oracle every other backend is
 * tested against. Written for obviousness, not speed.
 */
public final class ReferenceBackend extends Backend {
    private final boolean float64;
    private final HeapMemory memory;
    private final ModelOps model = new ReferenceModel();
    private final ClusterOps cluster = new ReferenceClusterOps();
    private final BalanceOps balance = new ReferenceBalanceOps();

    /** The float32 oracle. */
    public ReferenceBackend() { this(false); }

    private ReferenceBackend(boolean float64) {
        this.float64 = float64;
        this.memory = new HeapMemory(float64);
    }

    /**
     * The same code with every tensor element stored as a double (upload and
     * download convert): memory, gemm and the model operations only, for
     * finite-difference gradient checks. Balance operations need float mode.
     */
    public static ReferenceBackend float64() { return new ReferenceBackend(true); }

    @Override public String name() { return float64 ? "reference-float64" : "reference"; }

    @Override public String describe() {
        return float64 ? "reference-float64: plain Java, double storage (gradient checks)" : "reference: plain Java, double accumulation";
    }

    @Override protected DeviceMemory memory() { return memory; }

    @Override protected ModelOps modelOps() { return model; }

    @Override protected ClusterOps clusterOps() { return cluster; }

    @Override protected BalanceOps balanceOps() { return balance; }

    /** Float64 mode: reads without rounding (the gradient check's loss and gradients). */
    public void downloadDouble(Tensor src, long srcOffset, double[] dst, int dstOffset, int length) {
        checkRange(src, srcOffset, length);
        HeapTensor s = HeapTensor.of(src);
        for (int i = 0; i < length; i++) {
            dst[dstOffset + i] = s.get(srcOffset + i);
        }
    }

    /** Float64 mode: writes without rounding (finite-difference perturbations). */
    public void uploadDouble(double[] src, int srcOffset, Tensor dst, long dstOffset, int length) {
        checkRange(dst, dstOffset, length);
        HeapTensor d = HeapTensor.of(dst);
        for (int i = 0; i < length; i++) {
            d.set(dstOffset + i, src[srcOffset + i]);
        }
    }

    @Override public void close() {}
}
