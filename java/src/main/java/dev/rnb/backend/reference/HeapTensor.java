package dev.rnb.backend.reference;

import dev.rnb.backend.Backend;
import dev.rnb.backend.Tensor;

/** A tensor in a Java array (the reference backend's memory). */
final class HeapTensor implements Tensor {
    final float[] data;
    private final Backend owner;

    HeapTensor(Backend owner, long size) {
        if (size < 0 || size > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("reference backend tensors hold at most 2^31-9 floats, asked for " + size);
        }
        this.owner = owner;
        this.data = new float[(int) size];
    }

    @Override public long size() { return data.length; }

    @Override public Backend backend() { return owner; }

    @Override public void close() {}
}
