package dev.rnb.backend;

/**
 * A device's memory as the {@link Backend} front door uses it: tensors,
 * views, copies and GEMM (the one BLAS call the backend exposes as is).
 * Unchecked: the front door has checked every range and shape (and that
 * every tensor is this backend's) before a call gets here.
 */
public interface DeviceMemory {

    /** A zero-filled tensor of {@code size} floats owned by {@code owner}. */
    Tensor allocate(Backend owner, long size);

    /** See {@link Backend#allocateHugePaged}: as {@link #allocate} where the device has no larger pages to give. */
    default Tensor allocateHugePaged(Backend owner, long size) { return allocate(owner, size); }

    /** A window of {@code base} sharing its memory. */
    Tensor view(Tensor base, long offset, long size);

    void upload(float[] src, int srcOffset, Tensor dst, long dstOffset, int length);

    void download(Tensor src, long srcOffset, float[] dst, int dstOffset, int length);

    void zero(Tensor t);

    void copy(Tensor src, long srcOffset, Tensor dst, long dstOffset, long length);

    /** See {@link Backend#synchronize}; a device whose operations never run behind the caller has nothing to wait for. */
    default void synchronize() {}

    /** See {@link Backend#gemm}; m, n, k may be 0. */
    void gemm(boolean transA, boolean transB, int m, int n, int k,
              float alpha, Tensor a, int lda, Tensor b, int ldb, float beta, Tensor c, int ldc);
}
