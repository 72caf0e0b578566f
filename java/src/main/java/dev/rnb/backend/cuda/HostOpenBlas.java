package dev.rnb.backend.cuda;

import org.bytedeco.javacpp.Loader;
import org.bytedeco.openblas.global.openblas_nolapack;

import static org.bytedeco.openblas.global.openblas_nolapack.*;

/** The emulator's stand-in for cuBLAS: OpenBLAS on the emulated device memory (host addresses). */
final class HostOpenBlas implements DeviceBlas {
    HostOpenBlas() {
        Loader.load(openblas_nolapack.class);
    }

    @Override public String describe() { return "OpenBLAS on host memory (emulated cuBLAS)"; }

    @Override
    public void sgemm(boolean transA, boolean transB, int m, int n, int k,
                      float alpha, long a, int lda, long b, int ldb, float beta, long c, int ldc) {
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans, m, n, k,
                alpha, RawAddress.floats(a), Math.max(1, lda), RawAddress.floats(b), Math.max(1, ldb),
                beta, RawAddress.floats(c), Math.max(1, ldc));
    }

    @Override
    public void ssyrk(int n, int k, float alpha, long a, int lda, float beta, long c, int ldc) {
        cblas_ssyrk(CblasRowMajor, CblasUpper, CblasNoTrans, n, k, alpha, RawAddress.floats(a), Math.max(1, lda),
                beta, RawAddress.floats(c), Math.max(1, ldc));
    }

    @Override public void allowTf32(boolean allow) {}

    @Override public void close() {}
}
