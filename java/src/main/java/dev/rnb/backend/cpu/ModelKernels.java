package dev.rnb.backend.cpu;

import dev.rnb.backend.ModelOps;
import dev.rnb.backend.Tensor;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.annotation.Cast;
import org.bytedeco.javacpp.annotation.Const;
import org.bytedeco.javacpp.annotation.CriticalRegion;
import org.bytedeco.javacpp.annotation.Platform;
import org.bytedeco.openblas.global.openblas_nolapack;

import java.util.List;

import static dev.rnb.backend.cpu.NativeTensor.at;

/**
 * The cpu backend's {@link ModelOps}: the JavaCPP binding of
 * native/rnb_model.h (the byte-level GPT's C++ kernels of native/model_*.cpp,
 * linked, like {@link CpuKernels}, from the CMake library rnb_cpu), and the
 * operations that unwrap off-heap tensors and call them. Attention's GEMMs are
 * OpenBLAS's, called from native code through the address of cblas_sgemm
 * resolved here once.
 *
 * <p>The kernels exist once per instruction set (baseline, avx2, avx512); the
 * library picks the best the CPU supports. The system property
 * {@value #ISA_PROPERTY}, else the environment variable {@value #ISA_ENV},
 * forces one ({@link #selectIsa}).
 */
@Platform(include = "rnb_model.h", link = {"gomp", "rnb_cpu"})
public final class ModelKernels implements ModelOps {
    public static final String ISA_PROPERTY = "rnb.cpu.isa";
    public static final String ISA_ENV = "RNB_CPU_ISA";

    /** Whether the selected instruction set has the native fused head split; asked once per selection. */
    private static volatile boolean fusedHeadSplit;

    /** The selected instruction set: 0 baseline, 1 avx2, 2 avx512; asked once per selection. */
    private static volatile int isaLevel;

    private static final List<String> ISAS = List.of("baseline", "avx2", "avx512");

    static {
        Loader.load();
        Loader.load(openblas_nolapack.class);
        Pointer sgemm = Loader.addressof("cblas_sgemm");
        if (sgemm == null) {
            throw new UnsatisfiedLinkError("cblas_sgemm not found in the loaded OpenBLAS");
        }
        rnb_model_set_sgemm(sgemm);
        String forced = System.getProperty(ISA_PROPERTY, System.getenv(ISA_ENV));
        if (forced != null && !forced.isEmpty()) {
            selectIsa(forced);
        }
        fusedHeadSplit = rnb_model_has_domain_grad_with_head() == 1;
        isaLevel = ISAS.indexOf(rnb_model_isa());
    }

    ModelKernels() {}

    /** The instruction set the kernels run with: "baseline" (x86-64: SSE2), "avx2" or "avx512". */
    public static String isa() {
        return rnb_model_isa();
    }

    /** Whether this CPU runs the kernels built for {@code name}. */
    public static boolean isaSupported(String name) {
        return rnb_model_isa_supported(name) == 1;
    }

    /**
     * Whether {@code rnb_model_domain_grad_with_head} runs with the selected
     * instruction set (AVX-512 only): callers that would otherwise fill its
     * row-order buffers for a call that declines ask this first.
     */
    public static boolean hasFusedHeadSplit() {
        return fusedHeadSplit;
    }

    /** {@link #isa()} as 0 (baseline), 1 (avx2) or 2 (avx512), without a native call. */
    static int isaLevel() {
        return isaLevel;
    }

    /** Runs the kernels built for {@code name} from now on; IllegalArgumentException if unknown or not on this CPU. */
    public static void selectIsa(String name) {
        int status = rnb_model_select_isa(name);
        fusedHeadSplit = rnb_model_has_domain_grad_with_head() == 1;
        isaLevel = ISAS.indexOf(rnb_model_isa());
        if (status == -1) {
            throw new IllegalArgumentException("unknown instruction set '" + name + "' (" + ISA_PROPERTY + " / " + ISA_ENV
                    + "): expected baseline, avx2 or avx512");
        }
        if (status != 0) {
            throw new IllegalArgumentException("instruction set '" + name + "' (" + ISA_PROPERTY + " / " + ISA_ENV
                    + ") is not supported by this CPU");
        }
    }

    @Override
    public void encoderForward(Tensor out, Tensor tokens, Tensor wte, Tensor wpe, int B, int T, int C) {
        rnb_model_encoder_forward(at(out), at(tokens), at(wte), at(wpe), B, T, C);
    }

    @Override
    public void encoderBackward(Tensor dwte, Tensor dwpe, Tensor dout, Tensor tokens, int B, int T, int C) {
        rnb_model_encoder_backward(at(dwte), at(dwpe), at(dout), at(tokens), B, T, C);
    }

    @Override
    public void layerNormForward(Tensor out, Tensor mean, Tensor rstd, Tensor inp, Tensor weight, Tensor bias, int N, int C) {
        rnb_model_layernorm_forward(at(out), at(mean), at(rstd), at(inp), at(weight), at(bias), N, C);
    }

    @Override
    public void residualLayerNormForward(Tensor residual, Tensor out, Tensor mean, Tensor rstd, Tensor inp, Tensor delta,
                                         Tensor weight, Tensor bias, int N, int C) {
        rnb_model_residual_layernorm_forward(at(residual), at(out), at(mean), at(rstd), at(inp), at(delta), at(weight), at(bias), N, C);
    }

    @Override
    public void layerNormBackward(Tensor dinp, Tensor dweight, Tensor dbias, Tensor dout, Tensor inp, Tensor weight,
                                  Tensor mean, Tensor rstd, int N, int C) {
        rnb_model_layernorm_backward(at(dinp), at(dweight), at(dbias), at(dout), at(inp), at(weight), at(mean), at(rstd), N, C);
    }

    @Override
    public void residualLayerNormBackward(Tensor dinp, Tensor dweight, Tensor dbias, Tensor ddeltaBias, Tensor dout, Tensor inp,
                                          Tensor weight, Tensor mean, Tensor rstd, int N, int C) {
        rnb_model_residual_layernorm_backward(at(dinp), at(dweight), at(dbias), at(ddeltaBias), at(dout), at(inp), at(weight),
                at(mean), at(rstd), N, C);
    }

    @Override
    public void biasAdd(Tensor out, Tensor bias, int N, int OC) {
        rnb_model_bias_add(at(out), at(bias), N, OC);
    }

    @Override
    public void biasBackward(Tensor dbias, Tensor dout, int N, int OC) {
        rnb_model_bias_backward(at(dbias), at(dout), N, OC);
    }

    @Override
    public void attentionForward(Tensor out, Tensor att, Tensor qkv, int B, int T, int C, int NH) {
        rnb_model_attention_forward(at(out), at(att), at(qkv), B, T, C, NH);
    }

    @Override
    public void attentionBackward(Tensor dqkv, Tensor dpreatt, Tensor dout, Tensor qkv, Tensor att, int B, int T, int C, int NH) {
        rnb_model_attention_backward(at(dqkv), at(dpreatt), at(dout), at(qkv), at(att), B, T, C, NH);
    }

    @Override
    public void geluForward(Tensor out, Tensor inp, long n) {
        rnb_model_gelu_forward(at(out), at(inp), n);
    }

    @Override
    public void geluBackward(Tensor dinp, Tensor inp, Tensor dout, long n) {
        rnb_model_gelu_backward(at(dinp), at(inp), at(dout), n);
    }

    @Override
    public void add(Tensor out, Tensor a, Tensor b, long n) {
        rnb_model_add(at(out), at(a), at(b), n);
    }

    @Override
    public void crossEntropy(Tensor losses, Tensor lossSum, Tensor dlogits, Tensor logits, Tensor targets, Tensor weights, int N, int V) {
        rnb_model_cross_entropy(at(losses), at(lossSum), dlogits == null ? null : at(dlogits), at(logits), at(targets), at(weights), N, V);
    }

    @Override
    public void squaredNorm(Tensor out, Tensor x, long n) {
        rnb_model_squared_norm(at(out), at(x), n);
    }

    @Override
    public void adamw(Tensor params, Tensor grads, Tensor m, Tensor v, long n, Tensor normSq, float maxNorm,
                      float lr, float beta1, float beta2, float eps, float weightDecay, int t) {
        rnb_model_adamw(at(params), at(grads), at(m), at(v), n, at(normSq), maxNorm, lr, beta1, beta2, eps, weightDecay, t);
    }

    // ---------------------------------------------------------------- the binding

    public static native int rnb_model_select_isa(String name);

    public static native int rnb_model_isa_supported(String name);

    public static native String rnb_model_isa();

    public static native void rnb_model_set_parallel_min_work(long work);

    public static native long rnb_model_parallel_min_work();

    public static native void rnb_model_encoder_forward(FloatPointer out, FloatPointer tokens, FloatPointer wte, FloatPointer wpe, int B, int T, int C);

    public static native void rnb_model_encoder_backward(FloatPointer dwte, FloatPointer dwpe, FloatPointer dout, FloatPointer tokens, int B, int T, int C);

    public static native void rnb_model_layernorm_forward(FloatPointer out, FloatPointer mean, FloatPointer rstd, FloatPointer inp,
                                                          FloatPointer weight, FloatPointer bias, int N, int C);

    public static native void rnb_model_residual_layernorm_forward(FloatPointer residual, FloatPointer out, FloatPointer mean,
                                                                   FloatPointer rstd, FloatPointer inp, FloatPointer delta,
                                                                   FloatPointer weight, FloatPointer bias, int N, int C);

    public static native void rnb_model_layernorm_backward(FloatPointer dinp, FloatPointer dweight, FloatPointer dbias, FloatPointer dout,
                                                           FloatPointer inp, FloatPointer weight, FloatPointer mean, FloatPointer rstd, int N, int C);

    public static native void rnb_model_residual_layernorm_backward(FloatPointer dinp, FloatPointer dweight, FloatPointer dbias,
                                                                    FloatPointer ddeltaBias, FloatPointer dout, FloatPointer inp,
                                                                    FloatPointer weight, FloatPointer mean, FloatPointer rstd,
                                                                    int N, int C);

    public static native void rnb_model_bias_add(FloatPointer out, FloatPointer bias, int N, int OC);

    public static native void rnb_model_bias_backward(FloatPointer dbias, FloatPointer dout, int N, int OC);

    public static native void rnb_model_set_sgemm(Pointer cblasSgemm);

    public static native void rnb_model_time_attention_gemms(int on);

    public static native long rnb_model_attention_gemm_nanos();

    public static native void rnb_model_attention_forward(FloatPointer out, FloatPointer att, FloatPointer qkv, int B, int T, int C, int NH);

    public static native void rnb_model_attention_backward(FloatPointer dqkv, FloatPointer dpreatt, FloatPointer dout, FloatPointer qkv,
                                                           FloatPointer att, int B, int T, int C, int NH);

    public static native void rnb_model_gelu_forward(FloatPointer out, FloatPointer inp, long n);

    public static native void rnb_model_gelu_backward(FloatPointer dinp, FloatPointer inp, FloatPointer dout, long n);

    public static native void rnb_model_add(FloatPointer out, FloatPointer a, FloatPointer b, long n);

    public static native void rnb_model_cross_entropy(FloatPointer losses, FloatPointer lossSum, FloatPointer dlogits, FloatPointer logits,
                                                      FloatPointer targets, FloatPointer weights, int N, int V);

    public static native void rnb_model_squared_norm(FloatPointer out, FloatPointer x, long n);

    public static native void rnb_model_adamw(FloatPointer params, FloatPointer grads, FloatPointer m, FloatPointer v, long n,
                                              FloatPointer normSq, float maxNorm, float lr, float beta1, float beta2, float eps,
                                              float weightDecay, int t);

    public static native int rnb_model_domain_grad_with_head(FloatPointer h, FloatPointer e, int hDim, int vDim, IntPointer rowOrder,
                                                              IntPointer segmentStart, IntPointer segmentSlot, int segments,
                                                              FloatPointer g, FloatPointer head, FloatPointer scratch);

    public static native int rnb_model_domain_grad_with_head_scratch(int vDim, int hDim);

    public static native int rnb_model_has_domain_grad_with_head();

    // A batch's small per-domain pieces in one call (native/domain_pieces_small.cpp),
    // the segments' rows as runs (DomainSegments): the arrays are Java's own,
    // pinned for the call (no copy).

    @CriticalRegion
    public static native void rnb_model_domain_grad_small(FloatPointer h, FloatPointer e, int hDim, int vDim, @Const int[] runFirst,
                                                          @Const int[] runRows, @Const int[] segmentRun, @Const int[] segmentSlot,
                                                          int segments, int rows, FloatPointer g);

    @CriticalRegion
    public static native void rnb_model_domain_sketch_small(FloatPointer h, FloatPointer e, int hDim, int vDim, @Const int[] runFirst,
                                                            @Const int[] runRows, @Const int[] segmentRun, @Const int[] segmentSlot,
                                                            int segments, int rows, int r,
                                                            @Cast("const uint32_t*") IntPointer codes, int firstFresh, int slotRows,
                                                            FloatPointer sketch);

    // R&B's G p and update (native/balance_round.cpp). The k-float arrays are
    // Java's own, pinned for the call (JNI critical region: no copy in or out,
    // the collector waits for the call, tens of ms at k = 10^6); the kernels
    // call back into nothing.

    @CriticalRegion
    public static native void rnb_model_gram_times_p(FloatPointer x, @Const float[] scale, @Const float[] p, int k, long d, float[] gp);

    @CriticalRegion
    public static native void rnb_model_gram_times_p_then_zero(FloatPointer x, @Const float[] scale, @Const float[] p, int k, long d,
                                                               float[] gp);

    @CriticalRegion
    public static native void rnb_model_gram_times_p_then_zero_blocks(FloatPointer x, @Const float[] scale, @Const float[] p, int k,
                                                                      long d, @Const int[] blocks, int nBlocks, float[] gp);

    @CriticalRegion
    public static native int rnb_model_balance_update(@Const float[] gp, @Const float[] scale, @Const float[] current, float lambda,
                                                      int k, float[] next);

    @CriticalRegion
    public static native int rnb_model_balance_round(FloatPointer x, @Const float[] scale, @Const float[] p, @Const float[] current,
                                                     float lambda, int k, long d, float[] next);
}
