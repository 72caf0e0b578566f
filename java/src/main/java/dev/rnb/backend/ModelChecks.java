package dev.rnb.backend;

/**
 * Argument checks of the {@link ModelOps} operations, shared by the backends
 * so that every backend rejects a too-small tensor or a bad shape the same
 * way, before native code could read or write out of bounds. Token ids are
 * not checked here (that would read device memory); {@code Gpt.setBatch}
 * checks them on the host.
 */
public final class ModelChecks {
    private ModelChecks() {}

    private static void need(String op, String name, Tensor t, long floats) {
        if (t.size() < floats) {
            throw new IllegalArgumentException(op + ": " + name + " holds " + t.size() + " floats, needs " + floats);
        }
    }

    private static void sizes(String op, long... dims) {
        for (long d : dims) {
            if (d < 0) {
                throw new IllegalArgumentException(op + ": negative size " + d);
            }
        }
    }

    public static void encoder(String op, Tensor acts, Tensor tokens, Tensor wte, Tensor wpe, int B, int T, int C) {
        sizes(op, B, T, C);
        long N = (long) B * T;
        need(op, "activations", acts, N * C);
        need(op, "tokens", tokens, N);
        need(op, "wte", wte, C);
        need(op, "wpe", wpe, (long) T * C);
    }

    public static void layerNorm(String op, Tensor rows, Tensor inp, Tensor mean, Tensor rstd, Tensor weight, Tensor bias, int N, int C) {
        sizes(op, N, C);
        need(op, "output", rows, (long) N * C);
        need(op, "input", inp, (long) N * C);
        need(op, "mean", mean, N);
        need(op, "rstd", rstd, N);
        need(op, "weight", weight, C);
        need(op, "bias", bias, C);
    }

    public static void layerNormBackward(Tensor dinp, Tensor dweight, Tensor dbias, Tensor dout, Tensor inp, Tensor weight,
                                         Tensor mean, Tensor rstd, int N, int C) {
        String op = "layerNormBackward";
        layerNorm(op, dout, inp, mean, rstd, weight, dbias, N, C);
        need(op, "dinp", dinp, (long) N * C);
        need(op, "dweight", dweight, C);
    }

    public static void bias(String op, Tensor rows, Tensor bias, int N, int OC) {
        sizes(op, N, OC);
        need(op, "rows", rows, (long) N * OC);
        need(op, "bias", bias, OC);
    }

    public static void attention(String op, Tensor out, Tensor att, Tensor qkv, int B, int T, int C, int NH) {
        sizes(op, B, T, C);
        if (NH < 1 || C % NH != 0) {
            throw new IllegalArgumentException(op + ": channels " + C + " must be a multiple of heads " + NH);
        }
        long N = (long) B * T;
        need(op, "out", out, N * C);
        need(op, "att", att, (long) B * NH * T * T);
        need(op, "qkv", qkv, 3 * N * C);
    }

    public static void attentionBackward(Tensor dqkv, Tensor dpreatt, Tensor dout, Tensor qkv, Tensor att, int B, int T, int C, int NH) {
        String op = "attentionBackward";
        attention(op, dout, att, qkv, B, T, C, NH);
        need(op, "dqkv", dqkv, 3L * B * T * C);
        need(op, "dpreatt", dpreatt, (long) B * NH * T * T);
    }

    public static void elementwise(String op, long n, Tensor... tensors) {
        sizes(op, n);
        for (Tensor t : tensors) {
            need(op, "operand", t, n);
        }
    }

    public static void crossEntropy(Tensor losses, Tensor lossSum, Tensor dlogits, Tensor logits, Tensor targets, Tensor weights, int N, int V) {
        String op = "crossEntropy";
        sizes(op, N);
        if (V < 1) {
            throw new IllegalArgumentException(op + ": vocabulary must be >= 1, got " + V);
        }
        need(op, "logits", logits, (long) N * V);
        if (dlogits != null) {
            need(op, "dlogits", dlogits, (long) N * V);
        }
        need(op, "losses", losses, N);
        need(op, "targets", targets, N);
        need(op, "weights", weights, N);
        need(op, "lossSum", lossSum, 1);
    }

    public static void adamw(Tensor params, Tensor grads, Tensor m, Tensor v, long n, Tensor normSq, int t) {
        elementwise("adamw", n, params, grads, m, v);
        need("adamw", "normSq", normSq, 1);
        if (t < 1) {
            throw new IllegalArgumentException("adamw: step counts from 1, got " + t);
        }
    }
}
