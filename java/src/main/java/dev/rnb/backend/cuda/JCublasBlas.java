package dev.rnb.backend.cuda;

import jcuda.Pointer;
import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasHandle;

import static jcuda.jcublas.cublasFillMode.CUBLAS_FILL_MODE_LOWER;
import static jcuda.jcublas.cublasMath.CUBLAS_DEFAULT_MATH;
import static jcuda.jcublas.cublasMath.CUBLAS_TF32_TENSOR_OP_MATH;
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
                n, m, k, Pointer.to(new float[] {alpha}), GpuDevice.at(b), Math.max(1, ldb),
                GpuDevice.at(a), Math.max(1, lda), Pointer.to(new float[] {beta}), GpuDevice.at(c), Math.max(1, ldc));
    }

    @Override
    public void ssyrk(int n, int k, float alpha, long a, int lda, float beta, long c, int ldc) {
        // Row-major upper of A A^T is column-major lower of (A^T)^T (A^T), A^T being A read column-major.
        JCublas2.cublasSsyrk(handle, CUBLAS_FILL_MODE_LOWER, CUBLAS_OP_T, n, k, Pointer.to(new float[] {alpha}),
                GpuDevice.at(a), Math.max(1, lda), Pointer.to(new float[] {beta}), GpuDevice.at(c), Math.max(1, ldc));
    }

    @Override
    public void allowTf32(boolean allow) {
        JCublas2.cublasSetMathMode(handle, allow ? CUBLAS_TF32_TENSOR_OP_MATH : CUBLAS_DEFAULT_MATH);
    }

    @Override
    public void close() {
        JCublas2.cublasDestroy(handle);
    }
}
