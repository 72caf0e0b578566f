package dev.rnb.backend;

/**
 * The Balance operations of R&amp;B on per-domain gradients in the backend's
 * memory. Small per-domain vectors (k floats: scales, proportions) cross as
 * host arrays because copying them is free next to the work on the k x d
 * gradients. Per-domain gradients live in one tensor of k blocks of
 * d = v*h floats: G[dom*d + i*h + j].
 *
 * <p>{@link Backend} implements this checked; each device supplies an
 * unchecked implementation that may assume the checks of
 * {@code ArgumentChecks} passed.
 */
public interface BalanceOps {

    /**
     * Exact per-domain final-layer gradients: for every segment s of domain dom,
     * G_dom (v x h) += E_s^T H_s, where H is rows x h and E is rows x v.
     */
    void domainGradAccumulate(Tensor h, Tensor e, int hDim, int vDim, DomainSegments segments, Tensor g);

    /**
     * The output head's weight gradient and its per-domain split from the same
     * multiply-adds (no second GEMM over the rows): for every segment s of
     * domain dom, X_s = E_s^T H_s (v x h) is added both to G_dom and to
     * headGrad (v x h), so headGrad += E^T H over all the segments' rows.
     * headGrad may be a view (the head's block of the model's gradients).
     */
    void domainGradAccumulateWithHead(Tensor h, Tensor e, int hDim, int vDim, DomainSegments segments, Tensor g,
                                      Tensor headGrad);

    /**
     * Sketched per-domain gradients: for every segment s of domain dom, the
     * batch's exact gradient X_s = E_s^T H_s (v x h) is CountSketched into
     * r floats, sketch[dom*r + bucket(i)] += sign(i) X_s[i], with bucket and
     * sign from {@link SketchHash} of (i, seed). Linear, so a round's sketches
     * add up to the sketch of the round's gradient.
     */
    void domainGradSketchAccumulate(Tensor h, Tensor e, int hDim, int vDim, DomainSegments segments,
                                    int r, int seed, Tensor sketch);

    /**
     * A random sign projection for the factored sketch, drawn in the backend's
     * memory: out[i] = -scale when the top bit of {@link SketchHash#hash}(i, seed)
     * is set, else +scale, for i in [0, n). The same bits on every backend.
     */
    void signProjection(Tensor out, int n, int seed, float scale);

    /** out (k x k, at least k*k floats) = diag(scale) X X^T diag(scale), X k x d. */
    void gram(Tensor x, int k, long d, float[] scale, Tensor out);

    /**
     * G p without forming G: (G p)_i = scale_i &lt;X_i, v&gt;, v = sum_j p_j scale_j X_j,
     * where G = diag(scale) X X^T diag(scale). O(k d). Returns G p on the host.
     */
    float[] gramTimesP(Tensor x, int k, long d, float[] scale, float[] p);

    /**
     * {@link #gramTimesP} (the same bits on cpu and reference; on cuda the
     * same sum to rounding, its atomics adding in a varying order), then X's first k x d floats
     * zeroed: the end of an R&amp;B round, whose accumulators are emptied right
     * after G p. The cpu zeroes each row in G p's second pass, while it is
     * in L1 (no pass of its own); cuda zeroes after.
     */
    float[] gramTimesPThenZero(Tensor x, int k, long d, float[] scale, float[] p);

    /** Floats of a live column block ({@link #gramTimesPThenZero(Tensor, int, long, float[], float[], int[])}): a cache line. */
    int LIVE_BLOCK = 16;

    /**
     * {@link #gramTimesPThenZero} when every row of X is zero outside the
     * listed column blocks of {@link #LIVE_BLOCK} floats (the caller's
     * promise; d a multiple of {@code LIVE_BLOCK}, {@code liveBlocks}
     * ascending and distinct): only those blocks need be read and zeroed,
     * the others are left as they are. The same G p as without the list on
     * such X (the columns left out add exact zeros). A CountSketch's rows at
     * v x h &lt; r are such rows: a round's coordinates hash into the same
     * buckets, so the same lines, for every domain. The cpu reads only the
     * listed blocks; the default (cuda) runs the call without the list,
     * which is right under the promise.
     */
    default float[] gramTimesPThenZero(Tensor x, int k, long d, float[] scale, float[] p, int[] liveBlocks) {
        return gramTimesPThenZero(x, k, d, scale, p);
    }

    /**
     * The R&amp;B update alone, from a host G p (see {@link BalanceStep.Status}):
     * p' = softmax(lambda * G p / ||G p||) over the domains with scale != 0.
     */
    BalanceStep balanceUpdate(float[] gp, float[] scale, float[] current, float lambda);

    /**
     * The whole balance chain: G p then the update. Domains with scale 0 are
     * absent. A device that can keep G p in its own memory between the two
     * (cuda: only k floats come back) overrides this.
     */
    default BalanceStep balanceRound(Tensor x, int k, long d, float[] scale, float[] p, float lambda, float[] current) {
        return balanceUpdate(gramTimesP(x, k, d, scale, p), scale, current, lambda);
    }
}
