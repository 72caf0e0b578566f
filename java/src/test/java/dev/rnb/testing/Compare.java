package dev.rnb.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Relative-error comparisons against the reference backend (llm.c's dev/cuda discipline). */
public final class Compare {
    private Compare() {}

    /** ||got - want|| / max(||want||, tiny). */
    public static double relativeError(float[] got, float[] want) {
        if (got.length != want.length) {
            throw new AssertionError("length " + got.length + " != " + want.length);
        }
        double diff = 0, norm = 0;
        for (int i = 0; i < got.length; i++) {
            if (Float.isNaN(got[i]) != Float.isNaN(want[i])) {
                return Double.POSITIVE_INFINITY;
            }
            double d = (double) got[i] - want[i];
            diff += d * d;
            norm += (double) want[i] * want[i];
        }
        return Math.sqrt(diff) / Math.max(Math.sqrt(norm), 1e-30);
    }

    public static void close(float[] got, float[] want, double tolerance, String what) {
        double err = relativeError(got, want);
        assertTrue(err <= tolerance, what + ": relative error " + err + " > " + tolerance);
    }
}
