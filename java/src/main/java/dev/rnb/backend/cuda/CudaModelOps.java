package dev.rnb.backend.cuda;

import dev.rnb.backend.ModelOps;
import dev.rnb.backend.Tensor;

/**
 * Launch code of the byte-level GPT's kernels (cuda/encoder.cu, layernorm.cu,
 * residual_layernorm.cu, bias.cu, attention.cu, gelu.cu, residual.cu,
 * crossentropy.cu, global_norm.cu, adamw.cu; contracts and launch shapes in cuda/KERNELS.md)
 * for {@link CudaBackend}'s {@link ModelOps}, or cuDNN's
 * attention ({@link CudnnAttention}) when chosen. Everything stays in device
 * memory; nothing is copied to or from the host here.
 */
final class CudaModelOps implements ModelOps {
    private static final int THREADS = 256;
    /** Warp-per-row kernels: 8 rows per 256-thread block. */
    private static final int ROWS_PER_BLOCK = THREADS / 32;

    private final CudaDevice device;
    /** cuDNN's attention when the backend chose it ({@link AttentionPath#CUDNN}), else null. */
    private CudnnAttention cudnn;

    CudaModelOps(CudaDevice device) {
        this.device = device;
    }

    private static long a(Tensor t) { return DeviceTensor.address(t); }

    private void elementwise(String kernel, long n, KernelArgs args) {
        if (n > 0) {
            device.launch(kernel, Dim3.of(Dim3.blocks(n, THREADS)), Dim3.of(THREADS), 0, args);
        }
    }

    private void warpRows(String kernel, long rows, KernelArgs args) {
        if (rows > 0) {
            device.launch(kernel, Dim3.of(Dim3.blocks(rows, ROWS_PER_BLOCK)), Dim3.of(THREADS), 0, args);
        }
    }

    /** Attention through cuDNN from now on (null: our kernels); closes the previous one. */
    void useCudnn(CudnnAttention attention) {
        if (cudnn != null) {
            cudnn.close();
        }
        cudnn = attention;
    }

    CudnnAttention cudnn() { return cudnn; }

    /** A device allocation is being freed: forget cuDNN state kept for tensors inside it. */
    void released(long address, long bytes) {
        if (cudnn != null) {
            cudnn.released(address, bytes);
        }
    }

    @Override
    public void encoderForward(Tensor out, Tensor tokens, Tensor wte, Tensor wpe, int B, int T, int C) {
        elementwise("rnb_encoder_forward", (long) B * T * C,
                new KernelArgs().ptr(a(out)).ptr(a(tokens)).ptr(a(wte)).ptr(a(wpe)).i32(B * T).i32(T).i32(C));
    }

    @Override
    public void encoderBackward(Tensor dwte, Tensor dwpe, Tensor dout, Tensor tokens, int B, int T, int C) {
        elementwise("rnb_encoder_backward", (long) B * T * C,
                new KernelArgs().ptr(a(dwte)).ptr(a(dwpe)).ptr(a(dout)).ptr(a(tokens)).i32(B * T).i32(T).i32(C));
    }

    @Override
    public void layerNormForward(Tensor out, Tensor mean, Tensor rstd, Tensor inp, Tensor weight, Tensor bias, int N, int C) {
        warpRows("rnb_layernorm_forward", N,
                new KernelArgs().ptr(a(out)).ptr(a(mean)).ptr(a(rstd)).ptr(a(inp)).ptr(a(weight)).ptr(a(bias)).i32(N).i32(C));
    }

    @Override
    public void residualLayerNormForward(Tensor residual, Tensor out, Tensor mean, Tensor rstd, Tensor inp, Tensor delta,
                                         Tensor weight, Tensor bias, int N, int C) {
        warpRows("rnb_residual_layernorm_forward", N, new KernelArgs().ptr(a(residual)).ptr(a(out)).ptr(a(mean)).ptr(a(rstd))
                .ptr(a(inp)).ptr(a(delta)).ptr(a(weight)).ptr(a(bias)).i32(N).i32(C));
    }

    @Override
    public void layerNormBackward(Tensor dinp, Tensor dweight, Tensor dbias, Tensor dout, Tensor inp, Tensor weight,
                           Tensor mean, Tensor rstd, int N, int C) {
        warpRows("rnb_layernorm_backward_input", N,
                new KernelArgs().ptr(a(dinp)).ptr(a(dout)).ptr(a(inp)).ptr(a(weight)).ptr(a(mean)).ptr(a(rstd)).i32(N).i32(C));
        elementwise("rnb_layernorm_backward_params", C,
                new KernelArgs().ptr(a(dweight)).ptr(a(dbias)).ptr(a(dout)).ptr(a(inp)).ptr(a(mean)).ptr(a(rstd)).i32(N).i32(C));
    }

    @Override
    public void biasAdd(Tensor out, Tensor bias, int N, int OC) {
        elementwise("rnb_bias_add", (long) N * OC, new KernelArgs().ptr(a(out)).ptr(a(bias)).i32(N).i32(OC));
    }

    @Override
    public void biasBackward(Tensor dbias, Tensor dout, int N, int OC) {
        elementwise("rnb_bias_backward", OC, new KernelArgs().ptr(a(dbias)).ptr(a(dout)).i32(N).i32(OC));
    }

    @Override
    public void attentionForward(Tensor out, Tensor att, Tensor qkv, int B, int T, int C, int NH) {
        if (cudnn != null && cudnn.forward(a(out), a(att), a(qkv), B, T, C, NH)) {
            return;
        }
        warpRows("rnb_attention_forward", (long) B * NH * T,
                new KernelArgs().ptr(a(out)).ptr(a(att)).ptr(a(qkv)).i32(B).i32(T).i32(C).i32(NH));
    }

    @Override
    public void attentionBackward(Tensor dqkv, Tensor dpreatt, Tensor dout, Tensor qkv, Tensor att, int B, int T, int C, int NH) {
        // cuDNN runs the backward of the forwards it ran (it kept a reserve space under att).
        if (cudnn != null && cudnn.backward(a(dqkv), a(dout), a(qkv), a(att), B, T, C, NH)) {
            return;
        }
        KernelArgs args = new KernelArgs().ptr(a(dqkv)).ptr(a(dpreatt)).ptr(a(dout)).ptr(a(qkv)).ptr(a(att)).i32(B).i32(T).i32(C).i32(NH);
        warpRows("rnb_attention_backward_query", (long) B * NH * T, args);
        warpRows("rnb_attention_backward_key", (long) B * NH * T, args);
    }

    @Override
    public void geluForward(Tensor out, Tensor inp, long n) {
        elementwise("rnb_gelu_forward", n, new KernelArgs().ptr(a(out)).ptr(a(inp)).i64(n));
    }

    @Override
    public void geluBackward(Tensor dinp, Tensor inp, Tensor dout, long n) {
        elementwise("rnb_gelu_backward", n, new KernelArgs().ptr(a(dinp)).ptr(a(inp)).ptr(a(dout)).i64(n));
    }

    @Override
    public void add(Tensor out, Tensor x, Tensor y, long n) {
        elementwise("rnb_add", n, new KernelArgs().ptr(a(out)).ptr(a(x)).ptr(a(y)).i64(n));
    }

    @Override
    public void crossEntropy(Tensor losses, Tensor lossSum, Tensor dlogits, Tensor logits, Tensor targets, Tensor weights, int N, int V) {
        if (N > 0) {
            device.launch("rnb_cross_entropy", Dim3.of(N), Dim3.of(THREADS), 0,
                    new KernelArgs().ptr(a(losses)).ptr(dlogits == null ? 0L : a(dlogits)).ptr(a(logits)).ptr(a(targets))
                            .ptr(a(weights)).i32(N).i32(V));
        }
        device.launch("rnb_loss_sum", Dim3.of(1), Dim3.of(THREADS), 0, new KernelArgs().ptr(a(lossSum)).ptr(a(losses)).i32(N));
    }

    @Override
    public void squaredNorm(Tensor out, Tensor x, long n) {
        device.launch("rnb_squared_norm", Dim3.of(1), Dim3.of(THREADS), 0, new KernelArgs().ptr(a(out)).ptr(a(x)).i64(n));
    }

    @Override
    public void adamw(Tensor params, Tensor grads, Tensor m, Tensor v, long n, Tensor normSq, float maxNorm,
               float lr, float beta1, float beta2, float eps, float weightDecay, int t) {
        float c1 = (float) (1.0 - Math.pow(beta1, t)), c2 = (float) (1.0 - Math.pow(beta2, t));
        elementwise("rnb_adamw", n, new KernelArgs().ptr(a(params)).ptr(a(grads)).ptr(a(m)).ptr(a(v)).i64(n).ptr(a(normSq))
                .f32(maxNorm).f32(lr).f32(beta1).f32(beta2).f32(eps).f32(weightDecay).f32(c1).f32(c2));
    }
}
