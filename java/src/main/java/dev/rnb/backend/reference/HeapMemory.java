package dev.rnb.backend.reference;

import dev.rnb.backend.Backend;
import dev.rnb.backend.DeviceMemory;
import dev.rnb.backend.Tensor;

import static dev.rnb.backend.reference.HeapTensor.of;

/** The reference backend's memory (Java arrays) and its GEMM as three plain loops with double sums. */
final class HeapMemory implements DeviceMemory {
    private final boolean float64;

    HeapMemory(boolean float64) { this.float64 = float64; }

    @Override public Tensor allocate(Backend owner, long size) { return new HeapTensor(owner, size, float64); }

    @Override public Tensor view(Tensor base, long offset, long size) { return of(base).view(offset, size); }

    @Override
    public void upload(float[] src, int srcOffset, Tensor dst, long dstOffset, int length) {
        HeapTensor d = of(dst);
        for (int i = 0; i < length; i++) {
            d.set(dstOffset + i, src[srcOffset + i]);
        }
    }

    @Override
    public void download(Tensor src, long srcOffset, float[] dst, int dstOffset, int length) {
        HeapTensor s = of(src);
        for (int i = 0; i < length; i++) {
            dst[dstOffset + i] = (float) s.get(srcOffset + i);
        }
    }

    @Override
    public void zero(Tensor t) {
        HeapTensor d = of(t);
        for (long i = 0; i < t.size(); i++) {
            d.set(i, 0);
        }
    }

    @Override
    public void copy(Tensor src, long srcOffset, Tensor dst, long dstOffset, long length) {
        HeapTensor s = of(src), d = of(dst);
        if (s.data != null && d.data != null) {
            System.arraycopy(s.data, Math.toIntExact(s.offset + srcOffset), d.data, Math.toIntExact(d.offset + dstOffset), Math.toIntExact(length));
        } else {
            System.arraycopy(s.wide, Math.toIntExact(s.offset + srcOffset), d.wide, Math.toIntExact(d.offset + dstOffset), Math.toIntExact(length));
        }
    }

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k,
                     float alpha, Tensor a, int lda, Tensor b, int ldb, float beta, Tensor c, int ldc) {
        HeapTensor A = of(a), B = of(b), C = of(c);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double sum = 0;
                for (int p = 0; p < k; p++) {
                    double av = transA ? A.get((long) p * lda + i) : A.get((long) i * lda + p);
                    double bv = transB ? B.get((long) j * ldb + p) : B.get((long) p * ldb + j);
                    sum += av * bv;
                }
                long ci = (long) i * ldc + j;
                C.set(ci, alpha * sum + (beta == 0f ? 0.0 : (double) beta * C.get(ci)));
            }
        }
    }
}
