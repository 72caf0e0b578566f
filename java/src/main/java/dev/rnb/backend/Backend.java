package dev.rnb.backend;

/**
 * The one checked front door to the operations rnb needs, over four devices
 * (reference, cpu, cuda, cuda-emulated). Buffers are {@link Tensor}s owned by
 * the backend. Every public operation here checks its arguments once
 * ({@link ArgumentChecks}: shapes, sizes, and that each tensor belongs to this
 * backend), then calls the device's unchecked part: {@link DeviceMemory}
 * (memory, views, GEMM), {@link ModelOps} (the GPT's kernels),
 * {@link ClusterOps} (k-means, silhouette) and {@link BalanceOps} (per-domain
 * gradients, G p, the update). The operations' contracts are documented on
 * those interfaces; a device implements them without re-checking, so a bad
 * argument fails the same way on every device (BackendArgumentChecksTest).
 *
 * <p>Layouts are row-major. Threads: a backend and its tensors serve one
 * caller at a time (scratch buffers and the device context are reused between
 * calls); nothing here locks. Separate backends, each opened by
 * {@link Backends#open} (which may be called from several threads at once),
 * may run in parallel on separate threads (docs/RELIABILITY.md).
 */
public abstract class Backend implements ModelOps, ClusterOps, BalanceOps, AutoCloseable {

    /** Stable name used by --backend and in reports. */
    public abstract String name();

    /** One line describing the device and libraries in use. */
    public abstract String describe();

    /** Releases the device's scratch memory and context (not the tensors, which the caller closes). */
    @Override
    public abstract void close();

    /** The device's memory, views and GEMM. */
    protected abstract DeviceMemory memory();

    /** The device's model kernels, called only after their checks. */
    protected abstract ModelOps modelOps();

    /** The device's k-means and silhouette, called only after their checks. */
    protected abstract ClusterOps clusterOps();

    /** The device's Balance operations, called only after their checks. */
    protected abstract BalanceOps balanceOps();

    /** Rejects a tensor another backend owns (its memory is not ours to read). */
    protected final Tensor own(Tensor t) {
        if (t.backend() != this) {
            throw new IllegalArgumentException("tensor belongs to backend '" + t.backend().name() + "', not '" + name() + "'");
        }
        return t;
    }

    private void own(Tensor... ts) {
        for (Tensor t : ts) {
            own(t);
        }
    }

    /** Checks an offset range of a tensor of this backend, for a device's own extra operations. */
    protected final void checkRange(Tensor t, long offset, long length) {
        ArgumentChecks.range(own(t), offset, length);
    }

    /** Checks the X (k x d) and out (k x k) of a Gram-like operation, for a device's own baselines. */
    protected final void checkGramShapes(Tensor x, int k, long d, Tensor out) {
        own(x, out);
        ArgumentChecks.domainMatrix(x, k, d);
        ArgumentChecks.gramOutput(out, k);
    }

    // ---------------------------------------------------------------- memory and GEMM

    /** A zero-filled tensor of {@code size} floats. */
    public final Tensor allocate(long size) {
        if (size < 0) {
            throw new IllegalArgumentException("negative tensor size " + size);
        }
        return memory().allocate(this, size);
    }

    /**
     * A zero-filled tensor of {@code size} floats, as {@link #allocate}, for
     * memory written and read at scattered lines across many pages (R&amp;B's
     * sketch slot buffer: a 4 KiB row per touched domain at r = 1024, each
     * step's rows evicted from the TLB by the work between steps). The cpu
     * backend maps it on 2 MiB transparent huge pages where the kernel grants
     * them, if it fills at least one; other backends allocate as allocate.
     * Only where pages go differs: every operation reads and writes it alike.
     */
    public final Tensor allocateHugePaged(long size) {
        if (size < 0) {
            throw new IllegalArgumentException("negative tensor size " + size);
        }
        return memory().allocateHugePaged(this, size);
    }

    /**
     * A window of {@code size} floats of {@code base} starting at {@code offset},
     * sharing its memory (no copy). Closing a view frees nothing.
     */
    public final Tensor view(Tensor base, long offset, long size) {
        ArgumentChecks.view(own(base), offset, size);
        return memory().view(base, offset, size);
    }

    public final void upload(float[] src, int srcOffset, Tensor dst, long dstOffset, int length) {
        ArgumentChecks.range(own(dst), dstOffset, length);
        memory().upload(src, srcOffset, dst, dstOffset, length);
    }

    public final void download(Tensor src, long srcOffset, float[] dst, int dstOffset, int length) {
        ArgumentChecks.range(own(src), srcOffset, length);
        memory().download(src, srcOffset, dst, dstOffset, length);
    }

    public final void zero(Tensor t) {
        memory().zero(own(t));
    }

    /**
     * Waits until every operation issued so far has finished. cuda queues
     * kernels and returns at once, so a host clock read without this charges
     * the work still queued (e.g. a model's backward) to whatever waits for it
     * next; the strategies' overhead timers call it before reading the clock.
     * Free on cpu and reference, whose operations finish before they return.
     */
    public final void synchronize() {
        memory().synchronize();
    }

    /** dst[dstOffset ..] = src[srcOffset ..], length floats, within the backend's memory. */
    public final void copy(Tensor src, long srcOffset, Tensor dst, long dstOffset, long length) {
        ArgumentChecks.range(own(src), srcOffset, length);
        ArgumentChecks.range(own(dst), dstOffset, length);
        memory().copy(src, srcOffset, dst, dstOffset, length);
    }

    /**
     * C = alpha * op(A) * op(B) + beta * C, row-major, op(A) m x k, op(B) k x n;
     * lda, ldb, ldc are the row strides of A, B, C as stored.
     */
    public final void gemm(boolean transA, boolean transB, int m, int n, int k,
                           float alpha, Tensor a, int lda, Tensor b, int ldb, float beta, Tensor c, int ldc) {
        own(a, b, c);
        ArgumentChecks.gemmShapes(transA, transB, m, n, k, a, lda, b, ldb, c, ldc);
        memory().gemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    }

    // ---------------------------------------------------------------- Balance (BalanceOps)

    @Override
    public final void domainGradAccumulate(Tensor h, Tensor e, int hDim, int vDim, DomainSegments segments, Tensor g) {
        own(h, e, g);
        ArgumentChecks.domainGrad(h, e, hDim, vDim, segments, g);
        balanceOps().domainGradAccumulate(h, e, hDim, vDim, segments, g);
    }

    @Override
    public final void domainGradAccumulateWithHead(Tensor h, Tensor e, int hDim, int vDim, DomainSegments segments,
                                                   Tensor g, Tensor headGrad) {
        own(h, e, g, headGrad);
        ArgumentChecks.domainGrad(h, e, hDim, vDim, segments, g);
        ArgumentChecks.headGrad(hDim, vDim, headGrad);
        balanceOps().domainGradAccumulateWithHead(h, e, hDim, vDim, segments, g, headGrad);
    }

    @Override
    public final void domainGradSketchAccumulate(Tensor h, Tensor e, int hDim, int vDim, DomainSegments segments,
                                                 int r, int seed, Tensor sketch) {
        own(h, e, sketch);
        ArgumentChecks.domainGradSketch(h, e, hDim, vDim, segments, r, sketch);
        balanceOps().domainGradSketchAccumulate(h, e, hDim, vDim, segments, r, seed, sketch);
    }

    @Override
    public final void signProjection(Tensor out, int n, int seed, float scale) {
        own(out);
        ArgumentChecks.signProjection(out, n, scale);
        balanceOps().signProjection(out, n, seed, scale);
    }

    @Override
    public final void gram(Tensor x, int k, long d, float[] scale, Tensor out) {
        own(x, out);
        ArgumentChecks.domainMatrix(x, k, d, scale);
        ArgumentChecks.gramOutput(out, k);
        balanceOps().gram(x, k, d, scale, out);
    }

    @Override
    public final float[] gramTimesP(Tensor x, int k, long d, float[] scale, float[] p) {
        ArgumentChecks.domainMatrix(own(x), k, d, scale, p);
        return balanceOps().gramTimesP(x, k, d, scale, p);
    }

    @Override
    public final float[] gramTimesPThenZero(Tensor x, int k, long d, float[] scale, float[] p) {
        ArgumentChecks.domainMatrix(own(x), k, d, scale, p);
        return balanceOps().gramTimesPThenZero(x, k, d, scale, p);
    }

    @Override
    public final float[] gramTimesPThenZero(Tensor x, int k, long d, float[] scale, float[] p, int[] liveBlocks) {
        ArgumentChecks.domainMatrix(own(x), k, d, scale, p);
        ArgumentChecks.liveBlocks(d, liveBlocks);
        return balanceOps().gramTimesPThenZero(x, k, d, scale, p, liveBlocks);
    }

    @Override
    public final BalanceStep balanceUpdate(float[] gp, float[] scale, float[] current, float lambda) {
        ArgumentChecks.update(gp, scale, current, lambda);
        return balanceOps().balanceUpdate(gp, scale, current, lambda);
    }

    @Override
    public final BalanceStep balanceRound(Tensor x, int k, long d, float[] scale, float[] p, float lambda, float[] current) {
        ArgumentChecks.domainMatrix(own(x), k, d, scale, p, current);
        ArgumentChecks.update(current, scale, current, lambda);
        return balanceOps().balanceRound(x, k, d, scale, p, lambda, current);
    }

    // ---------------------------------------------------------------- model kernels (ModelOps)

    @Override
    public final void encoderForward(Tensor out, Tensor tokens, Tensor wte, Tensor wpe, int B, int T, int C) {
        own(out, tokens, wte, wpe);
        ArgumentChecks.encoder("encoderForward", out, tokens, wte, wpe, B, T, C);
        modelOps().encoderForward(out, tokens, wte, wpe, B, T, C);
    }

    @Override
    public final void encoderBackward(Tensor dwte, Tensor dwpe, Tensor dout, Tensor tokens, int B, int T, int C) {
        own(dwte, dwpe, dout, tokens);
        ArgumentChecks.encoder("encoderBackward", dout, tokens, dwte, dwpe, B, T, C);
        modelOps().encoderBackward(dwte, dwpe, dout, tokens, B, T, C);
    }

    @Override
    public final void layerNormForward(Tensor out, Tensor mean, Tensor rstd, Tensor inp, Tensor weight, Tensor bias, int N, int C) {
        own(out, mean, rstd, inp, weight, bias);
        ArgumentChecks.layerNorm("layerNormForward", out, inp, mean, rstd, weight, bias, N, C);
        modelOps().layerNormForward(out, mean, rstd, inp, weight, bias, N, C);
    }

    @Override
    public final void residualLayerNormForward(Tensor residual, Tensor out, Tensor mean, Tensor rstd, Tensor inp, Tensor delta,
                                               Tensor weight, Tensor bias, int N, int C) {
        own(residual, out, mean, rstd, inp, delta, weight, bias);
        ArgumentChecks.residualLayerNorm(residual, out, mean, rstd, inp, delta, weight, bias, N, C);
        modelOps().residualLayerNormForward(residual, out, mean, rstd, inp, delta, weight, bias, N, C);
    }

    @Override
    public final void layerNormBackward(Tensor dinp, Tensor dweight, Tensor dbias, Tensor dout, Tensor inp, Tensor weight,
                                        Tensor mean, Tensor rstd, int N, int C) {
        own(dinp, dweight, dbias, dout, inp, weight, mean, rstd);
        ArgumentChecks.layerNormBackward(dinp, dweight, dbias, dout, inp, weight, mean, rstd, N, C);
        modelOps().layerNormBackward(dinp, dweight, dbias, dout, inp, weight, mean, rstd, N, C);
    }

    @Override
    public final void residualLayerNormBackward(Tensor dinp, Tensor dweight, Tensor dbias, Tensor ddeltaBias, Tensor dout,
                                                Tensor inp, Tensor weight, Tensor mean, Tensor rstd, int N, int C) {
        own(dinp, dweight, dbias, ddeltaBias, dout, inp, weight, mean, rstd);
        ArgumentChecks.residualLayerNormBackward(dinp, dweight, dbias, ddeltaBias, dout, inp, weight, mean, rstd, N, C);
        modelOps().residualLayerNormBackward(dinp, dweight, dbias, ddeltaBias, dout, inp, weight, mean, rstd, N, C);
    }

    @Override
    public final void biasAdd(Tensor out, Tensor bias, int N, int OC) {
        own(out, bias);
        ArgumentChecks.bias("biasAdd", out, bias, N, OC);
        modelOps().biasAdd(out, bias, N, OC);
    }

    @Override
    public final void biasBackward(Tensor dbias, Tensor dout, int N, int OC) {
        own(dbias, dout);
        ArgumentChecks.bias("biasBackward", dout, dbias, N, OC);
        modelOps().biasBackward(dbias, dout, N, OC);
    }

    @Override
    public final void attentionForward(Tensor out, Tensor att, Tensor qkv, int B, int T, int C, int NH) {
        own(out, att, qkv);
        ArgumentChecks.attention("attentionForward", out, att, qkv, B, T, C, NH);
        modelOps().attentionForward(out, att, qkv, B, T, C, NH);
    }

    @Override
    public final void attentionBackward(Tensor dqkv, Tensor dpreatt, Tensor dout, Tensor qkv, Tensor att, int B, int T, int C, int NH) {
        own(dqkv, dpreatt, dout, qkv, att);
        ArgumentChecks.attentionBackward(dqkv, dpreatt, dout, qkv, att, B, T, C, NH);
        modelOps().attentionBackward(dqkv, dpreatt, dout, qkv, att, B, T, C, NH);
    }

    @Override
    public final void geluForward(Tensor out, Tensor inp, long n) {
        own(out, inp);
        ArgumentChecks.elementwise("geluForward", n, out, inp);
        modelOps().geluForward(out, inp, n);
    }

    @Override
    public final void geluBackward(Tensor dinp, Tensor inp, Tensor dout, long n) {
        own(dinp, inp, dout);
        ArgumentChecks.elementwise("geluBackward", n, dinp, inp, dout);
        modelOps().geluBackward(dinp, inp, dout, n);
    }

    @Override
    public final void add(Tensor out, Tensor a, Tensor b, long n) {
        own(out, a, b);
        ArgumentChecks.elementwise("add", n, out, a, b);
        modelOps().add(out, a, b, n);
    }

    @Override
    public final void crossEntropy(Tensor losses, Tensor lossSum, Tensor dlogits, Tensor logits, Tensor targets, Tensor weights,
                                   int N, int V) {
        own(losses, lossSum, logits, targets, weights);
        if (dlogits != null) {
            own(dlogits);
        }
        ArgumentChecks.crossEntropy(losses, lossSum, dlogits, logits, targets, weights, N, V);
        modelOps().crossEntropy(losses, lossSum, dlogits, logits, targets, weights, N, V);
    }

    @Override
    public final void squaredNorm(Tensor out, Tensor x, long n) {
        own(out, x);
        ArgumentChecks.elementwise("squaredNorm", n, x);
        ArgumentChecks.elementwise("squaredNorm", 1, out);
        modelOps().squaredNorm(out, x, n);
    }

    @Override
    public final void adamw(Tensor params, Tensor grads, Tensor m, Tensor v, long n, Tensor normSq, float maxNorm,
                            float lr, float beta1, float beta2, float eps, float weightDecay, int t) {
        own(params, grads, m, v, normSq);
        ArgumentChecks.adamw(params, grads, m, v, n, normSq, t);
        modelOps().adamw(params, grads, m, v, n, normSq, maxNorm, lr, beta1, beta2, eps, weightDecay, t);
    }

    // ---------------------------------------------------------------- k-means and silhouette (ClusterOps)

    @Override
    public final void rowSquaredNorms(Tensor x, int n, int d, Tensor out) {
        own(x, out);
        ArgumentChecks.cluster(x, n, d, 1, out);
        clusterOps().rowSquaredNorms(x, n, d, out);
    }

    @Override
    public final void normalizeRows(Tensor x, int n, int d) {
        ArgumentChecks.cluster(own(x), n, d, 1);
        clusterOps().normalizeRows(x, n, d);
    }

    @Override
    public final AssignStats assignNearest(Tensor x, Tensor xNorms, int n, int d, Tensor centroids, int k, Tensor assign, Tensor minDist) {
        own(x, xNorms, centroids, assign, minDist);
        ArgumentChecks.cluster(x, n, d, k, xNorms, assign, minDist);
        ArgumentChecks.centroids(centroids, k, d);
        return clusterOps().assignNearest(x, xNorms, n, d, centroids, k, assign, minDist);
    }

    @Override
    public final AssignStats assignNearestBounded(Tensor x, Tensor xNorms, int n, int d, Tensor centroids, int k, Tensor assign,
                                                  Tensor minDist, Tensor lower, Tensor previous) {
        own(x, xNorms, centroids, assign, minDist, lower, previous);
        ArgumentChecks.cluster(x, n, d, k, xNorms, assign, minDist, lower);
        ArgumentChecks.centroids(centroids, k, d);
        ArgumentChecks.centroids(previous, k, d);
        return clusterOps().assignNearestBounded(x, xNorms, n, d, centroids, k, assign, minDist, lower, previous);
    }

    @Override
    public final int updateCentroids(Tensor x, int n, int d, Tensor assign, int k, boolean normalize, Tensor centroids, Tensor counts) {
        own(x, assign, centroids, counts);
        ArgumentChecks.cluster(x, n, d, k, assign);
        ArgumentChecks.centroids(centroids, k, d);
        ArgumentChecks.counts(counts, k);
        return clusterOps().updateCentroids(x, n, d, assign, k, normalize, centroids, counts);
    }

    @Override
    public final void silhouette(Tensor x, Tensor xNorms, int m, int d, Tensor labels, int k, Tensor out) {
        own(x, xNorms, labels, out);
        ArgumentChecks.cluster(x, m, d, k, xNorms, labels, out);
        clusterOps().silhouette(x, xNorms, m, d, labels, k, out);
    }
}
