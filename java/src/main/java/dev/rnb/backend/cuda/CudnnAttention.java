package dev.rnb.backend.cuda;

import org.bytedeco.cuda.cudnn.cudnnAttnStruct;
import org.bytedeco.cuda.cudnn.cudnnContext;
import org.bytedeco.cuda.cudnn.cudnnSeqDataStruct;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.SizeTPointer;

import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static org.bytedeco.cuda.global.cudnn.*;

/**
 * cuDNN's multi-head attention as the cuda backend's attention
 * ({@link AttentionPath#CUDNN}), through the Bytedeco CUDA presets.
 *
 * <p>Why this API: our model is FP32 throughout, and cuDNN's fused flash
 * attention (the graph API's SDPA, which llm.c uses) takes only FP16/BF16/FP8
 * operands. The older multi-head attention API (cudnnMultiHeadAttnForward /
 * BackwardData) computes in FP32. Its projections are disabled (sizes 0, so
 * there are no weights) and it runs one head: with projections off every head
 * would see the same unprojected vectors, so our NH heads are folded into its
 * batch instead (batch B*NH, time T, vectors of hs = C/NH floats), which
 * cuda/attention_layout.cu lays out. The causal mask is the attention window
 * [0, t+1) of each query t; the softmax scale is 1/sqrt(hs).
 *
 * <p>The forward runs in training mode and keeps cuDNN's reserve space (the
 * state the backward needs) per {@code att} tensor, which on this path is
 * only the key of that state: cuDNN does not write the probabilities there.
 * A reserve space lives until the next forward on the same tensor, or until
 * the tensor or the backend is closed.
 *
 * <p>Opening loads libcudnn (any 9.x), creates a handle on the default stream
 * (the one our kernels and cuBLAS use) and runs a small forward and backward,
 * so a library that loads but cannot run this configuration fails here, where
 * the backend can still fall back to our kernels.
 */
final class CudnnAttention implements AutoCloseable {
    private static final int Q = 0, K = 1, V = 2, Y = 3, DQ = 4, DK = 5, DV = 6, WORK = 7;

    /** cuDNN's view of one attention call: B*NH sequences of T vectors of hs floats. */
    record Shape(int sequences, int T, int hs) {
        static Shape of(int B, int T, int C, int NH) {
            return new Shape(B * NH, T, C / NH);
        }
    }

    private record Reserve(Shape shape, long address, long bytes) {}

    private final CudaDevice device;
    private final AttentionLayout layout;
    private final Scratch scratch;
    private final cudnnContext handle = new cudnnContext();
    private final Map<Shape, Plan> plans = new HashMap<>();
    private final Set<Shape> refused = new HashSet<>();
    private final TreeMap<Long, Reserve> reserves = new TreeMap<>();
    private final long version;

    CudnnAttention(CudaDevice device) {
        this.device = device;
        this.layout = new AttentionLayout(device);
        this.scratch = new Scratch(device, 8);
        Loader.load(org.bytedeco.cuda.global.cudnn.class);
        check(cudnnCreate(handle), "cudnnCreate");
        this.version = cudnnGetVersion();
        try {
            probe();
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private static void check(int status, String call) {
        if (status != CUDNN_STATUS_SUCCESS) {
            throw new CudaException(call + " failed with cuDNN status " + status + " (" + cudnnGetErrorString(status).getString() + ")");
        }
    }

    String describe() {
        return String.format(Locale.ROOT, "cuDNN %d.%d.%d multi-head attention (FP32)", version / 10000, version % 10000 / 100, version % 100);
    }

    /** Two heads of two sequences of three steps, forward and backward, on zeros. */
    private void probe() {
        int B = 2, T = 3, C = 4, NH = 2;
        long rowsBytes = (long) B * T * C * Float.BYTES;
        long qkv = device.alloc(3 * rowsBytes), dqkv = device.alloc(3 * rowsBytes);
        long out = device.alloc(rowsBytes), att = device.alloc(Float.BYTES);
        try {
            device.memsetZero(qkv, 3 * rowsBytes);
            device.memsetZero(dqkv, 3 * rowsBytes);
            run(out, att, qkv, B, T, C, NH);
            backward(dqkv, out, qkv, att, B, T, C, NH);
            device.synchronize();
        } finally {
            released(att, Float.BYTES);
            for (long a : new long[] {qkv, dqkv, out, att}) {
                device.free(a);
            }
        }
    }

    /**
     * out = attention(qkv), keeping the reserve space under att. Returns false,
     * having written nothing, when cuDNN refuses this shape (said once per
     * shape on stderr); the caller then runs our kernels.
     */
    boolean forward(long out, long att, long qkv, int B, int T, int C, int NH) {
        Shape shape = Shape.of(B, T, C, NH);
        if (!refused.contains(shape)) {
            try {
                run(out, att, qkv, B, T, C, NH);
                return true;
            } catch (CudaException e) {
                refused.add(shape);
                System.err.println("rnb: cuDNN attention refused " + shape + " (" + e.getMessage() + "); our attention kernels run it");
            }
        }
        released(att, Float.BYTES);
        return false;
    }

    private void run(long out, long att, long qkv, int B, int T, int C, int NH) {
        Shape shape = Shape.of(B, T, C, NH);
        Plan p = plan(shape);
        long[] qkvHeads = split(qkv, B, T, C, NH);
        long y = scratch.get(Y, headsBytes(B, T, C));
        Reserve r = reserve(att, shape, p.reserveBytes);
        check(cudnnMultiHeadAttnForward(handle, p.attn, -1, p.lo, p.hi, p.seqLengths, p.seqLengths,
                p.seq, at(qkvHeads[0]), null, p.seq, at(qkvHeads[1]), p.seq, at(qkvHeads[2]), p.seq, at(y),
                0, null, p.workBytes, at(scratch.get(WORK, p.workBytes)), r.bytes, at(r.address)), "cudnnMultiHeadAttnForward");
        layout.toRows(out, y, C, false, B, T, C, NH);
    }

    /**
     * dqkv += d attention / d qkv, from the reserve space att's forward kept.
     * Returns false when att's last forward ran on our kernels (no reserve).
     */
    boolean backward(long dqkv, long dout, long qkv, long att, int B, int T, int C, int NH) {
        Reserve r = reserves.get(att);
        if (r == null) {
            return false;
        }
        Shape shape = Shape.of(B, T, C, NH);
        if (!r.shape.equals(shape)) {
            throw new IllegalStateException("attentionBackward on " + shape + " after a forward on " + r.shape + " with the same att tensor");
        }
        Plan p = plan(shape);
        long bytes = headsBytes(B, T, C);
        long[] qkvHeads = split(qkv, B, T, C, NH);
        long dy = scratch.get(Y, bytes), dq = scratch.get(DQ, bytes), dk = scratch.get(DK, bytes), dv = scratch.get(DV, bytes);
        layout.toHeads(dy, dout, C, B, T, C, NH);
        check(cudnnMultiHeadAttnBackwardData(handle, p.attn, p.lo, p.hi, p.seqLengths, p.seqLengths,
                p.seq, at(dy), p.seq, at(dq), at(qkvHeads[0]), p.seq, at(dk), at(qkvHeads[1]), p.seq, at(dv), at(qkvHeads[2]),
                0, null, p.workBytes, at(scratch.get(WORK, p.workBytes)), r.bytes, at(r.address)), "cudnnMultiHeadAttnBackwardData");
        long third = (long) C * Float.BYTES;
        layout.toRows(dqkv, dq, 3 * C, true, B, T, C, NH);
        layout.toRows(dqkv + third, dk, 3 * C, true, B, T, C, NH);
        layout.toRows(dqkv + 2 * third, dv, 3 * C, true, B, T, C, NH);
        return true;
    }

    /** q, k, v of qkv into the Q, K, V scratch slots in head layout; returns their addresses. */
    private long[] split(long qkv, int B, int T, int C, int NH) {
        long bytes = headsBytes(B, T, C), third = (long) C * Float.BYTES;
        long q = scratch.get(Q, bytes), k = scratch.get(K, bytes), v = scratch.get(V, bytes);
        layout.toHeads(q, qkv, 3 * C, B, T, C, NH);
        layout.toHeads(k, qkv + third, 3 * C, B, T, C, NH);
        layout.toHeads(v, qkv + 2 * third, 3 * C, B, T, C, NH);
        return new long[] {q, k, v};
    }

    private static long headsBytes(int B, int T, int C) {
        return Math.max(1L, (long) B * T * C) * Float.BYTES;
    }

    private static Pointer at(long address) {
        return RawAddress.bytes(address);
    }

    private Reserve reserve(long att, Shape shape, long bytes) {
        Reserve r = reserves.get(att);
        if (r != null && r.shape.equals(shape)) {
            return r;
        }
        released(att, Float.BYTES);
        r = new Reserve(shape, device.alloc(Math.max(1, bytes)), bytes);
        reserves.put(att, r);
        return r;
    }

    /** Frees the reserve spaces kept for att tensors inside [address, address + bytes): the memory is going away. */
    void released(long address, long bytes) {
        Iterator<Reserve> it = reserves.subMap(address, true, address + bytes, false).values().iterator();
        while (it.hasNext()) {
            device.free(it.next().address);
            it.remove();
        }
    }

    private Plan plan(Shape shape) {
        Plan p = plans.get(shape);
        if (p == null) {
            p = new Plan(shape);
            plans.put(shape, p);
        }
        return p;
    }

    /** The descriptors and buffer sizes of one shape. */
    private final class Plan implements AutoCloseable {
        final cudnnAttnStruct attn = new cudnnAttnStruct();
        final cudnnSeqDataStruct seq = new cudnnSeqDataStruct();
        /** Attention window of each query step: keys [lo, hi) = [0, t+1), the causal mask. Host arrays. */
        final IntPointer lo, hi;
        /** Device array of the B*NH sequence lengths (all T). */
        IntPointer seqLengths;
        long workBytes, reserveBytes;

        Plan(Shape s) {
            int[] low = new int[s.T], high = new int[s.T], lengths = new int[s.sequences];
            for (int t = 0; t < s.T; t++) high[t] = t + 1;
            Arrays.fill(lengths, s.T);
            lo = new IntPointer(low);
            hi = new IntPointer(high);
            try {
                check(cudnnCreateAttnDescriptor(attn), "cudnnCreateAttnDescriptor");
                check(cudnnSetAttnDescriptor(attn, CUDNN_ATTN_QUERYMAP_ALL_TO_ONE | CUDNN_ATTN_DISABLE_PROJ_BIASES, 1,
                        1.0 / Math.sqrt(s.hs), CUDNN_DATA_FLOAT, CUDNN_DATA_FLOAT, CUDNN_DEFAULT_MATH, null, null,
                        s.hs, s.hs, s.hs, 0, 0, 0, 0, s.T, s.T, s.sequences, 1), "cudnnSetAttnDescriptor");
                check(cudnnCreateSeqDataDescriptor(seq), "cudnnCreateSeqDataDescriptor");
                int[] dims = new int[CUDNN_SEQDATA_DIM_COUNT];
                dims[CUDNN_SEQDATA_TIME_DIM] = s.T;
                dims[CUDNN_SEQDATA_BATCH_DIM] = s.sequences;
                dims[CUDNN_SEQDATA_BEAM_DIM] = 1;
                dims[CUDNN_SEQDATA_VECT_DIM] = s.hs;
                // Outermost to innermost: (sequence, beam, time, vector) = our (B, NH, T, hs).
                int[] axes = {CUDNN_SEQDATA_BATCH_DIM, CUDNN_SEQDATA_BEAM_DIM, CUDNN_SEQDATA_TIME_DIM, CUDNN_SEQDATA_VECT_DIM};
                check(cudnnSetSeqDataDescriptor(seq, CUDNN_DATA_FLOAT, CUDNN_SEQDATA_DIM_COUNT, dims, axes, lengths.length, lengths, null),
                        "cudnnSetSeqDataDescriptor");
                try (SizeTPointer weights = new SizeTPointer(1); SizeTPointer work = new SizeTPointer(1);
                     SizeTPointer reserve = new SizeTPointer(1)) {
                    check(cudnnGetMultiHeadAttnBuffers(handle, attn, weights, work, reserve), "cudnnGetMultiHeadAttnBuffers");
                    if (weights.get() != 0) {
                        throw new CudaException("cuDNN asks for " + weights.get() + " bytes of attention weights with projections disabled");
                    }
                    workBytes = work.get();
                    reserveBytes = reserve.get();
                }
                long devLengths = device.alloc((long) lengths.length * Integer.BYTES);
                seqLengths = RawAddress.ints(devLengths);
                device.copyToDevice(devLengths, lengths, 0, lengths.length);
            } catch (RuntimeException e) {
                close();
                throw e;
            }
        }

        @Override
        public void close() {
            if (!attn.isNull()) cudnnDestroyAttnDescriptor(attn);
            if (!seq.isNull()) cudnnDestroySeqDataDescriptor(seq);
            if (seqLengths != null) device.free(seqLengths.address());
            lo.close();
            hi.close();
        }
    }

    @Override
    public void close() {
        for (long att : reserves.keySet().toArray(new Long[0])) {
            released(att, Float.BYTES);
        }
        plans.values().forEach(Plan::close);
        plans.clear();
        scratch.close();
        if (!handle.isNull()) {
            cudnnDestroy(handle);
        }
    }
}
