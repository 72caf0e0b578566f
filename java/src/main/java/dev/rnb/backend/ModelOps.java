package dev.rnb.backend;

/**
 * The byte-level GPT's kernels (dev.rnb.model), kept apart from the Balance
 * operations ({@link BalanceOps}). Matmuls are not here: the model calls
 * {@link Backend#gemm} on {@link Backend#view}s of its parameter buffer.
 * {@link Backend} implements this checked; each device supplies an unchecked
 * implementation that may assume the checks of {@code ArgumentChecks} passed.
 *
 * <p>Shapes follow llm.c: N = B*T rows of width C; a weight W is OC x IC
 * row-major; qkv rows are [q(C) | k(C) | v(C)] and head h owns columns
 * h*hs .. h*hs+hs-1 of each, hs = C/NH. Token ids, targets and loss weights
 * travel as floats (ids below 2^24 are exact), so a whole batch is one upload.
 *
 * <p>Every {@code ...Backward} ACCUMULATES (+=) into its parameter-gradient
 * outputs and into {@code dinp} where named so; everything else overwrites.
 * Tensors may be views; distinct arguments must not overlap unless stated.
 */
public interface ModelOps {

    /** out[b,t,:] = wte[tokens[b,t],:] + wpe[t,:]. */
    void encoderForward(Tensor out, Tensor tokens, Tensor wte, Tensor wpe, int B, int T, int C);

    /** dwte[tokens[b,t],:] += dout[b,t,:]; dwpe[t,:] += dout[b,t,:]. */
    void encoderBackward(Tensor dwte, Tensor dwpe, Tensor dout, Tensor tokens, int B, int T, int C);

    /**
     * out = (inp - mean) * rstd * weight + bias per row of C (eps 1e-5,
     * biased variance); mean and rstd (N floats) are saved for the backward.
     */
    void layerNormForward(Tensor out, Tensor mean, Tensor rstd, Tensor inp, Tensor weight, Tensor bias, int N, int C);

    /**
     * The residual add and the LayerNorm after it in one pass over the rows:
     * residual = inp + delta (the new residual stream, kept for later layers
     * and for the backward), then {@link #layerNormForward} of residual into
     * out, mean and rstd. residual may alias inp or delta; out must not alias
     * any input. The default is the two operations one after the other. Its
     * backward is {@link #residualLayerNormBackward}.
     */
    default void residualLayerNormForward(Tensor residual, Tensor out, Tensor mean, Tensor rstd, Tensor inp, Tensor delta,
                                          Tensor weight, Tensor bias, int N, int C) {
        add(residual, inp, delta, (long) N * C);
        layerNormForward(out, mean, rstd, residual, weight, bias, N, C);
    }

    /** dinp += d/dinp, dweight += .., dbias += .. (llm.c's layernorm_backward). */
    void layerNormBackward(Tensor dinp, Tensor dweight, Tensor dbias, Tensor dout, Tensor inp, Tensor weight,
                           Tensor mean, Tensor rstd, int N, int C);

    /**
     * The backward of {@link #residualLayerNormForward} (inp = residual, its
     * mean and rstd): {@link #layerNormBackward} accumulating into dinp, the
     * residual stream's gradient (dr = dr_in + LayerNorm's backward of dout,
     * also the gradient of inp and delta), and then
     * ddeltaBias[c] += sum_n dinp[n, c] over the updated dinp: the bias
     * gradient of the layer whose output was delta (an attention or MLP
     * projection). dinp must not alias any other argument. The default is
     * the two operations one after the other; cpu does both, and
     * LayerNorm's own parameter sums, in one pass over the rows when C is
     * 256 or more (where that measured faster).
     */
    default void residualLayerNormBackward(Tensor dinp, Tensor dweight, Tensor dbias, Tensor ddeltaBias, Tensor dout, Tensor inp,
                                           Tensor weight, Tensor mean, Tensor rstd, int N, int C) {
        layerNormBackward(dinp, dweight, dbias, dout, inp, weight, mean, rstd, N, C);
        biasBackward(ddeltaBias, dinp, N, C);
    }

    /** out[n, o] += bias[o] for n &lt; N, o &lt; OC. */
    void biasAdd(Tensor out, Tensor bias, int N, int OC);

    /** dbias[o] += sum_n dout[n, o]. */
    void biasBackward(Tensor dbias, Tensor dout, int N, int OC);

    /**
     * Causal multi-head self-attention. qkv is N x 3C, out N x C; att (B, NH, T, T)
     * receives the softmax probabilities (row t holds t+1 entries, the rest 0),
     * scores scaled by 1/sqrt(hs). Exception: the cuda backend with cuDNN
     * attention does not write att; it only keys the state the backward needs.
     */
    void attentionForward(Tensor out, Tensor att, Tensor qkv, int B, int T, int C, int NH);

    /**
     * dqkv += d/dqkv given dout (N x C) and the forward's qkv and att;
     * dpreatt (B, NH, T, T) is scratch, overwritten (unused with cuDNN attention).
     */
    void attentionBackward(Tensor dqkv, Tensor dpreatt, Tensor dout, Tensor qkv, Tensor att, int B, int T, int C, int NH);

    /** out = GELU(inp), tanh approximation, n elements; out may alias inp. */
    void geluForward(Tensor out, Tensor inp, long n);

    /** dinp += GELU'(inp) * dout. */
    void geluBackward(Tensor dinp, Tensor inp, Tensor dout, long n);

    /** out = a + b, n elements; out may alias a or b (so it also serves as dst += src). */
    void add(Tensor out, Tensor a, Tensor b, long n);

    /**
     * Fused softmax + cross-entropy over rows of V logits: with p = softmax(logits[n]),
     * losses[n] = weights[n] * -log p[targets[n]] and, when dlogits is not null,
     * dlogits[n] = weights[n] * (p - onehot(targets[n])). lossSum[0] = sum_n losses[n].
     * A row of weight 0 is masked: loss 0 and gradient 0.
     */
    void crossEntropy(Tensor losses, Tensor lossSum, Tensor dlogits, Tensor logits, Tensor targets, Tensor weights, int N, int V);

    /** out[0] = sum_i x[i]^2 over n elements (overwrites). */
    void squaredNorm(Tensor out, Tensor x, long n);

    /**
     * AdamW over n parameters (llm.c's update, bias-corrected with step t >= 1):
     * g = grads * clip where clip = maxNorm / sqrt(normSq[0]) when maxNorm > 0 and
     * sqrt(normSq[0]) > maxNorm, else 1 (normSq stays in the backend's memory);
     * m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2;
     * params -= lr * (m/(1-b1^t) / (sqrt(v/(1-b2^t)) + eps) + weightDecay * params).
     */
    void adamw(Tensor params, Tensor grads, Tensor m, Tensor v, long n, Tensor normSq, float maxNorm,
               float lr, float beta1, float beta2, float eps, float weightDecay, int t);
}
