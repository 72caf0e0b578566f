package dev.rnb.data;

import java.util.Arrays;

/** A growable float array (embeddings of unknown count, without boxing). */
final class FloatList {
    private float[] data = new float[1024];
    private int size;

    void add(float[] values) {
        if (size + values.length > data.length) {
            data = Arrays.copyOf(data, Math.max(size + values.length, data.length * 2));
        }
        System.arraycopy(values, 0, data, size, values.length);
        size += values.length;
    }

    float[] toArray() { return Arrays.copyOf(data, size); }
}
