package dev.rnb.backend.cuda;

/**
 * What the cuda backend needs from a device: memory, copies, kernel launches.
 * Two implementations share the same launch code in {@link CudaBackend}:
 * {@link GpuDevice} (a real GPU through the JCuda driver API) and
 * {@link EmulatedDevice} (the kernels of cuda/ compiled for the CPU).
 * Addresses are plain longs so that launch code is identical for both.
 */
public interface CudaDevice extends AutoCloseable {
    /** Device, driver and library versions, one line. */
    String describe();

    long alloc(long bytes);

    void free(long address);

    void copyToDevice(long dst, float[] src, int srcOffset, int length);

    void copyToDevice(long dst, int[] src, int srcOffset, int length);

    void copyToHost(float[] dst, int dstOffset, long src, int length);

    void copyToHost(int[] dst, int dstOffset, long src, int length);

    void memsetZero(long dst, long bytes);

    void copyDeviceToDevice(long dst, long src, long bytes);

    void launch(String kernel, Dim3 grid, Dim3 block, int dynamicSharedBytes, KernelArgs args);

    /** Waits until all launched work is done. */
    void synchronize();

    /** GEMM on this device's memory. */
    DeviceBlas blas();

    @Override
    void close();
}
