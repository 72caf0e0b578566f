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

    /** At most this many floats of dense per-domain gradients are formed at once before sketching. */
    private static final long SKETCH_DENSE_FLOATS = 1L << 25;

    private static final int ROW_ORDER = 0, SEG_START = 1, SEG_DOMAIN = 2, SCALE = 3, WEIGHT = 4,
            CURRENT = 5, GP = 6, NEXT = 7, V = 8, STATUS = 9, SLOTS = 10, DENSE = 11;

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
        device.memsetZero(v, d * Float.BYTES);
        int columnBlocks = Dim3.blocks(d, REDUCE_THREADS);
        // Enough row slices to fill the device (~2048 blocks) when d is small.
        int slices = (int) Math.max(1, Math.min(Math.min(k, MAX_GRID_YZ), 2048L / columnBlocks));
        device.launch("rnb_scaled_domain_sum", Dim3.of(columnBlocks, slices), Dim3.of(REDUCE_THREADS), 0,
                new KernelArgs().ptr(address(x)).ptr(w).i32(k).i32(dInt).ptr(v));
        device.launch("rnb_scaled_domain_dots", Dim3.of(k), Dim3.of(REDUCE_THREADS), 0,
                new KernelArgs().ptr(address(x)).ptr(s).ptr(v).i32(k).i32(dInt).ptr(gp));
        return gp;
    }

    @Override
    public float[] gramTimesP(Tensor x, int k, long d, float[] scale, float[] p) {
        long gp = launchGramTimesP(x, k, d, scale, p);
        float[] out = new float[k];
        device.copyToHost(out, 0, gp, k);
        return out;
    }

    /** The update kernel on G p already in device memory; only k floats and a status come back. */
    private BalanceStep launchUpdate(long gp, long scaleAddress, float[] current, float lambda) {
        int k = current.length;
        long cur = scratch.floats(CURRENT, current);
        long next = scratch.get(NEXT, (long) k * Float.BYTES);
        long status = scratch.get(STATUS, Integer.BYTES);
        device.launch("rnb_balance_update", Dim3.of(1), Dim3.of(REDUCE_THREADS), 0,
                new KernelArgs().ptr(gp).ptr(scaleAddress).ptr(cur).f32(lambda).i32(k).ptr(next).ptr(status));
        float[] result = new float[k];
        int[] code = new int[1];
        device.copyToHost(result, 0, next, k);
        device.copyToHost(code, 0, status, 1);
        return new BalanceStep(result, BalanceStep.Status.fromCode(code[0]));
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
