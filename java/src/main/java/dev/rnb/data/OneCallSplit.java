package dev.rnb.data;

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
 * <li>The rest's index: R = 2^64 - L values of x, each index floor(h Q /
 *     2^(62 + s)) for y = x - L, h = floor(y / 2) &lt; 2^63 and Q =
 *     floor(m 2^(63 + s) / R), s the largest shift with m 2^s &lt; R, so Q
 *     &lt; 2^63 too: both operands below 2^63, the product's high half is
 *     the signed multiplyHigh, with no correction for unsigned operands
 *     (JDK 17 has no unsignedMultiplyHigh intrinsic). The first h of an
 *     index j is the ceiling of j 2^(62 + s) / Q, which Q's shortfall (less
 *     than 1) lifts above j R / 2m by less than j R^2 / (m^2 2^(64 + s))
 *     &lt; 2 (2^(s + 1) m &gt; R - 1, R &lt;= 2^64), the ceiling by less than 1
 *     more; the first y, twice it, lies at or above j R / m by less than
 *     6, so an index gets R / m values give or take 6 (7 against floor(R /
 *     m)), a relative error of at most 7m / R. The index never reaches m (h Q / 2^(62 + s) &lt;= y m / R &lt;
 *     m): no clamp. The remainder is used only where 7m / R &lt; 2^-32, that
 *     is R &gt;= 2^35 m; at 10^6 domains (m &lt; 2^20) a rest share of at
 *     least 2^-9, and with the round's listed share of about 1% R &gt; 2^63,
 *     43 bits beyond the index's 20: 7m / R &lt; 2^-40.1, against 2^-44 (m /
 *     2^64) for the old draw's modulus. Below that share (or at m above
 *     2^29) the index takes a call of its own.</li>
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
    /** The rest's index is taken from the remainder only while it has at least 2^35 values an index. */
    private static final int MIN_REMAINDER_BITS_PER_INDEX = 35;

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
    /** Q &lt; 2^63 and s - 2: the rest's index is the high half of ((x - L) &gt;&gt;&gt; 1) Q shifted right by s - 2. */
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
        listedBound = unsignedFloor(listed / (listed + rest) * 0x1p64); // in [0, 2^64]: exact scaling of the double share
        listedScale = listedBound == 0 ? 0 : columns / (toDouble(listedBound) / 2);
        lastPoint = Math.nextDown((double) columns);
        long r = -listedBound; // R = 2^64 - L, unsigned, 0 standing for 2^64
        fromRemainder = atLeast(r, indices, MIN_REMAINDER_BITS_PER_INDEX);
        if (fromRemainder) {
            int s = shiftFor(indices, r); // at least MIN_REMAINDER_BITS_PER_INDEX
            restScale = halfScaleFor(indices, r, s);
            restShift = s - 2;
        }
    }

    /**
     * floor(v) as an unsigned long for v in [0, 2^64], 2^64 giving 2^64 - 1
     * (a share or keep of 1 scaled by 2^64; any v below it gives less).
     */
    static long unsignedFloor(double v) {
        return v >= 0x1p64 ? -1L : v >= 0x1p63 ? (long) (v - 0x1p63) ^ Long.MIN_VALUE : (long) v;
    }

    /** Whether range (unsigned, 0 for 2^64) is at least m 2^bits (bits &lt;= 63). */
    static boolean atLeast(long range, long m, int bits) {
        return Long.compareUnsigned(range == 0 ? 1L << 64 - bits : range >>> bits, m) >= 0; // R >= m 2^b iff floor(R / 2^b) >= m
    }

    /**
     * The largest s with 2^s &lt;= (range - 1) / m (range unsigned, 0 for
     * 2^64, at least 2m): then Q = floor(m 2^(64 + s) / range) &lt; 2^64,
     * and the high half of y Q shifted right by s is y's index among m for
     * y in [0, range).
     */
    static int shiftFor(long m, long range) { return 63 - Long.numberOfLeadingZeros(Long.divideUnsigned(range - 1, m)); }

    /** Q = floor(m 2^(64 + s) / range) for s = {@link #shiftFor}(m, range). */
    static long scaleFor(long m, long range, int s) {
        long n = m << s; // m 2^s <= range - 1: no bit lost
        return range == 0 ? n : divideUnsigned(n, 0, range);
    }

    /**
     * floor(m 2^(63 + s) / range) &lt; 2^63 for s = {@link #shiftFor}(m,
     * range): half of {@link #scaleFor}'s Q, short by less than 1, for a
     * signed multiply by a halved operand.
     */
    static long halfScaleFor(long m, long range, int s) {
        long n = m << s; // m 2^s <= range - 1: no bit lost
        return range == 0 ? n >>> 1 : divideUnsigned(n >>> 1, n << 63, range);
    }

    /**
     * floor((hi 2^64 + lo) / d) for unsigned hi &lt; d (so the quotient fits
     * 64 bits): Hacker's Delight's divlu in 32-bit digits. A rebuild runs a
     * few times a round, too rarely to be compiled, and BigInteger's division
     * interpreted cost 15 microseconds a rebuild (docs/scaling/draws.md, "One
     * generator call").
     */
    static long divideUnsigned(long hi, long lo, long d) {
        int s = Long.numberOfLeadingZeros(d);
        d <<= s; // normalized: the top bit set
        long un32 = s == 0 ? hi : hi << s | lo >>> 64 - s, un10 = lo << s;
        long vn1 = d >>> 32, vn0 = d & 0xFFFFFFFFL, un1 = un10 >>> 32, un0 = un10 & 0xFFFFFFFFL;
        long q1 = Long.divideUnsigned(un32, vn1), rhat = un32 - q1 * vn1;
        while (Long.compareUnsigned(q1, 0xFFFFFFFFL) > 0 || Long.compareUnsigned(q1 * vn0, rhat << 32 | un1) > 0) {
            q1--;
            rhat += vn1;
            if (Long.compareUnsigned(rhat, 0xFFFFFFFFL) > 0) break;
        }
        long un21 = (un32 << 32) + un1 - q1 * d;
        long q0 = Long.divideUnsigned(un21, vn1);
        rhat = un21 - q0 * vn1;
        while (Long.compareUnsigned(q0, 0xFFFFFFFFL) > 0 || Long.compareUnsigned(q0 * vn0, rhat << 32 | un0) > 0) {
            q0--;
            rhat += vn1;
            if (Long.compareUnsigned(rhat, 0xFFFFFFFFL) > 0) break;
        }
        return q1 << 32 | q0;
    }

    /** L, unsigned: the call's bits below it draw from the listed group. */
    long listedBound() { return listedBound; }

    /** Whether the call's bits x draw from the listed group. */
    boolean isListed(long x) { return Long.compareUnsigned(x, listedBound) < 0; }

    /** The listed table's point of bits x below L: x / L of the way through its columns. */
    double listedPoint(long x) { return Math.min((x >>> 1) * listedScale, lastPoint); }

    /** The rest's index of bits x at or above L: from x - L, or where that has too few values, from a call of its own. */
    int restIndex(long x, SeededRandom rng) {
        return fromRemainder ? (int) (Math.multiplyHigh((x - listedBound) >>> 1, restScale) >>> restShift) : uniformIndex(rng.nextLong());
    }

    /** A uniform index in [0, m) from a call's 64 bits: the high half of x m. */
    int uniformIndex(long x) { return uniformIndex(x, indices); }

    /** A uniform index in [0, n) from a call's 64 bits x (the index of a call of its own): the high half of x n. */
    static int uniformIndex(long x, int n) { return (int) unsignedMultiplyHigh(x, n); }

    /** The high 64 bits of a x b, both read as unsigned. */
    static long unsignedMultiplyHigh(long a, long b) {
        return Math.multiplyHigh(a, b) + (a >> 63 & b) + (b >> 63 & a);
    }

    private static double toDouble(long unsigned) {
        return unsigned >= 0 ? unsigned : ((unsigned >>> 1) | (unsigned & 1)) * 2.0;
    }

}
