package dev.rnb.balance;

import java.util.Locale;

/**
 * How R&amp;B keeps its per-domain final-layer gradients (docs/ARCHITECTURE.md,
 * "The sketches", says which to use when):
 * <ul>
 *   <li>{@code exact} (or {@code 0}): k blocks of v x h floats, no variance;</li>
 *   <li>{@code count:R} (or {@code R}): a CountSketch of R floats per domain;</li>
 *   <li>{@code factored:AxB} (or {@code AxB}): R_v E^T H R_h^T, A x B floats per
 *       domain, R_v (A x v) and R_h (B x h) random sign projections; never
 *       forms a dense v x h gradient.</li>
 * </ul>
 * The short forms are what a method setting writes ({@code rnb:sketch=64x64}),
 * where ':' separates settings.
 *
 * @param kind the mode
 * @param r    CountSketch floats per domain (0 otherwise)
 * @param rv   factored: rows of the vocabulary projection R_v (0 otherwise)
 * @param rh   factored: rows of the hidden projection R_h (0 otherwise)
 */
public record SketchSpec(Kind kind, int r, int rv, int rh) {
    public enum Kind { EXACT, COUNT, FACTORED }

    public static final SketchSpec EXACT = new SketchSpec(Kind.EXACT, 0, 0, 0);

    public SketchSpec {
        boolean ok = switch (kind) {
            case EXACT -> r == 0 && rv == 0 && rh == 0;
            case COUNT -> r >= 1 && rv == 0 && rh == 0;
            case FACTORED -> r == 0 && rv >= 1 && rh >= 1 && (long) rv * rh <= Integer.MAX_VALUE;
        };
        if (!ok) {
            throw new IllegalArgumentException("bad " + kind + " sketch: r=" + r + " rv=" + rv + " rh=" + rh);
        }
    }

    /** 0: exact; r &gt; 0: an r-float CountSketch. */
    public static SketchSpec count(int r) {
        if (r < 0) {
            throw new IllegalArgumentException("sketch size must be 0 (exact) or >= 1, got " + r);
        }
        return r == 0 ? EXACT : new SketchSpec(Kind.COUNT, r, 0, 0);
    }

    public static SketchSpec factored(int rv, int rh) {
        return new SketchSpec(Kind.FACTORED, 0, rv, rh);
    }

    /** Parses the forms listed above; anything else is an IllegalArgumentException naming the text. */
    public static SketchSpec parse(String text) {
        String s = text.strip().toLowerCase(Locale.ROOT);
        try {
            if (s.equals("exact")) return EXACT;
            if (s.startsWith("count:")) return positiveCount(s.substring(6), text);
            if (s.startsWith("factored:")) return factoredSizes(s.substring(9), text);
            if (s.contains("x")) return factoredSizes(s, text);
            int r = Integer.parseInt(s);
            if (r < 0) throw bad(text);
            return count(r);
        } catch (NumberFormatException e) {
            throw bad(text);
        }
    }

    private static SketchSpec positiveCount(String size, String text) {
        int r = Integer.parseInt(size);
        if (r < 1) throw bad(text);
        return count(r);
    }

    private static SketchSpec factoredSizes(String sizes, String text) {
        String[] ab = sizes.split("x", -1);
        if (ab.length != 2) throw bad(text);
        int a = Integer.parseInt(ab[0]), b = Integer.parseInt(ab[1]);
        if (a < 1 || b < 1 || (long) a * b > Integer.MAX_VALUE) throw bad(text);
        return factored(a, b);
    }

    private static IllegalArgumentException bad(String text) {
        return new IllegalArgumentException("sketch must be exact (or 0), count:R (or R >= 1) or factored:AxB (or AxB) "
                + "with A, B >= 1; got '" + text + "'");
    }

    /** Floats kept per domain at vocabulary width v and hidden width h. */
    public long dimension(int v, int h) {
        return switch (kind) {
            case EXACT -> (long) v * h;
            case COUNT -> r;
            case FACTORED -> (long) rv * rh;
        };
    }

    /**
     * Flops of accumulating one batch of {@code rows} rows with
     * {@code present} domains, beyond the head's own weight-gradient GEMM:
     * exact adds each domain's piece (2 k' v h), CountSketch forms the pieces
     * again (2 rows v h), factored projects E and H and multiplies the
     * projections per domain (2 rows (v A + h B + A B)).
     */
    public double accumulateFlops(int rows, int present, int v, int h) {
        return switch (kind) {
            case EXACT -> 2.0 * present * v * h;
            case COUNT -> 2.0 * rows * v * h;
            case FACTORED -> 2.0 * rows * ((double) v * rv + (double) h * rh + (double) rv * rh);
        };
    }

    /** The canonical form that {@link #parse} reads back. */
    @Override
    public String toString() {
        return switch (kind) {
            case EXACT -> "exact";
            case COUNT -> "count:" + r;
            case FACTORED -> "factored:" + rv + "x" + rh;
        };
    }

    /** For a run's settings line. */
    public String describe() {
        return switch (kind) {
            case EXACT -> "exact per-domain gradients";
            case COUNT -> "CountSketch r = " + r;
            case FACTORED -> "factored sketch " + rv + " x " + rh;
        };
    }
}
