package dev.rnb.backend.cuda;

import dev.rnb.backend.Backend;
import dev.rnb.backend.Backends;
import dev.rnb.backend.BalanceStep;
import dev.rnb.backend.Checks;
import dev.rnb.backend.DomainSegments;
import dev.rnb.backend.ModelChecks;
import dev.rnb.backend.Tensor;

/**
 * The cuda backend's launch code: device-resident tensors, our kernels of
 * cuda/ (contracts and launch shapes in cuda/KERNELS.md), cuBLAS for GEMM.
 * The same code drives a real GPU ({@link JCudaDevice}, backend "cuda") and
 * the CPU emulation ({@link EmulatedDevice}, backend "cuda-emulated").
 * The model operations launch through {@link CudaModelOps}; attention runs
 * our kernels or, when chosen and available, cuDNN ({@link #useAttention}).
 * Not thread-safe: one caller at a time (scratch buffers are reused).
 */
public final class CudaBackend implements Backend {
    /** The tiled kernels compute 64 x 64 output tiles with 16 x 16 threads. */
    private static final int TILE = 64;
    private static final Dim3 TILE_BLOCK = Dim3.of(16, 16);
    private static final int REDUCE_THREADS = 256;
    private static final int MAX_GRID_YZ = 65535;

    /** At most this many floats of dense per-domain gradients are formed at once before sketching. */
    private static final long SKETCH_DENSE_FLOATS = 1L << 25;

    private static final int ROW_ORDER = 0, SEG_START = 1, SEG_DOMAIN = 2, SCALE = 3, WEIGHT = 4,
            CURRENT = 5, GP = 6, NEXT = 7, V = 8, STATUS = 9, SLOTS = 10, DENSE = 11;

    private final String name;
    private final CudaDriver driver;
    private final Scratch scratch;
    private final CudaModelOps model;
    private final CudaClusterOps cluster;

    public CudaBackend(String name, CudaDriver driver) {
        this.name = name;
        this.driver = driver;
        this.scratch = new Scratch(driver, 12);
        this.model = new CudaModelOps(this, driver);
        this.cluster = new CudaClusterOps(driver);
    }

    /** The real GPU backend on device 0, with the attention {@link AttentionPath#configured()} names. */
    public static CudaBackend gpu() {
        AttentionPath attention = AttentionPath.configured();
        CudaBackend b = new CudaBackend("cuda", new JCudaDevice(0));
        b.useAttention(attention);
        return b;
    }

    /** The same launch code over the CPU emulation of the kernels (cuDNN, if configured, falls back to them). */
    public static CudaBackend emulated() {
        AttentionPath attention = AttentionPath.configured();
        CudaBackend b = new CudaBackend("cuda-emulated", new EmulatedDevice());
        b.useAttention(attention);
        return b;
    }

    public CudaDriver driver() { return driver; }

    @Override public String name() { return name; }

    @Override
    public String describe() {
        CudnnAttention cudnn = model.cudnn();
        return driver.describe() + "; attention: " + (cudnn == null ? "our kernels" : cudnn.describe());
    }

    /**
     * Chooses the attention from now on. cuDNN needs a real GPU and a
     * loadable libcudnn 9 that runs this configuration; where it has neither,
     * one line on stderr says why and our kernels run (nothing fails).
     * Returns that reason, or null when the requested path is active.
     */
    public String useAttention(AttentionPath requested) {
        model.useCudnn(null);
        if (requested == AttentionPath.KERNELS) {
            return null;
        }
        String why;
        if (!(driver instanceof JCudaDevice)) {
            why = "it needs a GPU; backend " + name + " has none";
        } else {
            try {
                model.useCudnn(new CudnnAttention(driver));
                return null;
            } catch (Throwable e) {
                why = Backends.reason(e);
            }
        }
        System.err.println("rnb: cuDNN attention unavailable (" + why + "); using our attention kernels");
        return why;
    }

    /** The attention that runs now. */
    public AttentionPath attentionPath() {
        return model.cudnn() == null ? AttentionPath.KERNELS : AttentionPath.CUDNN;
    }

    /** A tensor's device memory is being freed (DeviceTensor.close). */
    void released(long address, long bytes) {
        model.released(address, bytes);
    }

    @Override
    public Tensor allocate(long size) {
        DeviceTensor t = new DeviceTensor(this, driver, size);
        driver.memsetZero(t.address(0), Math.max(1, size) * Float.BYTES);
        return t;
    }

    private long addr(Tensor t, long offset) { return Checks.owned(this, DeviceTensor.class, t).address(offset); }

    @Override
    public void upload(float[] src, int srcOffset, Tensor dst, long dstOffset, int length) {
        Checks.range(dst, dstOffset, length);
        driver.copyToDevice(addr(dst, dstOffset), src, srcOffset, length);
    }

    @Override
    public void download(Tensor src, long srcOffset, float[] dst, int dstOffset, int length) {
        Checks.range(src, srcOffset, length);
        driver.copyToHost(dst, dstOffset, addr(src, srcOffset), length);
    }

    @Override
    public void zero(Tensor t) {
        driver.memsetZero(addr(t, 0), t.size() * Float.BYTES);
    }

    @Override
    public void copy(Tensor src, long srcOffset, Tensor dst, long dstOffset, long length) {
        Checks.range(src, srcOffset, length);
        Checks.range(dst, dstOffset, length);
        driver.copyDeviceToDevice(addr(dst, dstOffset), addr(src, srcOffset), length * Float.BYTES);
    }

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k,
                     float alpha, Tensor a, int lda, Tensor b, int ldb, float beta, Tensor c, int ldc) {
        Checks.gemmShapes(transA, transB, m, n, k, a, lda, b, ldb, c, ldc);
        if (m == 0 || n == 0) {
            return;
        }
        driver.blas().sgemm(transA, transB, m, n, k, alpha, addr(a, 0), lda, addr(b, 0), ldb, beta, addr(c, 0), ldc);
    }

    /** The cuBLAS baseline of {@link #gram}: upper triangle of X X^T by SSYRK, unscaled. */
    public void blasSyrk(Tensor x, int k, long d, Tensor out) {
        Checks.domainMatrix(x, k, d);
        driver.blas().ssyrk(k, Math.toIntExact(d), 1f, addr(x, 0), Math.toIntExact(d), 0f, addr(out, 0), k);
    }

    @Override
    public void domainGradAccumulate(Tensor h, Tensor e, int hDim, int vDim, DomainSegments segments, Tensor g) {
        Checks.domainGrad(h, e, hDim, vDim, segments, g);
        int segs = segments.segmentCount();
        if (segs == 0) {
            return;
        }
        long order = scratch.ints(ROW_ORDER, segments.rowOrder());
        long starts = scratch.ints(SEG_START, segments.segmentStarts());
        long domains = scratch.ints(SEG_DOMAIN, segments.segmentDomains());
        // One grid z-slice per segment; grids are at most 65535 deep, so more
        // segments go in several launches over offset views of the arrays.
        for (int first = 0; first < segs; first += MAX_GRID_YZ) {
            int count = Math.min(MAX_GRID_YZ, segs - first);
            launchDomainGrad(h, e, hDim, vDim, order, starts, first, count, domains + (long) first * Integer.BYTES, addr(g, 0));
        }
    }

    /** Segments first .. first+count-1 into G blocks named by blockOfSegment (count entries). */
    private void launchDomainGrad(Tensor h, Tensor e, int hDim, int vDim, long order, long starts,
                                  int first, int count, long blockOfSegment, long g) {
        driver.launch("rnb_domain_grad_accumulate",
                new Dim3(Dim3.blocks(hDim, TILE), Dim3.blocks(vDim, TILE), count), TILE_BLOCK, 0,
                new KernelArgs().ptr(addr(h, 0)).ptr(addr(e, 0)).ptr(order)
                        .ptr(starts + (long) first * Integer.BYTES).ptr(blockOfSegment)
                        .i32(count).i32(hDim).i32(vDim).ptr(g));
    }

    @Override
    public void domainGradSketchAccumulate(Tensor h, Tensor e, int hDim, int vDim, DomainSegments segments,
                                           int r, int seed, Tensor sketch) {
        Checks.domainGradSketch(h, e, hDim, vDim, segments, r, sketch);
        int segs = segments.segmentCount();
        if (segs == 0) {
            return;
        }
        int d = vDim * hDim;
        // Form a chunk of dense per-domain gradients in scratch (slot s holds
        // segment first+s), then scatter them into their domains' sketches.
        int slots = (int) Math.max(1, Math.min(Math.min(segs, MAX_GRID_YZ), SKETCH_DENSE_FLOATS / d));
        int[] iota = new int[slots];
        for (int s = 0; s < slots; s++) iota[s] = s;
        long slotIndex = scratch.ints(SLOTS, iota);
        long order = scratch.ints(ROW_ORDER, segments.rowOrder());
        long starts = scratch.ints(SEG_START, segments.segmentStarts());
        long domains = scratch.ints(SEG_DOMAIN, segments.segmentDomains());
        long dense = scratch.get(DENSE, (long) slots * d * Float.BYTES);
        for (int first = 0; first < segs; first += slots) {
            int count = Math.min(slots, segs - first);
            driver.memsetZero(dense, (long) count * d * Float.BYTES);
            launchDomainGrad(h, e, hDim, vDim, order, starts, first, count, slotIndex, dense);
            driver.launch("rnb_count_sketch_add", Dim3.of(Dim3.blocks(d, REDUCE_THREADS), count), Dim3.of(REDUCE_THREADS), 0,
                    new KernelArgs().ptr(dense).ptr(domains + (long) first * Integer.BYTES)
                            .i32(d).i32(r).i32(seed).ptr(addr(sketch, 0)));
        }
    }

    @Override
    public void gram(Tensor x, int k, long d, float[] scale, Tensor out) {
        Checks.domainMatrix(x, k, d, scale);
        if (out.size() < (long) k * k) {
            throw new IllegalArgumentException("gram output holds " + out.size() + " floats, needs k*k = " + (long) k * k);
        }
        long s = scratch.floats(SCALE, scale);
        int tiles = Dim3.blocks(k, TILE);
        driver.launch("rnb_gram", Dim3.of(tiles, tiles), TILE_BLOCK, 0,
                new KernelArgs().ptr(addr(x, 0)).ptr(s).i32(k).i32(Math.toIntExact(d)).ptr(addr(out, 0)));
    }

    /** Launches G p into scratch slot GP and returns its address. */
    private long launchGramTimesP(Tensor x, int k, long d, float[] scale, float[] p) {
        float[] weight = new float[k];
        for (int j = 0; j < k; j++) {
            weight[j] = p[j] * scale[j];
        }
        long w = scratch.floats(WEIGHT, weight);
        long s = scratch.floats(SCALE, scale);
        long v = scratch.get(V, d * Float.BYTES);
        long gp = scratch.get(GP, (long) k * Float.BYTES);
        int dInt = Math.toIntExact(d);
        driver.memsetZero(v, d * Float.BYTES);
        int columnBlocks = Dim3.blocks(d, REDUCE_THREADS);
        // Enough row slices to fill the device (~2048 blocks) when d is small.
        int slices = (int) Math.max(1, Math.min(Math.min(k, MAX_GRID_YZ), 2048L / columnBlocks));
        driver.launch("rnb_scaled_domain_sum", Dim3.of(columnBlocks, slices), Dim3.of(REDUCE_THREADS), 0,
                new KernelArgs().ptr(addr(x, 0)).ptr(w).i32(k).i32(dInt).ptr(v));
        driver.launch("rnb_scaled_domain_dots", Dim3.of(k), Dim3.of(REDUCE_THREADS), 0,
                new KernelArgs().ptr(addr(x, 0)).ptr(s).ptr(v).i32(k).i32(dInt).ptr(gp));
        return gp;
    }

    @Override
    public float[] gramTimesP(Tensor x, int k, long d, float[] scale, float[] p) {
        Checks.domainMatrix(x, k, d, scale, p);
        long gp = launchGramTimesP(x, k, d, scale, p);
        float[] out = new float[k];
        driver.copyToHost(out, 0, gp, k);
        return out;
    }

    /** The update kernel on G p already in device memory; only k floats and a status come back. */
    private BalanceStep launchUpdate(long gp, long scaleAddress, float[] current, float lambda) {
        int k = current.length;
        long cur = scratch.floats(CURRENT, current);
        long next = scratch.get(NEXT, (long) k * Float.BYTES);
        long status = scratch.get(STATUS, Integer.BYTES);
        driver.launch("rnb_balance_update", Dim3.of(1), Dim3.of(REDUCE_THREADS), 0,
                new KernelArgs().ptr(gp).ptr(scaleAddress).ptr(cur).f32(lambda).i32(k).ptr(next).ptr(status));
        float[] result = new float[k];
        int[] code = new int[1];
        driver.copyToHost(result, 0, next, k);
        driver.copyToHost(code, 0, status, 1);
        return new BalanceStep(result, BalanceStep.Status.fromCode(code[0]));
    }

    @Override
    public BalanceStep balanceUpdate(float[] gp, float[] scale, float[] current, float lambda) {
        Checks.update(gp, scale, current, lambda);
        return launchUpdate(scratch.floats(GP, gp), scratch.floats(SCALE, scale), current, lambda);
    }

    @Override
    public BalanceStep balanceRound(Tensor x, int k, long d, float[] scale, float[] p, float lambda, float[] current) {
        Checks.domainMatrix(x, k, d, scale, p, current);
        Checks.update(new float[k], scale, current, lambda);
        long gp = launchGramTimesP(x, k, d, scale, p);
        // G p left the scales in their scratch slot; the update reads them there.
        return launchUpdate(gp, scratch.get(SCALE, (long) k * Float.BYTES), current, lambda);
    }

    // ---------------------------------------------------------------- model operations (ModelOps, CudaModelOps)

    @Override public Tensor view(Tensor base, long offset, long size) { return model.view(base, offset, size); }

    @Override
    public void encoderForward(Tensor out, Tensor tokens, Tensor wte, Tensor wpe, int B, int T, int C) {
        ModelChecks.encoder("encoderForward", out, tokens, wte, wpe, B, T, C);
        model.encoderForward(out, tokens, wte, wpe, B, T, C);
    }

    @Override
    public void encoderBackward(Tensor dwte, Tensor dwpe, Tensor dout, Tensor tokens, int B, int T, int C) {
        ModelChecks.encoder("encoderBackward", dout, tokens, dwte, dwpe, B, T, C);
        model.encoderBackward(dwte, dwpe, dout, tokens, B, T, C);
    }

    @Override
    public void layerNormForward(Tensor out, Tensor mean, Tensor rstd, Tensor inp, Tensor weight, Tensor bias, int N, int C) {
        ModelChecks.layerNorm("layerNormForward", out, inp, mean, rstd, weight, bias, N, C);
        model.layerNormForward(out, mean, rstd, inp, weight, bias, N, C);
    }

    @Override
    public void layerNormBackward(Tensor dinp, Tensor dweight, Tensor dbias, Tensor dout, Tensor inp, Tensor weight,
                                  Tensor mean, Tensor rstd, int N, int C) {
        ModelChecks.layerNormBackward(dinp, dweight, dbias, dout, inp, weight, mean, rstd, N, C);
        model.layerNormBackward(dinp, dweight, dbias, dout, inp, weight, mean, rstd, N, C);
    }

    @Override public void biasAdd(Tensor out, Tensor bias, int N, int OC) {
        ModelChecks.bias("biasAdd", out, bias, N, OC);
        model.biasAdd(out, bias, N, OC);
    }

    @Override public void biasBackward(Tensor dbias, Tensor dout, int N, int OC) {
        ModelChecks.bias("biasBackward", dout, dbias, N, OC);
        model.biasBackward(dbias, dout, N, OC);
    }

    @Override
    public void attentionForward(Tensor out, Tensor att, Tensor qkv, int B, int T, int C, int NH) {
        ModelChecks.attention("attentionForward", out, att, qkv, B, T, C, NH);
        model.attentionForward(out, att, qkv, B, T, C, NH);
    }

    @Override
    public void attentionBackward(Tensor dqkv, Tensor dpreatt, Tensor dout, Tensor qkv, Tensor att, int B, int T, int C, int NH) {
        ModelChecks.attentionBackward(dqkv, dpreatt, dout, qkv, att, B, T, C, NH);
        model.attentionBackward(dqkv, dpreatt, dout, qkv, att, B, T, C, NH);
    }

    @Override public void geluForward(Tensor out, Tensor inp, long n) {
        ModelChecks.elementwise("geluForward", n, out, inp);
        model.geluForward(out, inp, n);
    }

    @Override public void geluBackward(Tensor dinp, Tensor inp, Tensor dout, long n) {
        ModelChecks.elementwise("geluBackward", n, dinp, inp, dout);
        model.geluBackward(dinp, inp, dout, n);
    }

    @Override public void add(Tensor out, Tensor a, Tensor b, long n) {
        ModelChecks.elementwise("add", n, out, a, b);
        model.add(out, a, b, n);
    }

    @Override
    public void crossEntropy(Tensor losses, Tensor lossSum, Tensor dlogits, Tensor logits, Tensor targets, Tensor weights, int N, int V) {
        ModelChecks.crossEntropy(losses, lossSum, dlogits, logits, targets, weights, N, V);
        model.crossEntropy(losses, lossSum, dlogits, logits, targets, weights, N, V);
    }

    @Override public void squaredNorm(Tensor out, Tensor x, long n) {
        ModelChecks.elementwise("squaredNorm", n, x);
        ModelChecks.elementwise("squaredNorm", 1, out);
        model.squaredNorm(out, x, n);
    }

    @Override
    public void adamw(Tensor params, Tensor grads, Tensor m, Tensor v, long n, Tensor normSq, float maxNorm,
                      float lr, float beta1, float beta2, float eps, float weightDecay, int t) {
        ModelChecks.adamw(params, grads, m, v, n, normSq, t);
        model.adamw(params, grads, m, v, n, normSq, maxNorm, lr, beta1, beta2, eps, weightDecay, t);
    }

    @Override
    public void rowSquaredNorms(Tensor x, int n, int d, Tensor out) {
        Checks.cluster(x, n, d, 1, out);
        cluster.rowSquaredNorms(addr(x, 0), n, d, addr(out, 0));
    }

    @Override
    public void normalizeRows(Tensor x, int n, int d) {
        Checks.cluster(x, n, d, 1);
        cluster.normalizeRows(addr(x, 0), n, d);
    }

    @Override
    public AssignStats assignNearest(Tensor x, Tensor xNorms, int n, int d, Tensor centroids, int k, Tensor assign, Tensor minDist) {
        Checks.cluster(x, n, d, k, xNorms, assign, minDist);
        Checks.centroids(centroids, k, d);
        return cluster.assign(addr(x, 0), addr(xNorms, 0), n, d, addr(centroids, 0), k, addr(assign, 0), addr(minDist, 0));
    }

    @Override
    public int updateCentroids(Tensor x, int n, int d, Tensor assign, int k, boolean normalize, Tensor centroids, Tensor counts) {
        Checks.cluster(x, n, d, k, assign);
        Checks.centroids(centroids, k, d);
        Checks.counts(counts, k);
        return cluster.update(addr(x, 0), n, d, addr(assign, 0), k, normalize, addr(centroids, 0), addr(counts, 0));
    }

    @Override
    public void silhouette(Tensor x, Tensor xNorms, int m, int d, Tensor labels, int k, Tensor out) {
        Checks.cluster(x, m, d, k, xNorms, labels, out);
        cluster.silhouette(addr(x, 0), addr(xNorms, 0), m, d, addr(labels, 0), k, addr(out, 0));
    }

    @Override
    public void close() {
        model.useCudnn(null);
        cluster.close();
        scratch.close();
        driver.close();
    }
}
