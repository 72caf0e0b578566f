package dev.rnb.backend.cuda;

import dev.rnb.backend.Backend;
import dev.rnb.backend.Backends;
import dev.rnb.backend.BalanceOps;
import dev.rnb.backend.ClusterOps;
import dev.rnb.backend.DeviceMemory;
import dev.rnb.backend.ModelOps;
import dev.rnb.backend.Tensor;

/**
 * The cuda backend: device-resident tensors, our kernels of cuda/ (contracts
 * and launch shapes in cuda/KERNELS.md), cuBLAS for GEMM. The same launch
 * code ({@link CudaMemory}, {@link CudaModelOps}, {@link CudaClusterOps},
 * {@link CudaBalanceOps}) drives a real GPU ({@link GpuDevice}, backend
 * "cuda") and the CPU emulation ({@link EmulatedDevice}, backend
 * "cuda-emulated"). Attention runs our kernels or, when chosen and
 * available, cuDNN ({@link #useAttention}). Not thread-safe: one caller at a
 * time (scratch buffers are reused).
 */
public final class CudaBackend extends Backend {
    private final String name;
    private final CudaDevice device;
    private final CudaModelOps model;
    private final CudaMemory memory;
    private final CudaClusterOps cluster;
    private final CudaBalanceOps balance;

    public CudaBackend(String name, CudaDevice device) {
        this.name = name;
        this.device = device;
        this.model = new CudaModelOps(device);
        this.memory = new CudaMemory(device, model);
        this.cluster = new CudaClusterOps(device);
        this.balance = new CudaBalanceOps(device);
    }

    /** The real GPU backend on device 0, with the attention {@link AttentionPath#configured()} names. */
    public static CudaBackend gpu() {
        AttentionPath attention = AttentionPath.configured();
        CudaBackend b = new CudaBackend("cuda", new GpuDevice(0));
        b.useAttention(attention);
        return b;
    }

    /** The same launch code over the CPU emulation of the kernels (cuDNN, if configured, falls back to them). */
    public static CudaBackend emulated() {
        AttentionPath attention = AttentionPath.configured();
        CudaBackend b = new CudaBackend("cuda-emulated", new EmulatedDevice());
        b.useAttention(attention);
        return b;
    }

    public CudaDevice device() { return device; }

    @Override public String name() { return name; }

    @Override
    public String describe() {
        CudnnAttention cudnn = model.cudnn();
        return device.describe() + "; attention: " + (cudnn == null ? "our kernels" : cudnn.describe());
    }

    @Override protected DeviceMemory memory() { return memory; }

    @Override protected ModelOps modelOps() { return model; }

    @Override protected ClusterOps clusterOps() { return cluster; }

    @Override protected BalanceOps balanceOps() { return balance; }

    /**
     * Chooses the attention from now on. cuDNN needs a real GPU and a
     * loadable libcudnn 9 that runs this configuration; where it has neither,
     * one line on stderr says why and our kernels run (nothing fails).
     * Returns that reason, or null when the requested path is active.
     */
    public String useAttention(AttentionPath requested) {
        model.useCudnn(null);
        if (requested == AttentionPath.KERNELS) {
            return null;
        }
        String why;
        if (!(device instanceof GpuDevice)) {
            why = "it needs a GPU; backend " + name + " has none";
        } else {
            try {
                model.useCudnn(new CudnnAttention(device));
                return null;
            } catch (Throwable e) {
                why = Backends.reason(e);
            }
        }
        System.err.println("rnb: cuDNN attention unavailable (" + why + "); using our attention kernels");
        return why;
    }

    /** The attention that runs now. */
    public AttentionPath attentionPath() {
        return model.cudnn() == null ? AttentionPath.KERNELS : AttentionPath.CUDNN;
    }

    /** The cuBLAS baseline of {@link #gram}: upper triangle of X X^T by SSYRK, unscaled. */
    public void blasSyrk(Tensor x, int k, long d, Tensor out) {
        checkGramShapes(x, k, d, out);
        device.blas().ssyrk(k, Math.toIntExact(d), 1f, DeviceTensor.address(x), Math.toIntExact(d), 0f, DeviceTensor.address(out), k);
    }

    @Override
    public void close() {
        model.useCudnn(null);
        cluster.close();
        balance.close();
        device.close();
    }
}
