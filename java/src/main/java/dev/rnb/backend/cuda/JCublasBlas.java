package dev.rnb.backend.cuda;

import jcuda.Pointer;
import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasHandle;

import static jcuda.jcublas.cublasOperation.CUBLAS_OP_N;
import static jcuda.jcublas.cublasOperation.CUBLAS_OP_T;

/** cuBLAS through JCublas2 (CUDA 12). */
final class JCublasBlas implements DeviceBlas {
    private final cublasHandle handle = new cublasHandle();

    JCublasBlas() {
        JCublas2.setExceptionsEnabled(true);
        JCublas2.cublasCreate(handle);
    }

    @Override public String describe() { return "cuBLAS via JCublas2 (CUDA 12)"; }

    @Override
    public void sgemm(boolean transA, boolean transB, int m, int n, int k,
                      float alpha, long a, int lda, long b, int ldb, float beta, long c, int ldc) {
        // Row-major C = op(A) op(B) is column-major C^T = op(B)^T op(A)^T.
        JCublas2.cublasSgemm(handle, transB ? CUBLAS_OP_T : CUBLAS_OP_N, transA ? CUBLAS_OP_T : CUBLAS_OP_N,
                n, m, k, Pointer.to(new float[] {alpha}), JCudaDevice.at(b), Math.max(1, ldb),
                JCudaDevice.at(a), Math.max(1, lda), Pointer.to(new float[] {beta}), JCudaDevice.at(c), Math.max(1, ldc));
    }

    @Override
    public void close() {
        JCublas2.cublasDestroy(handle);
    }
}
