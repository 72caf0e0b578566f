package dev.rnb.backend.cuda;

import org.bytedeco.cuda.cublas.cublasContext;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Loader;

import static org.bytedeco.cuda.global.cublas.*;

/** cuBLAS through the Bytedeco CUDA presets (CUDA 13). */
final class BytedecoCublasBlas implements DeviceBlas {
    private final cublasContext handle = new cublasContext();
    private final FloatPointer alphaBeta = new FloatPointer(2);

    BytedecoCublasBlas() {
        Loader.load(org.bytedeco.cuda.global.cublas.class);
        check(cublasCreate_v2(handle), "cublasCreate");
    }

    private static void check(int status, String call) {
        if (status != CUBLAS_STATUS_SUCCESS) {
            throw new CudaException(call + " failed with cuBLAS status " + status);
        }
    }

    @Override public String describe() { return "cuBLAS via Bytedeco CUDA presets (CUDA 13)"; }

    @Override
    public void sgemm(boolean transA, boolean transB, int m, int n, int k,
                      float alpha, long a, int lda, long b, int ldb, float beta, long c, int ldc) {
        alphaBeta.put(0, alpha).put(1, beta);
        check(cublasSgemm_v2(handle, transB ? CUBLAS_OP_T : CUBLAS_OP_N, transA ? CUBLAS_OP_T : CUBLAS_OP_N,
                n, m, k, alphaBeta.getPointer(0), RawAddress.floats(b), Math.max(1, ldb),
                RawAddress.floats(a), Math.max(1, lda), alphaBeta.getPointer(1), RawAddress.floats(c), Math.max(1, ldc)),
                "cublasSgemm");
    }

    @Override
    public void ssyrk(int n, int k, float alpha, long a, int lda, float beta, long c, int ldc) {
        alphaBeta.put(0, alpha).put(1, beta);
        // Row-major upper of A A^T is column-major lower of (A^T)^T (A^T), A^T being A read column-major.
        check(cublasSsyrk_v2(handle, CUBLAS_FILL_MODE_LOWER, CUBLAS_OP_T, n, k, alphaBeta.getPointer(0),
                RawAddress.floats(a), Math.max(1, lda), alphaBeta.getPointer(1), RawAddress.floats(c), Math.max(1, ldc)),
                "cublasSsyrk");
    }

    @Override
    public void allowTf32(boolean allow) {
        check(cublasSetMathMode(handle, allow ? CUBLAS_TF32_TENSOR_OP_MATH : CUBLAS_DEFAULT_MATH), "cublasSetMathMode");
    }

    @Override
    public void close() {
        cublasDestroy_v2(handle);
        alphaBeta.close();
    }
}
