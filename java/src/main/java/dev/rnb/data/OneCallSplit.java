package dev.rnb.data;

import java.math.BigInteger;

/**
 * A sparse mixture's draw from one generator call: its 64 bits x, read as
 * an unsigned number, fall below L = floor(listed share x 2^64) for the
 * listed group and at or above it for the rest, and the same bits, scaled
 * by a multiplication, give the listed table's point (x / L x columns) or
 * the rest's uniform index among m (floor((x - L) m / (2^64 - L))). Before
 * it, a draw took a call for the group, another for the point or index,
 * and a rest index took a 64-bit modulus: about 3 times the dense table's
 * one call at 10 domains (docs/scaling/draws.md, "One generator call").
 *
 * <p>How far from exact (p' itself is floats, rounded by 2^-24 relative):
 * <ul>
 * <li>The split: L / 2^64 is the double listed / (listed + rest), within
 *     2^-52 of it, floored to a multiple of 2^-64, as the old draw's
 *     nextDouble() compared at 2^-53.</li>
 * <li>The listed point: x / 2 (its last bit dropped, 2 values of x, 2^-63)
 *     to double, times columns / (L / 2), each rounding 2^-53 relative, so a
 *     boundary between two columns' parts moves by at most 3 x 2^-53 of the
 *     listed share and 2^-63, as near as the dense table's nextDouble() x
 *     columns puts it; a point rounded up to columns is clamped to the last
 *     column's last double.</li>
 * <li>The rest's index: R = 2^64 - L values of x, each index floor(y Q /
 *     2^(64 + s)) for y = x - L with Q = floor(m 2^(64 + s) / R), s the
 *     largest shift with Q &lt; 2^64. Q is short of m 2^(64 + s) / R by less
 *     than 1, which lowers y Q / 2^(64 + s) by less than R / 2^(64 + s)
 *     &lt; 2m / 2^64, so at most 2 values of y at each index's lower end fall
 *     to the index below; with the floor's own 1 an index gets R / m values
 *     give or take 3, a relative error of at most 3m / R. The index never
 *     reaches m (y Q / 2^(64 + s) &lt; y m / R &lt; m): no clamp. The
 *     remainder is used only where 3m / R &lt; 2^-32, that is R &gt;= 2^34 m;
 *     at 10^6 domains (m &lt; 2^20) a rest share of at least 2^-10, and with
 *     the round's listed share of about 1% R &gt; 2^63, 43 bits beyond the
 *     index's 20: 3m / R &lt; 2^-41.4, against 2^-44 (m / 2^64) for the old
 *     draw's modulus. Below that share (or at m above 2^30) the index takes
 *     a call of its own.</li>
 * <li>An index of a call of its own (that one, and a rest draw's next try
 *     after meeting a listed domain): the high half of x m, 2^64 / m values
 *     give or take 1 an index, a relative error of at most m / 2^64 &lt;
 *     2^-33.</li>
 * </ul>
 * So a rest domain's probability is within 2^-32 relative of p''s (2^-41
 * at 10^6 domains and the round's split) besides the split's 2^-52, and a
 * listed domain's is as near as the dense table's draw would make it.
 */
final class OneCallSplit {
    private static final BigInteger TWO_TO_64 = BigInteger.ONE.shiftLeft(64);
    /** The rest's index is taken from the remainder only while it has at least 2^34 values an index. */
    private static final int MIN_REMAINDER_BITS_PER_INDEX = 34;

    /** m: the rest draws an index in [0, m) (its domain is the caller's business). */
    private final int indices;
    /** L, unsigned: x below it draws from the listed group. */
    private long listedBound;
    /** columns / (L / 2): (x &gt;&gt;&gt; 1) times it is x's point in [0, columns). */
    private double listedScale;
    /** The last double below columns: the clamp for a point that rounds up. */
    private double lastPoint;
    /** Whether the rest's index comes from the remainder x - L (else from a call of its own). */
    private boolean fromRemainder;
    /** Q, unsigned, and s: the rest's index is the high half of (x - L) Q shifted right by s. */
    private long restScale;
    private int restShift;

    /** For a rest of {@code indices} uniform indices (1 &lt;= indices &lt; 2^31). */
    OneCallSplit(int indices) {
        if (indices < 1) throw new IllegalArgumentException("indices must be >= 1, got " + indices);
        this.indices = indices;
    }

    /**
     * The split for the listed group's total weight {@code listed} (its
     * table having {@code columns} columns; 0 where listed is 0) against the
     * rest's {@code rest}: both finite, non-negative, rest positive.
     */
    void rebuild(double listed, double rest, int columns) {
        if (!(rest > 0) || !(listed >= 0) || Double.isInfinite(listed + rest)) {
            throw new IllegalArgumentException("need a positive rest and a finite listed weight, got " + listed + ", " + rest);
        }
        double share = listed / (listed + rest) * 0x1p64; // in [0, 2^64]: exact scaling of the double share
        listedBound = share >= 0x1p64 ? -1L : share >= 0x1p63 ? (long) (share - 0x1p63) ^ Long.MIN_VALUE : (long) share;
        listedScale = listedBound == 0 ? 0 : columns / (toDouble(listedBound) / 2);
        lastPoint = Math.nextDown((double) columns);
        BigInteger r = TWO_TO_64.subtract(unsigned(listedBound)), m = BigInteger.valueOf(indices);
        fromRemainder = r.compareTo(m.shiftLeft(MIN_REMAINDER_BITS_PER_INDEX)) >= 0;
        if (fromRemainder) {
            restShift = r.subtract(BigInteger.ONE).divide(m).bitLength() - 1; // 2^s <= (R - 1) / m < R / m: Q < 2^64
            restScale = m.shiftLeft(64 + restShift).divide(r).longValue();
        }
    }

    /** L, unsigned: the call's bits below it draw from the listed group. */
    long listedBound() { return listedBound; }

    /** Whether the call's bits x draw from the listed group. */
    boolean isListed(long x) { return Long.compareUnsigned(x, listedBound) < 0; }

    /** The listed table's point of bits x below L: x / L of the way through its columns. */
    double listedPoint(long x) { return Math.min((x >>> 1) * listedScale, lastPoint); }

    /** The rest's index of bits x at or above L: from x - L, or where that has too few values, from a call of its own. */
    int restIndex(long x, SeededRandom rng) {
        return fromRemainder ? (int) (unsignedMultiplyHigh(x - listedBound, restScale) >>> restShift) : uniformIndex(rng.nextLong());
    }

    /** A uniform index in [0, m) from a call's 64 bits: the high half of x m. */
    int uniformIndex(long x) { return (int) unsignedMultiplyHigh(x, indices); }

    /** The high 64 bits of a x b, both read as unsigned. */
    static long unsignedMultiplyHigh(long a, long b) {
        return Math.multiplyHigh(a, b) + (a >> 63 & b) + (b >> 63 & a);
    }

    private static double toDouble(long unsigned) {
        return unsigned >= 0 ? unsigned : ((unsigned >>> 1) | (unsigned & 1)) * 2.0;
    }

    private static BigInteger unsigned(long x) {
        return x >= 0 ? BigInteger.valueOf(x) : BigInteger.valueOf(x & Long.MAX_VALUE).setBit(63);
    }
}
