package dev.rnb.model;

import dev.rnb.backend.Backend;
import dev.rnb.backend.ModelOps;
import dev.rnb.backend.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A GPT-style decoder over bytes (llm.c's train_gpt2, restated on a
 * {@link Backend}): token + learned position embeddings, pre-LayerNorm blocks
 * of causal multi-head attention and a GELU MLP, final LayerNorm, and an
 * output head with its own weights and bias (not tied to the token
 * embedding; see docs/ARCHITECTURE.md).
 *
 * <p>Parameters live in one contiguous tensor and gradients in another, both
 * laid out by {@link ParameterLayout}; AdamW's moments in a third (m then v).
 * Activations are sized for {@code batch} sequences of up to
 * {@code config.context()} positions and stay in the backend's memory. A
 * training step uploads one batch (token ids, targets and loss weights as
 * floats) and downloads one float, the loss.
 *
 * <p>After {@link #backward}, {@link #finalLayerInput()} (rows x channels) and
 * {@link #logitGradients()} (rows x 256) are the output head's input
 * activations and output gradients, rows = batch * T in batch-major order:
 * what {@code RnbBalancer.accumulate(Tensor, Tensor, int[], int)} takes.
 *
 * <p>Not thread-safe.
 */
public final class Gpt implements AutoCloseable {
    private final Backend backend;
    private final ModelOps ops;
    private final GptConfig config;
    private final ParameterLayout layout;
    private final int batch;
    private final List<Tensor> owned = new ArrayList<>();

    private final Tensor params, grads, moments, scalars, input;
    private final Tensor tokens, targets, weights, lossSum, normSq;

    // Activations (rows = batch * context).
    private final Tensor encoded, lnf, lnfMean, lnfRstd, logits, losses, dlogits;
    private final Tensor[] ln1, ln1Mean, ln1Rstd, qkv, att, atty, attProj, res2, ln2, ln2Mean, ln2Rstd, fch, fchGelu, fcProj, res3;
    // Backward scratch.
    private final Tensor dres, dC, d3C, d4C, d4Cb, dpreatt;

    private int currentT;
    private boolean haveGradients;

    public Gpt(Backend backend, GptConfig config, int batch) {
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be >= 1, got " + batch);
        }
        this.backend = backend;
        this.ops = backend;
        this.config = config;
        this.layout = new ParameterLayout(config);
        this.batch = batch;
        long P = layout.size();
        int L = config.layers(), T = config.context(), NH = config.heads();
        long N = (long) batch * T, C = config.channels(), V = GptConfig.VOCAB;

        params = alloc(P);
        grads = alloc(P);
        moments = alloc(2 * P);
        scalars = alloc(2);
        lossSum = view(scalars, 0, 1);
        normSq = view(scalars, 1, 1);
        input = alloc(3 * N);
        tokens = view(input, 0, N);
        targets = view(input, N, N);
        weights = view(input, 2 * N, N);

        encoded = alloc(N * C);
        ln1 = new Tensor[L]; ln1Mean = new Tensor[L]; ln1Rstd = new Tensor[L]; qkv = new Tensor[L]; att = new Tensor[L];
        atty = new Tensor[L]; attProj = new Tensor[L]; res2 = new Tensor[L]; ln2 = new Tensor[L]; ln2Mean = new Tensor[L];
        ln2Rstd = new Tensor[L]; fch = new Tensor[L]; fchGelu = new Tensor[L]; fcProj = new Tensor[L]; res3 = new Tensor[L];
        for (int l = 0; l < L; l++) {
            ln1[l] = alloc(N * C); ln1Mean[l] = alloc(N); ln1Rstd[l] = alloc(N);
            qkv[l] = alloc(3 * N * C); att[l] = alloc((long) batch * NH * T * T); atty[l] = alloc(N * C);
            attProj[l] = alloc(N * C); res2[l] = alloc(N * C);
            ln2[l] = alloc(N * C); ln2Mean[l] = alloc(N); ln2Rstd[l] = alloc(N);
            fch[l] = alloc(4 * N * C); fchGelu[l] = alloc(4 * N * C); fcProj[l] = alloc(N * C); res3[l] = alloc(N * C);
        }
        lnf = alloc(N * C); lnfMean = alloc(N); lnfRstd = alloc(N);
        logits = alloc(N * V); losses = alloc(N); dlogits = alloc(N * V);
        dres = alloc(N * C); dC = alloc(N * C); d3C = alloc(3 * N * C); d4C = alloc(4 * N * C); d4Cb = alloc(4 * N * C);
        dpreatt = alloc((long) batch * NH * T * T);
    }

    private Tensor alloc(long size) {
        Tensor t = backend.allocate(Math.max(1, size));
        owned.add(t);
        return t;
    }

    private Tensor view(Tensor base, long offset, long size) {
        return backend.view(base, offset, size);
    }

    private Tensor p(long offset, long size) { return view(params, offset, size); }

    private Tensor g(long offset, long size) { return view(grads, offset, size); }

    public Backend backend() { return backend; }

    public GptConfig config() { return config; }

    public ParameterLayout layout() { return layout; }

    public int batch() { return batch; }

    /** The parameter buffer (layout in {@link #layout()}). */
    public Tensor parameters() { return params; }

    /** The gradient buffer, same layout as the parameters. */
    public Tensor gradients() { return grads; }

    /** AdamW's first moments in [0, P), second moments in [P, 2P). */
    public Tensor moments() { return moments; }

    /** One float: the sum of the last forward's per-row weighted losses. */
    public Tensor lossSum() { return lossSum; }

    /** Per-row weighted losses of the last forward (rows = batch * T). */
    public Tensor losses() { return losses; }

    /**
     * GPT-2's initialisation from a seed: weights N(0, 0.02), the two residual
     * projections N(0, 0.02 / sqrt(2 layers)), LayerNorm weights 1, biases 0.
     * AdamW moments are zeroed.
     */
    public void initialize(long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] host = new float[Math.toIntExact(layout.size())];
        double residualStd = 0.02 / Math.sqrt(2.0 * config.layers());
        for (ParameterLayout.Entry e : layout.entries()) {
            String n = e.name();
            int at = (int) e.offset();
            for (int i = 0; i < e.size(); i++) {
                float v;
                if (n.startsWith("ln") && n.endsWith("w")) {
                    v = 1f;
                } else if (n.endsWith("b")) {
                    v = 0f;
                } else {
                    double std = n.equals("attprojw") || n.equals("fcprojw") ? residualStd : 0.02;
                    v = (float) (rng.nextGaussian() * std);
                }
                host[at + i] = v;
            }
        }
        backend.upload(host, 0, params, 0, host.length);
        backend.zero(moments);
    }

    /**
     * Uploads one batch: {@code rows = batch * T} token ids, next-byte targets
     * and loss weights (the loss is sum_rows weight * -log p(target); pass
     * mask / count for a mean over unmasked rows).
     */
    public void setBatch(float[] tokenIds, float[] targetIds, float[] lossWeights, int T) {
        if (T < 1 || T > config.context()) {
            throw new IllegalArgumentException("T must be in 1.." + config.context() + ", got " + T);
        }
        int n = batch * T;
        if (tokenIds.length < n || targetIds.length < n || lossWeights.length < n) {
            throw new IllegalArgumentException("a batch of " + batch + " x " + T + " needs " + n + " tokens, targets and weights");
        }
        for (int i = 0; i < n; i++) {
            if (!(tokenIds[i] >= 0 && tokenIds[i] < GptConfig.VOCAB && targetIds[i] >= 0 && targetIds[i] < GptConfig.VOCAB)) {
                throw new IllegalArgumentException("token or target id out of 0..255 at row " + i);
            }
        }
        long N = (long) batch * config.context();
        backend.upload(tokenIds, 0, input, 0, n);
        backend.upload(targetIds, 0, input, N, n);
        backend.upload(lossWeights, 0, input, 2 * N, n);
        currentT = T;
    }

    /** Rows of the current batch (batch * T). */
    public int rows() { return batch * currentT; }

    /** Forward pass on the uploaded batch; with {@code withGradient} the logits' gradient is kept for {@link #backward}. */
    public void forward(boolean withGradient) {
        if (currentT == 0) {
            throw new IllegalStateException("no batch uploaded");
        }
        ParameterLayout lay = layout;
        int B = batch, T = currentT, C = config.channels(), NH = config.heads(), V = GptConfig.VOCAB;
        int N = B * T;
        long c = C;
        ops.encoderForward(encoded, tokens, p(lay.wte, V * c), p(lay.wpe, config.context() * c), B, T, C);
        ops.layerNormForward(ln1[0], ln1Mean[0], ln1Rstd[0], encoded, p(lay.ln1W[0], c), p(lay.ln1B[0], c), N, C);
        Tensor residual = encoded;
        for (int l = 0; l < config.layers(); l++) {
            linear(qkv[l], ln1[l], lay.qkvW[l], lay.qkvB[l], N, C, 3 * C);
            ops.attentionForward(atty[l], att[l], qkv[l], B, T, C, NH);
            linear(attProj[l], atty[l], lay.attProjW[l], lay.attProjB[l], N, C, C);
            // every residual add is followed by a LayerNorm of its sum: one fused pass each
            ops.residualLayerNormForward(res2[l], ln2[l], ln2Mean[l], ln2Rstd[l], residual, attProj[l],
                    p(lay.ln2W[l], c), p(lay.ln2B[l], c), N, C);
            linear(fch[l], ln2[l], lay.fcW[l], lay.fcB[l], N, C, 4 * C);
            ops.geluForward(fchGelu[l], fch[l], 4L * N * C);
            linear(fcProj[l], fchGelu[l], lay.fcProjW[l], lay.fcProjB[l], N, 4 * C, C);
            boolean last = l == config.layers() - 1;
            ops.residualLayerNormForward(res3[l], last ? lnf : ln1[l + 1], last ? lnfMean : ln1Mean[l + 1],
                    last ? lnfRstd : ln1Rstd[l + 1], res2[l], fcProj[l], p(last ? lay.lnfW : lay.ln1W[l + 1], c),
                    p(last ? lay.lnfB : lay.ln1B[l + 1], c), N, C);
            residual = res3[l];
        }
        linear(logits, lnf, lay.headW, lay.headB, N, C, V);
        ops.crossEntropy(losses, lossSum, withGradient ? dlogits : null, logits, targets, weights, N, V);
        haveGradients = withGradient;
    }

    /** out (N x OC) = inp (N x IC) W^T + b, W at wOffset (OC x IC), b at bOffset. */
    private void linear(Tensor out, Tensor inp, long wOffset, long bOffset, int N, int IC, int OC) {
        backend.gemm(false, true, N, OC, IC, 1f, inp, IC, p(wOffset, (long) OC * IC), IC, 0f, out, OC);
        ops.biasAdd(out, p(bOffset, OC), N, OC);
    }

    /**
     * Builds the output head's weight gradient in place of the model's own
     * GEMM, e.g. together with R&amp;B's per-domain split from the same
     * multiply-adds ({@code Backend.domainGradAccumulateWithHead}).
     */
    @FunctionalInterface
    public interface HeadGradient {
        /**
         * dW (256 x channels, a view of the model's gradients) += E^T H, with
         * H = the head's input (rows x channels) and E = d loss / d logits (rows x 256).
         */
        void accumulate(Tensor h, Tensor e, int rows, Tensor dW);
    }

    /** dinp (N x IC) = dout W (overwritten when dinp is not null); dW += dout^T inp; db += column sums of dout. */
    private void linearBackward(Tensor dinp, Tensor dout, Tensor inp, long wOffset, long bOffset, int N, int IC, int OC) {
        linearBackwardWeights(dinp, dout, inp, wOffset, N, IC, OC, null);
        ops.biasBackward(g(bOffset, OC), dout, N, OC);
    }

    /**
     * As above without the bias gradient (the projections', added by the
     * LayerNorm backward that produced dout), with dW from
     * {@code weightGradient} when it is not null.
     */
    private void linearBackwardWeights(Tensor dinp, Tensor dout, Tensor inp, long wOffset, int N, int IC, int OC,
                                       HeadGradient weightGradient) {
        if (dinp != null) {
            backend.gemm(false, false, N, IC, OC, 1f, dout, OC, p(wOffset, (long) OC * IC), IC, 0f, dinp, IC);
        }
        if (weightGradient == null) {
            backend.gemm(true, false, OC, IC, N, 1f, dout, OC, inp, IC, 1f, g(wOffset, (long) OC * IC), IC);
        } else {
            weightGradient.accumulate(inp, dout, N, g(wOffset, (long) OC * IC));
        }
    }

    /** Zeroes the gradients and back-propagates the last {@code forward(true)}. */
    public void backward() {
        backward(null);
    }

    /**
     * As {@link #backward()}, with the output head's weight gradient built by
     * {@code head} (when not null) instead of the model's GEMM.
     */
    public void backward(HeadGradient head) {
        if (!haveGradients) {
            throw new IllegalStateException("backward needs a forward(true) first");
        }
        ParameterLayout lay = layout;
        int B = batch, T = currentT, C = config.channels(), NH = config.heads(), V = GptConfig.VOCAB;
        int N = B * T;
        long c = C;
        backend.zero(grads);
        linearBackwardWeights(dC, dlogits, lnf, lay.headW, N, C, V, head);
        ops.biasBackward(g(lay.headB, V), dlogits, N, V);
        backend.zero(dres);
        int L = config.layers();
        // Each residual LayerNorm's backward accumulates into dres, the residual stream's gradient, and adds
        // dres's column sums to the bias gradient of the projection whose output joined the stream there.
        ops.residualLayerNormBackward(dres, g(lay.lnfW, c), g(lay.lnfB, c), g(lay.fcProjB[L - 1], c), dC, res3[L - 1],
                p(lay.lnfW, c), lnfMean, lnfRstd, N, C);
        for (int l = L - 1; l >= 0; l--) {
            // dres is d(res3) = d(res2) through the skip + d(fcProj)
            linearBackwardWeights(d4C, dres, fchGelu[l], lay.fcProjW[l], N, 4 * C, C, null);
            backend.zero(d4Cb);
            ops.geluBackward(d4Cb, fch[l], d4C, 4L * N * C);
            linearBackward(dC, d4Cb, ln2[l], lay.fcW[l], lay.fcB[l], N, C, 4 * C);
            ops.residualLayerNormBackward(dres, g(lay.ln2W[l], c), g(lay.ln2B[l], c), g(lay.attProjB[l], c), dC, res2[l],
                    p(lay.ln2W[l], c), ln2Mean[l], ln2Rstd[l], N, C);
            // dres is now d(res2) = d(residualIn) through the skip + d(attProj)
            linearBackwardWeights(dC, dres, atty[l], lay.attProjW[l], N, C, C, null);
            backend.zero(d3C);
            ops.attentionBackward(d3C, dpreatt, dC, qkv[l], att[l], B, T, C, NH);
            linearBackward(dC, d3C, ln1[l], lay.qkvW[l], lay.qkvB[l], N, C, 3 * C);
            if (l > 0) {
                ops.residualLayerNormBackward(dres, g(lay.ln1W[l], c), g(lay.ln1B[l], c), g(lay.fcProjB[l - 1], c), dC,
                        res3[l - 1], p(lay.ln1W[l], c), ln1Mean[l], ln1Rstd[l], N, C);
            } else {
                ops.layerNormBackward(dres, g(lay.ln1W[0], c), g(lay.ln1B[0], c), dC, encoded, p(lay.ln1W[0], c), ln1Mean[0],
                        ln1Rstd[0], N, C);
            }
        }
        ops.encoderBackward(g(lay.wte, V * c), g(lay.wpe, config.context() * c), dres, tokens, B, T, C);
    }

    /** The last forward's loss: sum over rows of weight * -log p(target). One float crosses. */
    public float loss() {
        float[] out = new float[1];
        backend.download(lossSum, 0, out, 0, 1);
        return out[0];
    }

    /**
     * One AdamW step on the current gradients (clipped to global norm
     * {@code maxNorm} when it is > 0; the norm stays in the backend's memory).
     * Weight decay applies to weight matrices and embeddings only.
     */
    public void adamwStep(float lr, float beta1, float beta2, float eps, float weightDecay, float maxNorm, int step) {
        if (step < 1) {
            throw new IllegalArgumentException("AdamW step counts from 1, got " + step);
        }
        long P = layout.size(), D = layout.decayedSize();
        ops.squaredNorm(normSq, grads, P);
        ops.adamw(view(params, 0, D), view(grads, 0, D), view(moments, 0, D), view(moments, P, D), D,
                normSq, maxNorm, lr, beta1, beta2, eps, weightDecay, step);
        ops.adamw(view(params, D, P - D), view(grads, D, P - D), view(moments, D, P - D), view(moments, P + D, P - D), P - D,
                normSq, maxNorm, lr, beta1, beta2, eps, 0f, step);
    }

    /** The global gradient norm of the last {@link #adamwStep} (downloads one float; for logging). */
    public float lastGradNorm() {
        float[] out = new float[1];
        backend.download(normSq, 0, out, 0, 1);
        return (float) Math.sqrt(out[0]);
    }

    /** The output head's input activations (rows x channels) of the last forward. */
    public Tensor finalLayerInput() { return lnf; }

    /** The output head's output gradients (rows x 256) of the last forward(true): d loss / d logits. */
    public Tensor logitGradients() { return dlogits; }

    /** The logits (rows x 256) of the last forward. */
    public Tensor logits() { return logits; }

    @Override
    public void close() {
        for (Tensor t : owned) {
            t.close();
        }
        owned.clear();
    }
}
