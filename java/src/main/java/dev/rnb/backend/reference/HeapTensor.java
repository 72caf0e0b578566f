package dev.rnb.backend.reference;

import dev.rnb.backend.Backend;
import dev.rnb.backend.Tensor;

/**
 * A tensor in a Java array (the reference backend's memory): float[] normally,
 * double[] when the backend runs in float64 mode (gradient checks). A view
 * shares its base's array from {@code offset}.
 */
final class HeapTensor implements Tensor {
    final float[] data;
    final double[] wide;
    final int offset;
    private final long size;
    private final Backend owner;

    HeapTensor(Backend owner, long size, boolean float64) {
        if (size < 0 || size > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("reference backend tensors hold at most 2^31-9 floats, asked for " + size);
        }
        this.owner = owner;
        this.size = size;
        this.offset = 0;
        this.data = float64 ? null : new float[(int) size];
        this.wide = float64 ? new double[(int) size] : null;
    }

    private HeapTensor(HeapTensor base, long offset, long size) {
        this.owner = base.owner;
        this.data = base.data;
        this.wide = base.wide;
        this.offset = Math.toIntExact(base.offset + offset);
        this.size = size;
    }

    HeapTensor view(long offset, long size) { return new HeapTensor(this, offset, size); }

    /** A tensor the front door has checked to be the reference backend's. */
    static HeapTensor of(Tensor t) { return (HeapTensor) t; }

    /** A float-mode tensor's array; the Balance and cluster operations index it from 0. */
    static float[] floats(Tensor t) {
        HeapTensor h = of(t);
        if (h.data == null || h.offset != 0) {
            throw new IllegalArgumentException("this operation needs a float32 tensor that is not a view at an offset");
        }
        return h.data;
    }

    double get(long i) { return wide != null ? wide[offset + (int) i] : data[offset + (int) i]; }

    void set(long i, double v) {
        if (wide != null) {
            wide[offset + (int) i] = v;
        } else {
            data[offset + (int) i] = (float) v;
        }
    }

    void add(long i, double v) { set(i, get(i) + v); }

    @Override public long size() { return size; }

    @Override public Backend backend() { return owner; }

    @Override public void close() {}
}
