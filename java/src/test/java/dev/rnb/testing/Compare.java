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

    /**
     * ||got - want|| &lt;= tolerance * scale: for sums whose result may cancel
     * to near zero, where the rounding error is set by the size of the terms
     * (scale), not by the result.
     */
    public static void closeAtScale(float[] got, float[] want, double scale, double tolerance, String what) {
        double diff = 0;
        for (int i = 0; i < got.length; i++) {
            double d = (double) got[i] - want[i];
            diff += d * d;
        }
        double err = Math.sqrt(diff) / Math.max(scale, 1e-30);
        assertTrue(err <= tolerance, what + ": error " + err + " of scale " + scale + " > " + tolerance);
    }

    /** The Frobenius norm of a vector. */
    public static double norm(float[] x) {
        double s = 0;
        for (float v : x) s += (double) v * v;
        return Math.sqrt(s);
    }

    public static void close(float[] got, float[] want, double tolerance, String what) {
        double err = relativeError(got, want);
        assertTrue(err <= tolerance, what + ": relative error " + err + " > " + tolerance);
    }
}
