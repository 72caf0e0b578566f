package dev.rnb.backend;

/**
 * The argument checks of every {@link Backend} operation, called once by the
 * front door ({@link Backend}) before any device code runs, so every device
 * rejects a bad shape or a too-small tensor with the same exception and
 * message, before native code could read or write out of bounds. Token ids
 * are not checked here (that would read device memory); {@code Gpt.setBatch}
 * checks them on the host.
 */
final class ArgumentChecks {
    private ArgumentChecks() {}

    static void range(Tensor t, long offset, long length) {
        if (offset < 0 || length < 0 || offset + length > t.size()) {
            throw new IndexOutOfBoundsException("range [" + offset + ", " + (offset + length) + ") outside a tensor of " + t.size() + " floats");
        }
    }

    static void view(Tensor base, long offset, long size) {
        if (offset < 0 || size < 0 || offset + size > base.size()) {
            throw new IndexOutOfBoundsException("view [" + offset + ", " + (offset + size) + ") outside a tensor of " + base.size() + " floats");
        }
    }

    static void gemmShapes(boolean transA, boolean transB, int m, int n, int k,
                                  Tensor a, int lda, Tensor b, int ldb, Tensor c, int ldc) {
        if (m < 0 || n < 0 || k < 0) {
            throw new IllegalArgumentException("gemm: negative size m=" + m + " n=" + n + " k=" + k);
        }
        long aRows = transA ? k : m, aCols = transA ? m : k;
        long bRows = transB ? n : k, bCols = transB ? k : n;
        gemmOperand("A", a, aRows, aCols, lda);
        gemmOperand("B", b, bRows, bCols, ldb);
        gemmOperand("C", c, m, n, ldc);
    }

    private static void gemmOperand(String what, Tensor t, long rows, long cols, int ld) {
        if (rows == 0 || cols == 0) {
            return;
        }
        if (ld < cols) {
            throw new IllegalArgumentException("gemm: leading dimension of " + what + " is " + ld + " < " + cols + " columns");
        }
        long needed = (rows - 1) * ld + cols;
        if (t.size() < needed) {
            throw new IllegalArgumentException("gemm: " + what + " holds " + t.size() + " floats, needs " + needed);
        }
    }

    static void domainGrad(Tensor h, Tensor e, int hDim, int vDim, DomainSegments s, Tensor g) {
        if (hDim < 1 || vDim < 1) {
            throw new IllegalArgumentException("hidden and vocab widths must be >= 1, got h=" + hDim + " v=" + vDim);
        }
        long rows = s.rows();
        if (h.size() < rows * hDim) {
            throw new IllegalArgumentException("H holds " + h.size() + " floats, needs rows*h = " + rows * hDim);
        }
        if (e.size() < rows * vDim) {
            throw new IllegalArgumentException("E holds " + e.size() + " floats, needs rows*v = " + rows * vDim);
        }
        long needed = (long) s.domains() * hDim * vDim;
        if (g.size() < needed) {
            throw new IllegalArgumentException("G holds " + g.size() + " floats, needs k*v*h = " + needed);
        }
    }

    static void headGrad(int hDim, int vDim, Tensor headGrad) {
        long needed = (long) hDim * vDim;
        if (headGrad.size() < needed) {
            throw new IllegalArgumentException("head gradient holds " + headGrad.size() + " floats, needs v*h = " + needed);
        }
    }

    static void domainGradSketch(Tensor h, Tensor e, int hDim, int vDim, DomainSegments s, int r, Tensor sketch) {
        if (hDim < 1 || vDim < 1) {
            throw new IllegalArgumentException("hidden and vocab widths must be >= 1, got h=" + hDim + " v=" + vDim);
        }
        if ((long) hDim * vDim > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("v*h = " + (long) hDim * vDim + " exceeds 2^31-1 coordinates");
        }
        if (r < 1) {
            throw new IllegalArgumentException("sketch size must be >= 1, got " + r);
        }
        long rows = s.rows();
        if (h.size() < rows * hDim || e.size() < rows * vDim) {
            throw new IllegalArgumentException("H/E hold " + h.size() + "/" + e.size() + " floats, need " + rows * hDim + "/" + rows * vDim);
        }
        if (sketch.size() < (long) s.domains() * r) {
            throw new IllegalArgumentException("sketch holds " + sketch.size() + " floats, needs k*r = " + (long) s.domains() * r);
        }
    }

    static void signProjection(Tensor out, int n, float scale) {
        if (n < 1) {
            throw new IllegalArgumentException("projection size must be >= 1, got " + n);
        }
        if (out.size() < n) {
            throw new IllegalArgumentException("projection holds " + out.size() + " floats, needs n = " + n);
        }
        if (!Float.isFinite(scale)) {
            throw new IllegalArgumentException("projection scale must be finite, got " + scale);
        }
    }

    static void domainMatrix(Tensor x, int k, long d, float[]... perDomain) {
        if (k < 1 || d < 1) {
            throw new IllegalArgumentException("need k >= 1 and d >= 1, got k=" + k + " d=" + d);
        }
        if (x.size() < k * d) {
            throw new IllegalArgumentException("X holds " + x.size() + " floats, needs k*d = " + k * d);
        }
        for (float[] v : perDomain) {
            if (v.length != k) {
                throw new IllegalArgumentException("per-domain vector has length " + v.length + ", expected k = " + k);
            }
        }
    }

    static void liveBlocks(long d, int[] blocks) {
        int size = BalanceOps.LIVE_BLOCK;
        if (d % size != 0) {
            throw new IllegalArgumentException("live column blocks need d a multiple of " + size + ", got d=" + d);
        }
        for (int i = 0; i < blocks.length; i++) {
            if (blocks[i] < 0 || blocks[i] >= d / size || (i > 0 && blocks[i] <= blocks[i - 1])) {
                throw new IllegalArgumentException("live column block " + blocks[i] + " at position " + i
                        + ": blocks must be ascending, distinct and below d/" + size + " = " + d / size);
            }
        }
    }

    static void gramOutput(Tensor out, int k) {
        if (out.size() < (long) k * k) {
            throw new IllegalArgumentException("gram output holds " + out.size() + " floats, needs k*k = " + (long) k * k);
        }
    }

    static void update(float[] gp, float[] scale, float[] current, float lambda) {
        if (gp.length == 0 || scale.length != gp.length || current.length != gp.length) {
            throw new IllegalArgumentException("balance update: G p, scale and current proportions must have the same length >= 1, got "
                    + gp.length + ", " + scale.length + ", " + current.length);
        }
        if (!Float.isFinite(lambda) || lambda < 0) {
            throw new IllegalArgumentException("lambda must be finite and >= 0, got " + lambda);
        }
    }

    /** Shapes of the ClusterOps calls: n x d points, k x d centroids, n-float per-row tensors. */
    static void cluster(Tensor x, int n, int d, int k, Tensor... perRow) {
        if (n < 1 || d < 1 || k < 1) {
            throw new IllegalArgumentException("need n >= 1 points, d >= 1 dims and k >= 1 clusters, got n=" + n + " d=" + d + " k=" + k);
        }
        if (k > (1 << 24)) {
            throw new IllegalArgumentException("k = " + k + " exceeds 2^24 clusters (ids are stored as floats)");
        }
        if (x.size() < (long) n * d) {
            throw new IllegalArgumentException("X holds " + x.size() + " floats, needs n*d = " + (long) n * d);
        }
        for (Tensor t : perRow) {
            if (t.size() < n) {
                throw new IllegalArgumentException("per-row tensor holds " + t.size() + " floats, needs n = " + n);
            }
        }
    }

    static void counts(Tensor counts, int k) {
        if (counts.size() < k) {
            throw new IllegalArgumentException("cluster counts hold " + counts.size() + " floats, need k = " + k);
        }
    }

    static void centroids(Tensor c, int k, int d) {
        if (c.size() < (long) k * d) {
            throw new IllegalArgumentException("centroids hold " + c.size() + " floats, need k*d = " + (long) k * d);
        }
    }

    // ---------------------------------------------------------------- model operations (ModelOps)

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

    static void encoder(String op, Tensor acts, Tensor tokens, Tensor wte, Tensor wpe, int B, int T, int C) {
        sizes(op, B, T, C);
        long N = (long) B * T;
        need(op, "activations", acts, N * C);
        need(op, "tokens", tokens, N);
        need(op, "wte", wte, C);
        need(op, "wpe", wpe, (long) T * C);
    }

    static void layerNorm(String op, Tensor rows, Tensor inp, Tensor mean, Tensor rstd, Tensor weight, Tensor bias, int N, int C) {
        sizes(op, N, C);
        need(op, "output", rows, (long) N * C);
        need(op, "input", inp, (long) N * C);
        need(op, "mean", mean, N);
        need(op, "rstd", rstd, N);
        need(op, "weight", weight, C);
        need(op, "bias", bias, C);
    }

    static void residualLayerNorm(Tensor residual, Tensor out, Tensor mean, Tensor rstd, Tensor inp, Tensor delta,
                                  Tensor weight, Tensor bias, int N, int C) {
        String op = "residualLayerNormForward";
        layerNorm(op, out, inp, mean, rstd, weight, bias, N, C);
        need(op, "delta", delta, (long) N * C);
        need(op, "residual", residual, (long) N * C);
    }

    static void layerNormBackward(Tensor dinp, Tensor dweight, Tensor dbias, Tensor dout, Tensor inp, Tensor weight,
                                         Tensor mean, Tensor rstd, int N, int C) {
        String op = "layerNormBackward";
        layerNorm(op, dout, inp, mean, rstd, weight, dbias, N, C);
        need(op, "dinp", dinp, (long) N * C);
        need(op, "dweight", dweight, C);
    }

    static void residualLayerNormBackward(Tensor dinp, Tensor dweight, Tensor dbias, Tensor ddeltaBias, Tensor dout, Tensor inp,
                                          Tensor weight, Tensor mean, Tensor rstd, int N, int C) {
        String op = "residualLayerNormBackward";
        layerNorm(op, dout, inp, mean, rstd, weight, dbias, N, C);
        need(op, "dinp", dinp, (long) N * C);
        need(op, "dweight", dweight, C);
        need(op, "ddeltaBias", ddeltaBias, C);
    }

    static void bias(String op, Tensor rows, Tensor bias, int N, int OC) {
        sizes(op, N, OC);
        need(op, "rows", rows, (long) N * OC);
        need(op, "bias", bias, OC);
    }

    static void attention(String op, Tensor out, Tensor att, Tensor qkv, int B, int T, int C, int NH) {
        sizes(op, B, T, C);
        if (NH < 1 || C % NH != 0) {
            throw new IllegalArgumentException(op + ": channels " + C + " must be a multiple of heads " + NH);
        }
        long N = (long) B * T;
        need(op, "out", out, N * C);
        need(op, "att", att, (long) B * NH * T * T);
        need(op, "qkv", qkv, 3 * N * C);
    }

    static void attentionBackward(Tensor dqkv, Tensor dpreatt, Tensor dout, Tensor qkv, Tensor att, int B, int T, int C, int NH) {
        String op = "attentionBackward";
        attention(op, dout, att, qkv, B, T, C, NH);
        need(op, "dqkv", dqkv, 3L * B * T * C);
        need(op, "dpreatt", dpreatt, (long) B * NH * T * T);
    }

    static void elementwise(String op, long n, Tensor... tensors) {
        sizes(op, n);
        for (Tensor t : tensors) {
            need(op, "operand", t, n);
        }
    }

    static void crossEntropy(Tensor losses, Tensor lossSum, Tensor dlogits, Tensor logits, Tensor targets, Tensor weights, int N, int V) {
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

    static void adamw(Tensor params, Tensor grads, Tensor m, Tensor v, long n, Tensor normSq, int t) {
        elementwise("adamw", n, params, grads, m, v);
        need("adamw", "normSq", normSq, 1);
        if (t < 1) {
            throw new IllegalArgumentException("adamw: step counts from 1, got " + t);
        }
    }
}
