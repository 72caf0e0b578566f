package dev.rnb.data;

import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link OneCallSplit}'s arithmetic: a hand-checked case, the rest's index against exact 128-bit arithmetic, the edges. */
class OneCallSplitTest {
    private static final BigInteger TWO_TO_64 = BigInteger.ONE.shiftLeft(64);

    private static BigInteger unsigned(long x) { return new BigInteger(Long.toUnsignedString(x)); }

    /**
     * Listed weight 1 against rest 3 over m = 3 indices and 2 columns: L =
     * 2^62, and R = 3 x 2^62 gives s = 61, Q = 2^63, so the index is y &gt;&gt; 62:
     * the three quarters of 2^64 above L are indices 0, 1, 2 exactly.
     */
    @Test
    void aQuarterListedByHand() {
        OneCallSplit split = new OneCallSplit(3);
        split.rebuild(1, 3, 2);
        long quarter = 1L << 62;
        assertTrue(split.isListed(0));
        assertTrue(split.isListed(quarter - 1));
        assertFalse(split.isListed(quarter));
        assertFalse(split.isListed(-1L));
        assertEquals(0.0, split.listedPoint(0));
        assertEquals(1.0, split.listedPoint(quarter / 2)); // half of L: half of the 2 columns
        assertEquals(0.5, split.listedPoint(quarter / 4));
        assertTrue(split.listedPoint(quarter - 1) < 2.0, "the last listed x stays in the last column");
        SeededRandom unused = new SeededRandom(1);
        long[][] xIndex = {{quarter, 0}, {2 * quarter - 1, 0}, {2 * quarter, 1}, {Long.MIN_VALUE + quarter - 1, 1},
                {Long.MIN_VALUE + quarter, 2}, {-1L, 2}};
        for (long[] c : xIndex) assertEquals(c[1], split.restIndex(c[0], unused), "x = " + Long.toUnsignedString(c[0]));
        assertEquals(1, unused.state(), "the remainder draws no call of its own");
        assertEquals(0, split.uniformIndex(0));
        assertEquals(2, split.uniformIndex(-1L));
        assertEquals(1, split.uniformIndex(Long.MIN_VALUE));
    }

    /**
     * Fresh random splits and index counts up to 2^31 - 1: the rest's index of
     * y = x - L is floor(y m / R), or one less where y m / R lies less than
     * m / R + 5m / 2^64 above an integer (y's last bit dropped, Q's
     * shortfall); every index gets R / m values give or take 7 (found by
     * bisection: the index never decreases in x).
     */
    @Test
    void restIndexIsTheExactFloorUpToTheStatedBound() {
        long seed = new SplittableRandom().nextLong();
        SplittableRandom rng = new SplittableRandom(seed);
        for (int trial = 0; trial < 300; trial++) {
            int m = trial % 3 == 0 ? 1 + rng.nextInt(10) : trial % 3 == 1 ? 1 + rng.nextInt(2_000_000) : 1 + rng.nextInt(Integer.MAX_VALUE);
            double listed = trial % 7 == 0 ? 0 : Math.pow(10, -rng.nextDouble() * 4) * (rng.nextBoolean() ? 1 : 1e-3);
            double rest = rng.nextDouble() + 1e-3;
            OneCallSplit split = new OneCallSplit(m);
            split.rebuild(listed, rest, 1 + rng.nextInt(500));
            long bound = firstRest(split);
            BigInteger r = TWO_TO_64.subtract(unsigned(bound)), mm = BigInteger.valueOf(m);
            String what = "seed " + seed + ", trial " + trial + ": m = " + m + ", listed " + listed + ", rest " + rest;
            assertEquals((double) listed / (listed + rest), unsigned(bound).doubleValue() / 0x1p64, 0x1p-52, what + ": the split");
            SeededRandom calls = new SeededRandom(seed);
            if (r.compareTo(mm.shiftLeft(35)) < 0) {
                SeededRandom same = new SeededRandom(seed);
                assertEquals(split.uniformIndex(same.nextLong()), split.restIndex(bound, calls), what + ": too few values, a call of its own");
                continue;
            }
            for (int i = 0; i < 50; i++) {
                BigInteger y = i == 0 ? BigInteger.ZERO : i == 1 ? r.subtract(BigInteger.ONE)
                        : i < 25 ? new BigInteger(64, new java.util.Random(rng.nextLong())).mod(r)
                        : r.multiply(BigInteger.valueOf(rng.nextInt(m))).add(mm.subtract(BigInteger.ONE)).divide(mm) // ceil(j R / m): an index's first y
                                .add(BigInteger.valueOf(rng.nextInt(5) - 2)).max(BigInteger.ZERO).min(r.subtract(BigInteger.ONE));
                long x = y.add(unsigned(bound)).longValue();
                int got = split.restIndex(x, calls);
                BigInteger[] qr = y.multiply(mm).divideAndRemainder(r);
                int exact = qr[0].intValueExact();
                assertTrue(got == exact || got == exact - 1 && qr[1].shiftLeft(64).compareTo(mm.shiftLeft(64).add(mm.multiply(BigInteger.valueOf(5)).multiply(r))) < 0,
                        what + ": y = " + y + " gave " + got + ", exact " + exact);
            }
            assertEquals(new SeededRandom(seed).state(), calls.state(), what + ": no call drawn");
            for (int i = 0; i < 5; i++) {
                int j = i == 0 ? 0 : i == 1 ? m - 1 : rng.nextInt(m);
                BigInteger count = firstWithIndex(split, bound, r, j + 1).subtract(firstWithIndex(split, bound, r, j));
                BigInteger ideal = r.divide(mm);
                assertTrue(count.subtract(ideal).abs().compareTo(BigInteger.valueOf(7)) <= 0,
                        what + ": index " + j + " has " + count + " values, R / m = " + ideal);
            }
        }
    }

    /** The least y in [0, R] whose index is at least j (R where none is). */
    private static BigInteger firstWithIndex(OneCallSplit split, long bound, BigInteger r, int j) {
        BigInteger lo = BigInteger.ZERO, hi = r; // index(lo - 1) < j <= index(hi), index(R) read as m
        SeededRandom none = new SeededRandom(0);
        while (lo.compareTo(hi) < 0) {
            BigInteger mid = lo.add(hi).shiftRight(1);
            if (split.restIndex(mid.add(unsigned(bound)).longValue(), none) >= j) hi = mid;
            else lo = mid.add(BigInteger.ONE);
        }
        return lo;
    }

    /** L: the least x that is not listed (by bisection over the unsigned longs). */
    private static long firstRest(OneCallSplit split) {
        BigInteger lo = BigInteger.ZERO, hi = TWO_TO_64.subtract(BigInteger.ONE);
        while (lo.compareTo(hi) < 0) {
            BigInteger mid = lo.add(hi).shiftRight(1);
            if (split.isListed(mid.longValue())) lo = mid.add(BigInteger.ONE);
            else hi = mid;
        }
        return lo.longValue();
    }

    /** Points stay in [0, columns) and grow with x, for listed shares below and above a half and near 1. */
    @Test
    void listedPointsStayInTheirColumns() {
        long seed = new SplittableRandom().nextLong();
        SplittableRandom rng = new SplittableRandom(seed);
        for (double[] weights : new double[][] {{1, 99}, {3, 1}, {1, 1e-12}, {1, 1e-300}, {1e-15, 1}, {0.5, 0.5}}) {
            int columns = 1 + rng.nextInt(1000);
            OneCallSplit split = new OneCallSplit(1 + rng.nextInt(1 << 20));
            split.rebuild(weights[0], weights[1], columns);
            long bound = firstRest(split);
            String what = "seed " + seed + ", weights " + weights[0] + ", " + weights[1] + ", " + columns + " columns";
            assertTrue(bound != 0, what + ": listed is drawn");
            double last = split.listedPoint(bound - 1), before = -1;
            double valueWidth = 2.0 * columns / unsigned(bound).doubleValue(); // x's last bit is dropped: 2 values of x
            assertTrue(last < columns && last > columns * (1 - 1e-9) - valueWidth, what + ": the last listed x's point " + last);
            long[] xs = new long[200];
            for (int i = 0; i < xs.length; i++) xs[i] = unsigned(bound).multiply(BigInteger.valueOf(i)).divide(BigInteger.valueOf(xs.length)).longValue();
            for (long x : xs) {
                double point = split.listedPoint(x);
                assertTrue(point >= before && point < columns, what + ": x = " + Long.toUnsignedString(x) + " at " + point);
                assertEquals(unsigned(x).doubleValue() / unsigned(bound).doubleValue() * columns, point, columns * 0x1p-50 + valueWidth, what);
                before = point;
            }
        }
    }

    /** The 128-by-64-bit division against BigInteger: fresh random and edge operands, the high word below the divisor. */
    @Test
    void divideUnsignedMatchesBigInteger() {
        long seed = new SplittableRandom().nextLong();
        SplittableRandom rng = new SplittableRandom(seed);
        long[] edges = {1, 2, 3, 0xFFFFFFFFL, 1L << 32, (1L << 32) + 1, Long.MAX_VALUE, Long.MIN_VALUE, -2L, -1L};
        for (int i = 0; i < 200_000; i++) {
            long d = i < edges.length * edges.length ? edges[i % edges.length] : rng.nextLong() >>> rng.nextInt(64);
            if (d == 0) d = 1;
            long hi = i < edges.length * edges.length ? edges[i / edges.length] : rng.nextLong();
            BigInteger dd = unsigned(d);
            hi = unsigned(hi).mod(dd).longValue(); // below d
            long lo = i % 3 == 0 ? 0 : rng.nextLong();
            BigInteger want = unsigned(hi).shiftLeft(64).add(unsigned(lo)).divide(dd);
            assertEquals(want, unsigned(OneCallSplit.divideUnsigned(hi, lo, d)),
                    "seed " + seed + ": " + Long.toUnsignedString(hi) + " 2^64 + " + Long.toUnsignedString(lo) + " over " + Long.toUnsignedString(d));
        }
    }

    /** Listed weight 0: nothing is listed and every x is the rest's; one index; the rest must weigh something. */
    @Test
    void edges() {
        OneCallSplit split = new OneCallSplit(1_000_003);
        split.rebuild(0, 2, 0);
        SeededRandom rng = new SeededRandom(9);
        assertFalse(split.isListed(0));
        assertEquals(0, split.restIndex(0, rng));
        assertEquals(1_000_002, split.restIndex(-1L, rng));
        assertEquals(9, rng.state(), "the remainder draws no call of its own");
        OneCallSplit one = new OneCallSplit(1);
        one.rebuild(5, 1, 3);
        for (long x : new long[] {0, Long.MAX_VALUE, Long.MIN_VALUE, -1L}) {
            if (!one.isListed(x)) assertEquals(0, one.restIndex(x, rng));
            assertEquals(0, one.uniformIndex(x));
        }
        assertThrows(IllegalArgumentException.class, () -> split.rebuild(1, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> split.rebuild(Double.NaN, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> split.rebuild(Double.MAX_VALUE, Double.MAX_VALUE, 1));
        assertThrows(IllegalArgumentException.class, () -> new OneCallSplit(0));
    }
}
