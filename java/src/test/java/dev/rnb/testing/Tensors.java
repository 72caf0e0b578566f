package dev.rnb.testing;

import dev.rnb.backend.Backend;
import dev.rnb.backend.Tensor;

/** Host arrays into and out of a backend's tensors, for tests (one copy of what every conformance test needs). */
public final class Tensors {
    private Tensors() {}

    /** A new tensor on {@code b} holding {@code values}. */
    public static Tensor put(Backend b, float[] values) {
        Tensor t = b.allocate(values.length);
        b.upload(values, 0, t, 0, values.length);
        return t;
    }

    /** Every float of {@code t}, on the host. */
    public static float[] get(Backend b, Tensor t) {
        float[] out = new float[(int) t.size()];
        b.download(t, 0, out, 0, out.length);
        return out;
    }
}
