package dev.rnb.backend.cpu;

import dev.rnb.backend.Backend;
import dev.rnb.backend.DeviceMemory;
import dev.rnb.backend.Tensor;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;

import static dev.rnb.backend.cpu.NativeTensor.at;
import static org.bytedeco.openblas.global.openblas_nolapack.*;

/** The cpu backend's off-heap memory and OpenBLAS's SGEMM on it. */
final class NativeMemory implements DeviceMemory {

    @Override public Tensor allocate(Backend owner, long size) { return new NativeTensor(owner, size); }

    @Override public Tensor allocateHugePaged(Backend owner, long size) { return new NativeTensor(owner, size, true); }

    @Override public Tensor view(Tensor base, long offset, long size) { return ((NativeTensor) base).view(offset, size); }

    @Override
    public void upload(float[] src, int srcOffset, Tensor dst, long dstOffset, int length) {
        at(dst, dstOffset).put(src, srcOffset, length);
    }

    @Override
    public void download(Tensor src, long srcOffset, float[] dst, int dstOffset, int length) {
        at(src, srcOffset).get(dst, dstOffset, length);
    }

    @Override
    public void zero(Tensor t) {
        Pointer.memset(at(t), 0, t.size() * Float.BYTES);
    }

    @Override
    public void copy(Tensor src, long srcOffset, Tensor dst, long dstOffset, long length) {
        Pointer.memcpy(at(dst, dstOffset), at(src, srcOffset), length * Float.BYTES);
    }

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k,
                     float alpha, Tensor a, int lda, Tensor b, int ldb, float beta, Tensor c, int ldc) {
        if (m == 0 || n == 0) {
            return;
        }
        // OpenBLAS rejects a leading dimension of 0 even where no element is read (k == 0).
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                m, n, k, alpha, at(a), Math.max(1, lda), at(b), Math.max(1, ldb), beta, at(c), Math.max(1, ldc));
    }
}
