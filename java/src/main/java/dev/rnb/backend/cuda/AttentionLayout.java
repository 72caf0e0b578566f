package dev.rnb.backend.cuda;

/**
 * Launch code of cuda/attention_layout.cu: moves attention operands between
 * our row layout (rows b*T + t, head h at columns h*hs..) and the per-head
 * layout (B, NH, T, hs) that cuDNN's attention reads and writes.
 */
final class AttentionLayout {
    private static final int THREADS = 256;

    private final CudaDevice device;

    AttentionLayout(CudaDevice device) {
        this.device = device;
    }

    /** heads (B, NH, T, hs) = the B*T x C block starting at rows, rows {@code stride} floats apart. */
    void toHeads(long heads, long rows, int stride, int B, int T, int C, int NH) {
        launch("rnb_attention_rows_to_heads", (long) B * T * C,
                new KernelArgs().ptr(heads).ptr(rows).i32(stride).i32(B).i32(T).i32(C).i32(NH));
    }

    /** The B*T x C block starting at rows (= or += when accumulate) heads (B, NH, T, hs). */
    void toRows(long rows, long heads, int stride, boolean accumulate, int B, int T, int C, int NH) {
        launch("rnb_attention_heads_to_rows", (long) B * T * C,
                new KernelArgs().ptr(rows).ptr(heads).i32(stride).i32(B).i32(T).i32(C).i32(NH).i32(accumulate ? 1 : 0));
    }

    private void launch(String kernel, long n, KernelArgs args) {
        if (n > 0) {
            device.launch(kernel, Dim3.of(Dim3.blocks(n, THREADS)), Dim3.of(THREADS), 0, args);
        }
    }
}
