package dev.rnb.backend.cuda;

/**
 * SGEMM on device addresses with row-major semantics (as {@code Backend.gemm}).
 * Implementations: cuBLAS through JCublas2 (CUDA 12) or through the Bytedeco
 * CUDA presets (CUDA 13), and OpenBLAS on the emulator's host memory.
 */
public interface DeviceBlas extends AutoCloseable {
    String describe();

    void sgemm(boolean transA, boolean transB, int m, int n, int k,
               float alpha, long a, int lda, long b, int ldb, float beta, long c, int ldc);

    /** Row-major upper triangle of C (n x n) = alpha A A^T + beta C, A n x k: the Gram baseline. */
    void ssyrk(int n, int k, float alpha, long a, int lda, float beta, long c, int ldc);

    /** Allows TF32 tensor-core math in GEMMs (cuBLAS); a no-op where there is none. */
    void allowTf32(boolean allow);

    @Override
    void close();
}
