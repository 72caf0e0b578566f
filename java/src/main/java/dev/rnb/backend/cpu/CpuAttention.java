package dev.rnb.backend.cpu;

import org.bytedeco.javacpp.FloatPointer;

import static org.bytedeco.openblas.global.openblas_nolapack.*;

/**
 * Causal multi-head attention on the cpu as GEMMs (llm.c's cuBLAS layout):
 * for each (batch, head) the scores Q K^T and the output P V are OpenBLAS
 * calls on strided views of qkv (rows of 3C floats, head h at columns
 * h*hs), with the masked softmax and its backward as native kernels between
 * them. The scores' upper triangle is computed and then zeroed: twice the
 * causal multiply-adds, but at GEMM speed, which the per-element loops this
 * replaced ran 10x below (docs/BENCHMARKS.md).
 */
final class CpuAttention {
    private CpuAttention() {}

    /** out (B,T,C) and att (B,NH,T,T) from qkv (B,T,3C). */
    static void forward(FloatPointer out, FloatPointer att, FloatPointer qkv, int B, int T, int C, int NH) {
        int hs = C / NH, c3 = 3 * C;
        float scale = (float) (1.0 / Math.sqrt(hs));
        for (int b = 0; b < B; b++) {
            for (int h = 0; h < NH; h++) {
                long q = (long) b * T * c3 + (long) h * hs;
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, T, T, hs, scale, qkv.getPointer(q), c3,
                        qkv.getPointer(q + C), c3, 0f, att.getPointer(block(b, h, NH, T)), T);
            }
        }
        ModelKernels.rnb_model_causal_softmax(att, B * NH, T);
        for (int b = 0; b < B; b++) {
            for (int h = 0; h < NH; h++) {
                long q = (long) b * T * c3 + (long) h * hs;
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, T, hs, T, 1f, att.getPointer(block(b, h, NH, T)), T,
                        qkv.getPointer(q + 2L * C), c3, 0f, out.getPointer((long) b * T * C + (long) h * hs), C);
            }
        }
    }

    /** dqkv += the gradient through attention; dpreatt (B,NH,T,T) receives the scores' gradient (unscaled). */
    static void backward(FloatPointer dqkv, FloatPointer dpreatt, FloatPointer dout, FloatPointer qkv, FloatPointer att,
                         int B, int T, int C, int NH) {
        int hs = C / NH, c3 = 3 * C;
        float scale = (float) (1.0 / Math.sqrt(hs));
        for (int b = 0; b < B; b++) {
            for (int h = 0; h < NH; h++) {
                long q = (long) b * T * c3 + (long) h * hs, o = (long) b * T * C + (long) h * hs, blk = block(b, h, NH, T);
                // dP = dO V^T; dV += P^T dO
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, T, T, hs, 1f, dout.getPointer(o), C,
                        qkv.getPointer(q + 2L * C), c3, 0f, dpreatt.getPointer(blk), T);
                cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, T, hs, T, 1f, att.getPointer(blk), T,
                        dout.getPointer(o), C, 1f, dqkv.getPointer(q + 2L * C), c3);
            }
        }
        ModelKernels.rnb_model_causal_softmax_backward(dpreatt, att, B * NH, T);
        for (int b = 0; b < B; b++) {
            for (int h = 0; h < NH; h++) {
                long q = (long) b * T * c3 + (long) h * hs, blk = block(b, h, NH, T);
                // dQ += scale dS K; dK += scale dS^T Q
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, T, hs, T, scale, dpreatt.getPointer(blk), T,
                        qkv.getPointer(q + C), c3, 1f, dqkv.getPointer(q), c3);
                cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, T, hs, T, scale, dpreatt.getPointer(blk), T,
                        qkv.getPointer(q), c3, 1f, dqkv.getPointer(q + C), c3);
            }
        }
    }

    private static long block(int b, int h, int NH, int T) {
        return ((long) b * NH + h) * T * T;
    }
}
