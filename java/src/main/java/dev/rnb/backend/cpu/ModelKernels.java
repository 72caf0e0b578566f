package dev.rnb.backend.cpu;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.annotation.Platform;

/**
 * JavaCPP binding of native/rnb_model.h: the byte-level GPT's CPU kernels
 * (contracts in {@link dev.rnb.backend.ModelOps}). Linked, like
 * {@link CpuKernels}, from the CMake library rnb_cpu.
 */
@Platform(include = "rnb_model.h", link = {"gomp", "rnb_cpu"})
public final class ModelKernels {
    static {
        Loader.load();
    }

    private ModelKernels() {}

    public static native void rnb_model_set_parallel_min_work(long work);

    public static native long rnb_model_parallel_min_work();

    public static native void rnb_model_encoder_forward(FloatPointer out, FloatPointer tokens, FloatPointer wte, FloatPointer wpe, int B, int T, int C);

    public static native void rnb_model_encoder_backward(FloatPointer dwte, FloatPointer dwpe, FloatPointer dout, FloatPointer tokens, int B, int T, int C);

    public static native void rnb_model_layernorm_forward(FloatPointer out, FloatPointer mean, FloatPointer rstd, FloatPointer inp,
                                                          FloatPointer weight, FloatPointer bias, int N, int C);

    public static native void rnb_model_layernorm_backward(FloatPointer dinp, FloatPointer dweight, FloatPointer dbias, FloatPointer dout,
                                                           FloatPointer inp, FloatPointer weight, FloatPointer mean, FloatPointer rstd, int N, int C);

    public static native void rnb_model_bias_add(FloatPointer out, FloatPointer bias, int N, int OC);

    public static native void rnb_model_bias_backward(FloatPointer dbias, FloatPointer dout, int N, int OC);

    public static native void rnb_model_causal_softmax(FloatPointer att, int BH, int T);

    public static native void rnb_model_causal_softmax_backward(FloatPointer dpreatt, FloatPointer att, int BH, int T);

    public static native void rnb_model_gelu_forward(FloatPointer out, FloatPointer inp, long n);

    public static native void rnb_model_gelu_backward(FloatPointer dinp, FloatPointer inp, FloatPointer dout, long n);

    public static native void rnb_model_add(FloatPointer out, FloatPointer a, FloatPointer b, long n);

    public static native void rnb_model_cross_entropy(FloatPointer losses, FloatPointer lossSum, FloatPointer dlogits, FloatPointer logits,
                                                      FloatPointer targets, FloatPointer weights, int N, int V);

    public static native void rnb_model_squared_norm(FloatPointer out, FloatPointer x, long n);

    public static native void rnb_model_adamw(FloatPointer params, FloatPointer grads, FloatPointer m, FloatPointer v, long n,
                                              FloatPointer normSq, float maxNorm, float lr, float beta1, float beta2, float eps,
                                              float weightDecay, int t);
}
