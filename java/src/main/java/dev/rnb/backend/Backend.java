package dev.rnb.backend;

/**
 * The operations rnb needs, implemented by four backends (reference, cpu,
 * cuda, cuda-emulated). Buffers are {@link Tensor}s owned by the backend;
 * small per-domain vectors (k floats: scales, proportions) cross as host
 * arrays because copying them is free next to the work on the k x d gradients.
 *
 * <p>Layouts are row-major. Per-domain gradients live in one tensor of k
 * blocks of d = v*h floats: G[dom*d + i*h + j].
 *
 * <p>The byte-level GPT's kernels are in {@link ModelOps}; Regroup's k-means
 * and silhouette operations are in {@link ClusterOps}.
 *
 * <p>Threads: a backend and its tensors serve one caller at a time (scratch
 * buffers and the device context are reused between calls); nothing here
 * locks. Separate backends, each opened by {@link Backends#open} (which may
 * be called from several threads at once), may run in parallel on separate
 * threads (docs/RELIABILITY.md).
 */
public interface Backend extends ModelOps, ClusterOps, AutoCloseable {

    /** Stable name used by --backend and in reports. */
    String name();

    /** One line describing the device and libraries in use. */
    String describe();

    /** A zero-filled tensor of {@code size} floats. */
    Tensor allocate(long size);

    void upload(float[] src, int srcOffset, Tensor dst, long dstOffset, int length);

    void download(Tensor src, long srcOffset, float[] dst, int dstOffset, int length);

    void zero(Tensor t);

    /** dst[dstOffset ..] = src[srcOffset ..], length floats, within the backend's memory. */
    void copy(Tensor src, long srcOffset, Tensor dst, long dstOffset, long length);

    /**
     * C = alpha * op(A) * op(B) + beta * C, row-major, op(A) m x k, op(B) k x n;
     * lda, ldb, ldc are the row strides of A, B, C as stored.
     */
    void gemm(boolean transA, boolean transB, int m, int n, int k,
              float alpha, Tensor a, int lda, Tensor b, int ldb, float beta, Tensor c, int ldc);

    /**
     * Exact per-domain final-layer gradients: for every segment s of domain dom,
     * G_dom (v x h) += E_s^T H_s, where H is rows x h and E is rows x v.
     */
    void domainGradAccumulate(Tensor h, Tensor e, int hDim, int vDim, DomainSegments segments, Tensor g);

    /**
     * Sketched per-domain gradients: for every segment s of domain dom, the
     * batch's exact gradient X_s = E_s^T H_s (v x h) is CountSketched into
     * r floats, sketch[dom*r + bucket(i)] += sign(i) X_s[i], with bucket and
     * sign from {@link SketchHash} of (i, seed). Linear, so a round's sketches
     * add up to the sketch of the round's gradient.
     */
    void domainGradSketchAccumulate(Tensor h, Tensor e, int hDim, int vDim, DomainSegments segments,
                                    int r, int seed, Tensor sketch);

    /** out (k x k) = diag(scale) X X^T diag(scale), X k x d. */
    void gram(Tensor x, int k, long d, float[] scale, Tensor out);

    /**
     * G p without forming G: (G p)_i = scale_i &lt;X_i, v&gt;, v = sum_j p_j scale_j X_j,
     * where G = diag(scale) X X^T diag(scale). O(k d). Returns G p on the host.
     */
    float[] gramTimesP(Tensor x, int k, long d, float[] scale, float[] p);

    /** The R&B update alone, from a host G p (see {@link BalanceStep.Status}). */
    BalanceStep balanceUpdate(float[] gp, float[] scale, float[] current, float lambda);

    /**
     * The whole balance chain on the backend's memory: G p then the update.
     * Only k floats come back. Domains with scale 0 are absent.
     */
    BalanceStep balanceRound(Tensor x, int k, long d, float[] scale, float[] p, float lambda, float[] current);

    @Override
    void close();
}
