package dev.rnb.backend.cuda;

import java.util.ArrayList;
import java.util.List;

/**
 * A kernel's argument list, in order, with the C type of each value. Each
 * {@link CudaDevice} turns it into its own kernelParams array.
 */
public final class KernelArgs {
    /** C type of one argument. */
    public enum Kind { POINTER, INT, LONG, FLOAT }

    private final List<Kind> kinds = new ArrayList<>();
    private final List<Long> bits = new ArrayList<>();

    public KernelArgs ptr(long deviceAddress) { return add(Kind.POINTER, deviceAddress); }

    public KernelArgs i32(int value) { return add(Kind.INT, value); }

    public KernelArgs i64(long value) { return add(Kind.LONG, value); }

    public KernelArgs f32(float value) { return add(Kind.FLOAT, Float.floatToRawIntBits(value)); }

    private KernelArgs add(Kind kind, long value) {
        kinds.add(kind);
        bits.add(value);
        return this;
    }

    public int size() { return kinds.size(); }

    public Kind kind(int i) { return kinds.get(i); }

    /** The value's bits: an address, an int, or a float's raw bits, in the low bits. */
    public long bits(int i) { return bits.get(i); }
}
