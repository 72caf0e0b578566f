package dev.rnb.embed;

import java.util.Arrays;

/** A growable int array (feature buckets, without boxing). */
final class IntList {
    private int[] data = new int[64];
    private int size;

    void add(int v) {
        if (size == data.length) data = Arrays.copyOf(data, size * 2);
        data[size++] = v;
    }

    int[] toArray() { return Arrays.copyOf(data, size); }
}
