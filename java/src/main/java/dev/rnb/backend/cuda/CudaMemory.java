package dev.rnb.backend.cuda;

import dev.rnb.backend.Backend;
import dev.rnb.backend.DeviceMemory;
import dev.rnb.backend.Tensor;

import static dev.rnb.backend.cuda.DeviceTensor.address;

/**
 * The cuda backend's device memory, copies and cuBLAS SGEMM. Freeing an
 * allocation first tells the model operations, whose cuDNN attention may
 * keep state keyed by addresses inside it.
 */
final class CudaMemory implements DeviceMemory {
    private final CudaDevice device;
    private final CudaModelOps model;

    CudaMemory(CudaDevice device, CudaModelOps model) {
        this.device = device;
        this.model = model;
    }

    long alloc(long bytes) { return device.alloc(bytes); }

    void free(long address, long bytes) {
        model.released(address, bytes);
        device.free(address);
    }

    @Override
    public Tensor allocate(Backend owner, long size) {
        DeviceTensor t = new DeviceTensor(owner, this, size);
        device.memsetZero(t.address(0), Math.max(1, size) * Float.BYTES);
        return t;
    }

    @Override public Tensor view(Tensor base, long offset, long size) { return ((DeviceTensor) base).view(offset, size); }

    @Override
    public void upload(float[] src, int srcOffset, Tensor dst, long dstOffset, int length) {
        device.copyToDevice(address(dst, dstOffset), src, srcOffset, length);
    }

    @Override
    public void download(Tensor src, long srcOffset, float[] dst, int dstOffset, int length) {
        device.copyToHost(dst, dstOffset, address(src, srcOffset), length);
    }

    @Override
    public void synchronize() {
        device.synchronize();
    }

    @Override
    public void zero(Tensor t) {
        device.memsetZero(address(t), t.size() * Float.BYTES);
    }

    @Override
    public void copy(Tensor src, long srcOffset, Tensor dst, long dstOffset, long length) {
        device.copyDeviceToDevice(address(dst, dstOffset), address(src, srcOffset), length * Float.BYTES);
    }

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k,
                     float alpha, Tensor a, int lda, Tensor b, int ldb, float beta, Tensor c, int ldc) {
        if (m == 0 || n == 0) {
            return;
        }
        device.blas().sgemm(transA, transB, m, n, k, alpha, address(a), lda, address(b), ldb, beta, address(c), ldc);
    }
}
