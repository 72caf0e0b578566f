package dev.rnb.data;

/**
 * {@code Math.floorMod(x, m)} for one fixed m (1 &lt;= m &lt; 2^31) and any long
 * x, bit for bit, without a division: a 64-bit division took about 5 ns in
 * a loop of independent ones on the machine of docs/scaling/draws.md, a third
 * of a sparse domain draw at 10^6 domains, where a multiply by a reciprocal
 * costs a few cycles. Unlike a multiply-shift range reduction it gives the same values
 * as the division, so the draws that use it are unchanged.
 *
 * <p>With u = x + 2^63 (x's bits as an unsigned number) and M = floor((2^64 -
 * 1) / m) &gt;= 2^64 / m - 1, u M / 2^64 is within u / 2^64 &lt; 1 below
 * u / m, so its floor, the high half of u M, is floor(u / m) or one less: u
 * less that times m is u mod m or u mod m + m, which one conditional
 * subtraction settles; x's residue is then u's less 2^63 mod m.
 */
final class ExactModulus {
    private final long m;
    /** floor((2^64 - 1) / m), as unsigned. */
    private final long reciprocal;
    /** 2^63 mod m: u = x + 2^63. */
    private final long offset;

    ExactModulus(int m) {
        if (m < 1) throw new IllegalArgumentException("modulus must be >= 1, got " + m);
        this.m = m;
        this.reciprocal = Long.divideUnsigned(-1L, m);
        this.offset = Long.remainderUnsigned(Long.MIN_VALUE, m);
    }

    /** floorMod(x, m), in [0, m). */
    int of(long x) {
        long u = x ^ Long.MIN_VALUE;
        long q = Math.multiplyHigh(u, reciprocal) + (u >> 63 & reciprocal) + (reciprocal >> 63 & u); // unsigned high half
        long r = u - q * m; // in [0, 2m)
        r -= m & ~(r - m >> 63); // branch-free: which case it is is random, so a branch would mispredict
        r -= offset;
        return (int) (r + (m & r >> 63));
    }
}
