package dev.rnb.backend.cuda;

import dev.rnb.backend.BalanceOps;
import dev.rnb.backend.BalanceStep;
import dev.rnb.backend.DomainSegments;
import dev.rnb.backend.Tensor;

import static dev.rnb.backend.cuda.DeviceTensor.address;

/**
 * The cuda backend's Balance launch code (cuda/domain_grad.cu,
 * count_sketch.cu, sign_projection.cu, gram.cu, gram_vector.cu, balance_update.cu; contracts and
 * launch shapes in cuda/KERNELS.md). The round
 * keeps G p in device memory between its two kernels: only k floats and a
 * status come back. Not thread-safe: scratch buffers are reused.
 */
final class CudaBalanceOps implements BalanceOps, AutoCloseable {
    /** The tiled kernels compute 64 x 64 output tiles with 16 x 16 threads. */
    private static final int TILE = 64;
    private static final Dim3 TILE_BLOCK = Dim3.of(16, 16);
    private static final int REDUCE_THREADS = 256;
    private static final int MAX_GRID_YZ = 65535;
    /** Rows (warps) per block of rnb_scaled_domain_dots. */
    private static final int DOT_ROWS_PER_BLOCK = REDUCE_THREADS / 32;
    /**
     * Blocks to aim for in each G p pass: about two waves of 256-thread
     * blocks on the largest GPUs (132 SMs x 8 resident blocks), so that the
     * streams over X keep every SM busy whatever the shape of X.
     */
    private static final int TARGET_BLOCKS = 2048;
    /** Independent loads in flight per thread in the G p passes (RNB_GV_UNROLL): the least work worth a slice or split. */
    private static final int LOADS_IN_FLIGHT = 8;
    /**
     * The update's passes run on at most this many blocks (cuda/balance_update.cu),
     * each thread taking at least this many domains: 256 blocks from k = 2^18.
     */
    private static final int UPDATE_MAX_BLOCKS = 256, UPDATE_DOMAINS_PER_THREAD = 4;
    /** Floats per block of the update's partials (cuda/balance_update.cu). */
    private static final int UPDATE_PARTIAL_FIELDS = 8;

    /** At most this many floats of dense per-domain gradients are formed at once before sketching. */
    private static final long SKETCH_DENSE_FLOATS = 1L << 25;

    private static final int ROW_ORDER = 0, SEG_START = 1, SEG_DOMAIN = 2, SCALE = 3, P = 4,
            PARTIAL = 5, GP = 6, NEXT = 7, V = 8, STATUS = 9, SLOTS = 10, DENSE = 11;

    private final CudaDevice device;
    private final Scratch scratch;

    CudaBalanceOps(CudaDevice device) {
        this.device = device;
        this.scratch = new Scratch(device, 12);
    }

    @Override
    public void domainGradAccumulate(Tensor h, Tensor e, int hDim, int vDim, DomainSegments segments, Tensor g) {
        accumulateSegments(h, e, hDim, vDim, segments, g, null);
    }

    @Override
    public void domainGradAccumulateWithHead(Tensor h, Tensor e, int hDim, int vDim, DomainSegments segments, Tensor g,
                                             Tensor headGrad) {
        accumulateSegments(h, e, hDim, vDim, segments, g, headGrad);
    }

    /**
     * Every segment's E_s^T H_s into its domain's block of g and, when headGrad
     * is not null, into headGrad too (rnb_domain_grad_head_accumulate).
     */
    private void accumulateSegments(Tensor h, Tensor e, int hDim, int vDim, DomainSegments segments, Tensor g,
                                    Tensor headGrad) {
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
            long blockOfSegment = domains + (long) first * Integer.BYTES;
            if (headGrad == null) {
                launchDomainGrad(h, e, hDim, vDim, order, starts, first, count, blockOfSegment, address(g));
            } else {
                device.launch("rnb_domain_grad_head_accumulate", domainGradGrid(hDim, vDim, count), TILE_BLOCK, 0,
                        domainGradArgs(h, e, hDim, vDim, order, starts, first, count, blockOfSegment, address(g))
                                .ptr(address(headGrad)));
            }
        }
    }

    /** Segments first .. first+count-1 into G blocks named by blockOfSegment (count entries). */
    private void launchDomainGrad(Tensor h, Tensor e, int hDim, int vDim, long order, long starts,
                                  int first, int count, long blockOfSegment, long g) {
        device.launch("rnb_domain_grad_accumulate", domainGradGrid(hDim, vDim, count), TILE_BLOCK, 0,
                domainGradArgs(h, e, hDim, vDim, order, starts, first, count, blockOfSegment, g));
    }

    private static Dim3 domainGradGrid(int hDim, int vDim, int count) {
        return new Dim3(Dim3.blocks(hDim, TILE), Dim3.blocks(vDim, TILE), count);
    }

    private static KernelArgs domainGradArgs(Tensor h, Tensor e, int hDim, int vDim, long order, long starts,
                                             int first, int count, long blockOfSegment, long g) {
        return new KernelArgs().ptr(address(h)).ptr(address(e)).ptr(order)
                .ptr(starts + (long) first * Integer.BYTES).ptr(blockOfSegment)
                .i32(count).i32(hDim).i32(vDim).ptr(g);
    }

    @Override
    public void domainGradSketchAccumulate(Tensor h, Tensor e, int hDim, int vDim, DomainSegments segments,
                                           int r, int seed, Tensor sketch) {
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
            device.memsetZero(dense, (long) count * d * Float.BYTES);
            launchDomainGrad(h, e, hDim, vDim, order, starts, first, count, slotIndex, dense);
            device.launch("rnb_count_sketch_add", Dim3.of(Dim3.blocks(d, REDUCE_THREADS), count), Dim3.of(REDUCE_THREADS), 0,
                    new KernelArgs().ptr(dense).ptr(domains + (long) first * Integer.BYTES)
                            .i32(d).i32(r).i32(seed).ptr(address(sketch)));
        }
    }

    @Override
    public void signProjection(Tensor out, int n, int seed, float scale) {
        device.launch("rnb_sign_projection", Dim3.of(Dim3.blocks(n, REDUCE_THREADS)), Dim3.of(REDUCE_THREADS), 0,
                new KernelArgs().ptr(address(out)).i32(n).i32(seed).f32(scale));
    }

    @Override
    public void gram(Tensor x, int k, long d, float[] scale, Tensor out) {
        long s = scratch.floats(SCALE, scale);
        int tiles = Dim3.blocks(k, TILE);
        device.launch("rnb_gram", Dim3.of(tiles, tiles), TILE_BLOCK, 0,
                new KernelArgs().ptr(address(x)).ptr(s).i32(k).i32(Math.toIntExact(d)).ptr(address(out)));
    }

    /**
     * Launches G p into scratch slot GP and returns its address. Uploads p and
     * the scales (k floats each; the kernels form the weights p * scale); X
     * is read twice, by two grids of about {@link #TARGET_BLOCKS} blocks.
     */
    private long launchGramTimesP(Tensor x, int k, long d, float[] scale, float[] p) {
        long pAddress = scratch.floats(P, p);
        long s = scratch.floats(SCALE, scale);
        long v = scratch.get(V, d * Float.BYTES);
        long gp = scratch.get(GP, (long) k * Float.BYTES);
        int dInt = Math.toIntExact(d);
        device.memsetZero(v, d * Float.BYTES);
        // v = X^T (p * scale): a thread per column, rows cut into slices when
        // the columns alone give too few blocks (small d).
        int columnBlocks = Dim3.blocks(d, REDUCE_THREADS);
        int slices = Math.max(1, Math.min(Math.min(Dim3.blocks(k, LOADS_IN_FLIGHT), MAX_GRID_YZ), TARGET_BLOCKS / columnBlocks));
        int rowsPerSlice = Dim3.blocks(k, slices);
        device.launch("rnb_scaled_domain_sum", Dim3.of(columnBlocks, Dim3.blocks(k, rowsPerSlice)),
                Dim3.of(REDUCE_THREADS), 0,
                new KernelArgs().ptr(address(x)).ptr(pAddress).ptr(s).i32(k).i32(dInt).i32(rowsPerSlice).ptr(v));
        // G p = diag(scale) X v: a warp per row, columns cut into splits when
        // the rows alone give too few blocks (small k, large d).
        int rowBlocks = Dim3.blocks(k, DOT_ROWS_PER_BLOCK);
        int splits = Math.max(1, Math.min(Math.min(MAX_GRID_YZ, Dim3.blocks(d, 32 * LOADS_IN_FLIGHT)), TARGET_BLOCKS / rowBlocks));
        int colsPerSplit = Dim3.blocks(Dim3.blocks(d, splits), 32) * 32;
        int splitBlocks = Dim3.blocks(d, colsPerSplit);
        if (splitBlocks > 1) {
            device.memsetZero(gp, (long) k * Float.BYTES);
        }
        device.launch("rnb_scaled_domain_dots", Dim3.of(rowBlocks, splitBlocks), Dim3.of(REDUCE_THREADS), 0,
                new KernelArgs().ptr(address(x)).ptr(s).ptr(v).i32(k).i32(dInt).i32(colsPerSplit).ptr(gp));
        return gp;
    }

    @Override
    public float[] gramTimesP(Tensor x, int k, long d, float[] scale, float[] p) {
        long gp = launchGramTimesP(x, k, d, scale, p);
        float[] out = new float[k];
        device.copyToHost(out, 0, gp, k);
        return out;
    }

    @Override
    public float[] gramTimesPThenZero(Tensor x, int k, long d, float[] scale, float[] p) {
        long gp = launchGramTimesP(x, k, d, scale, p);
        device.memsetZero(address(x), k * d * Float.BYTES); // after the dots on the same stream
        float[] out = new float[k];
        device.copyToHost(out, 0, gp, k);
        return out;
    }

    /**
     * The update's four kernels on G p already in device memory. Only the
     * status comes back, then p' (k floats) when the round updated; a skipped
     * round keeps {@code current}, which never goes to the device.
     */
    private BalanceStep launchUpdate(long gp, long scaleAddress, float[] current, float lambda) {
        int k = current.length;
        int blocks = Math.min(UPDATE_MAX_BLOCKS, Dim3.blocks(k, REDUCE_THREADS * UPDATE_DOMAINS_PER_THREAD));
        long partial = scratch.get(PARTIAL, (long) UPDATE_PARTIAL_FIELDS * blocks * Float.BYTES);
        long next = scratch.get(NEXT, (long) k * Float.BYTES);
        long status = scratch.get(STATUS, Integer.BYTES);
        Dim3 grid = Dim3.of(blocks), block = Dim3.of(REDUCE_THREADS);
        device.launch("rnb_balance_stats", grid, block, 0,
                new KernelArgs().ptr(gp).ptr(scaleAddress).i32(k).ptr(partial));
        device.launch("rnb_balance_norm", grid, block, 0,
                new KernelArgs().ptr(gp).ptr(scaleAddress).i32(k).ptr(partial).ptr(status));
        device.launch("rnb_balance_exp", grid, block, 0,
                new KernelArgs().ptr(gp).ptr(scaleAddress).f32(lambda).i32(k).ptr(partial).ptr(next));
        device.launch("rnb_balance_normalise", grid, block, 0,
                new KernelArgs().i32(k).ptr(partial).ptr(next).ptr(status));
        int[] code = new int[1];
        device.copyToHost(code, 0, status, 1);
        BalanceStep.Status outcome = BalanceStep.Status.fromCode(code[0]);
        if (outcome.skipped()) {
            return new BalanceStep(current.clone(), outcome);
        }
        float[] result = new float[k];
        device.copyToHost(result, 0, next, k);
        return new BalanceStep(result, outcome);
    }

    @Override
    public BalanceStep balanceUpdate(float[] gp, float[] scale, float[] current, float lambda) {
        return launchUpdate(scratch.floats(GP, gp), scratch.floats(SCALE, scale), current, lambda);
    }

    @Override
    public BalanceStep balanceRound(Tensor x, int k, long d, float[] scale, float[] p, float lambda, float[] current) {
        long gp = launchGramTimesP(x, k, d, scale, p);
        // G p left the scales in their scratch slot; the update reads them there.
        return launchUpdate(gp, scratch.get(SCALE, (long) k * Float.BYTES), current, lambda);
    }

    @Override
    public void close() {
        scratch.close();
    }
}
