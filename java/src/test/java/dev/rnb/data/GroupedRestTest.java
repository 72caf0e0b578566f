package dev.rnb.data;

import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link GroupedRest}'s arithmetic: a hand-checked case, and every (group, member)'s count of values against its exact share. */
class GroupedRestTest {
    private static final BigInteger TWO_TO_64 = BigInteger.ONE.shiftLeft(64);

    private static BigInteger unsigned(long x) { return new BigInteger(Long.toUnsignedString(x)); }

    /**
     * Weights 1 and 3, sizes 2 and 4, nothing listed (L = 0): Vose gives
     * column 0 keep 1/2 with alias group 1 and column 1 keep 1; the column
     * is y's top bit and f the other 63 bits shifted up: column 0 keeps
     * group 0 for f below 2^63 (y below 2^62, 2 members of 2^61 values),
     * then group 1 (4 members of 2^60); column 1 is group 1's (4 of 2^61).
     */
    @Test
    void twoGroupsByHand() {
        GroupedRest rest = new GroupedRest();
        rest.rebuild(new float[] {1, 3}, new int[] {2, 4}, 2, 0);
        SeededRandom none = new SeededRandom(5);
        long e60 = 1L << 60, e61 = 1L << 61, e62 = 1L << 62;
        long[][] yGroupIndex = {
                {0, 0, 0}, {e61 - 1, 0, 0}, {e61, 0, 1}, {e62 - 1, 0, 1}, // column 0 kept: f = 2y < 2^63, index f >> 62
                {e62, 1, 0}, {e62 + e60, 1, 1}, {e62 + e61, 1, 2}, {Long.MAX_VALUE, 1, 3}, // column 0's alias: (f - 2^63) >> 61
                {Long.MIN_VALUE, 1, 0}, {Long.MIN_VALUE + e61, 1, 1}, {-1L, 1, 3}}; // column 1: f >> 62
        for (long[] c : yGroupIndex) {
            long drawn = rest.draw(c[0], none);
            assertEquals(c[1], drawn >>> 32, "y = " + Long.toUnsignedString(c[0]) + ": group");
            assertEquals(c[2], (int) drawn, "y = " + Long.toUnsignedString(c[0]) + ": member");
        }
        assertEquals(5, none.state(), "every index from the remainder: no call");
    }

    /**
     * 2^b groups of equal weight and L = 0: every column keeps its group
     * whole and Q = 2^63, so the column is y's top b bits and f the other
     * 64 - b shifted up, the member floor(f size / 2^64): exact, checked
     * against BigInteger from b = 0 (the column's shift 63) to b = 20 (43),
     * at fresh random y and at the columns' edges.
     */
    @Test
    void powerOfTwoGroupsReadTheBitsExactly() {
        long seed = new SplittableRandom().nextLong();
        SplittableRandom rng = new SplittableRandom(seed);
        for (int b : new int[] {0, 1, 3, 10, 20}) {
            int groups = 1 << b;
            float[] w = new float[groups];
            int[] size = new int[groups];
            for (int g = 0; g < groups; g++) {
                w[g] = 1f;
                size[g] = 1 + rng.nextInt(b == 20 ? 500 : 100_000); // at 2^20 groups a member of 500 has 2^35 values
            }
            GroupedRest rest = new GroupedRest();
            rest.rebuild(w, size, groups, 0);
            SeededRandom none = new SeededRandom(3);
            for (int i = 0; i < 2000; i++) {
                long edge = (long) rng.nextInt(groups) << 64 - b >>> (b == 0 ? 1 : 0); // a column's first y (b = 0: any)
                long y = i == 0 ? 0 : i == 1 ? -1L : i % 3 == 0 ? rng.nextLong() : edge + rng.nextInt(5) - 2;
                BigInteger yy = unsigned(y);
                int g = yy.shiftRight(64 - b).intValueExact();
                BigInteger f = yy.shiftLeft(b).mod(TWO_TO_64);
                int member = f.multiply(BigInteger.valueOf(size[g])).shiftRight(64).intValueExact();
                long drawn = rest.draw(y, none);
                String what = "seed " + seed + ", 2^" + b + " groups, y = " + Long.toUnsignedString(y);
                assertEquals(g, drawn >>> 32, what + ": group");
                assertEquals(member, (int) drawn, what + ": member of " + size[g]);
            }
            assertEquals(3, none.state(), "seed " + seed + ", 2^" + b + " groups: no call of its own");
        }
    }

    /**
     * A rest of a few hundred values (R below 2^34 G): the group and member
     * take a call of their own, each draw exactly one; a part too small for
     * its members (a group of 2^30 members) takes one for the member alone.
     */
    @Test
    void tooFewValuesTakeACallOfTheirOwn() {
        long seed = new SplittableRandom().nextLong();
        SplittableRandom rng = new SplittableRandom(seed);
        GroupedRest rest = new GroupedRest();
        float[] w = {0.25f, 0f, 0.75f};
        int[] size = {3, 0, 5};
        rest.rebuild(w, size, 3, -500L); // R = 500
        long[] counts = new long[3];
        for (int i = 0; i < 4000; i++) {
            SeededRandom calls = new SeededRandom(rng.nextLong()), same = new SeededRandom(calls.state());
            long drawn = rest.draw(-1L - rng.nextInt(500), calls);
            same.nextLong();
            assertEquals(same.state(), calls.state(), "seed " + seed + ": one call");
            int g = (int) (drawn >>> 32);
            assertTrue(g != 1 && (int) drawn >= 0 && (int) drawn < size[g], "seed " + seed + ": group " + g + " member " + (int) drawn);
            counts[g]++;
        }
        assertEquals(0.25, counts[0] / 4000.0, 0.04, "seed " + seed + ": group 0's share");
        GroupedRest huge = new GroupedRest();
        huge.rebuild(new float[] {1f}, new int[] {1 << 30}, 1, Long.MIN_VALUE); // 2^63 values: 2^33 a member
        SeededRandom calls = new SeededRandom(seed);
        long drawn = huge.draw(-1L, calls);
        assertTrue(calls.state() != seed && (int) drawn >= 0 && (int) drawn < 1 << 30, "seed " + seed + ": the member from a call of its own");
    }

    /**
     * Fresh random weights (some 0), sizes (1 to 6) and splits: every y in
     * [0, R) walked run by run (one column, part, group and member; bisection
     * for its end), each group's member gets R w_g / (W
     * size_g) values give or take 6 a run it has, plus the Vose table's
     * double rounding (2^-48 of R); no group of weight 0 is drawn.
     */
    @Test
    void everyMemberGetsItsShare() {
        long seed = new SplittableRandom().nextLong();
        SplittableRandom rng = new SplittableRandom(seed);
        for (int trial = 0; trial < 40; trial++) {
            int groups = 1 + rng.nextInt(6);
            float[] w = new float[groups];
            int[] size = new int[groups];
            double total = 0;
            for (int g = 0; g < groups; g++) {
                w[g] = g > 0 && rng.nextInt(4) == 0 ? 0f : (float) rng.nextDouble() + 1e-3f;
                size[g] = w[g] == 0 && rng.nextBoolean() ? 0 : 1 + rng.nextInt(6);
                total += w[g];
            }
            long listedBound = trial % 4 == 0 ? 0 : rng.nextLong(Long.MAX_VALUE) * (rng.nextBoolean() ? 1 : 2); // a listed share below 1
            GroupedRest rest = new GroupedRest();
            rest.rebuild(w, size, groups, listedBound);
            BigInteger r = TWO_TO_64.subtract(unsigned(listedBound));
            String what = "seed " + seed + ", trial " + trial + ": " + groups + " groups, L = " + Long.toUnsignedString(listedBound);
            BigInteger[][] count = new BigInteger[groups][7];
            int[] runs = new int[groups];
            for (BigInteger[] c : count) java.util.Arrays.fill(c, BigInteger.ZERO);
            BigInteger at = BigInteger.ZERO;
            while (at.compareTo(r) < 0) {
                // The run's cell read a few values in: its first values may be the previous column's (the drawn column lags the exact one by up to 3 values).
                long key = key(rest, listedBound, r, groups, at.add(BigInteger.valueOf(8)).min(r.subtract(BigInteger.ONE)));
                BigInteger inside = at, past = r; // the run's end lies in (inside, past]
                while (past.subtract(inside).compareTo(BigInteger.ONE) > 0) {
                    BigInteger mid = inside.add(past).shiftRight(1);
                    if (key(rest, listedBound, r, groups, mid) <= key) inside = mid;
                    else past = mid;
                }
                int g = (int) (key >>> 8 & 0xFF), i = (int) (key & 0xFF);
                assertTrue(w[g] > 0 && i < size[g], what + ": group " + g + " member " + i + " drawn");
                count[g][i] = count[g][i].add(past.subtract(at));
                runs[g]++;
                at = past;
            }
            double slack = r.doubleValue() * 0x1p-48;
            for (int g = 0; g < groups; g++) {
                if (w[g] == 0) continue;
                double share = r.doubleValue() * (w[g] / total) / size[g];
                for (int i = 0; i < size[g]; i++) {
                    assertEquals(share, count[g][i].doubleValue(), 6.0 * runs[g] + slack, what + ": group " + g + " member " + i);
                }
            }
        }
    }

    /**
     * The rest's y-th value's place in y order: its exact column floor(y G /
     * R), its part (the column's own group, whose index the Vose table gives
     * it, or the alias), its group and member. The drawn column may differ
     * from the exact one within 3 values of a boundary: a few values out of
     * order, which the bisection does not meet.
     */
    private static long key(GroupedRest rest, long listedBound, BigInteger r, int groups, BigInteger y) {
        SeededRandom none = new SeededRandom(0);
        long drawn = rest.draw(y.add(unsigned(listedBound)).longValue(), none);
        assertEquals(0, none.state(), "no call of its own for these splits");
        long column = y.multiply(BigInteger.valueOf(groups)).divide(r).longValueExact(), g = drawn >>> 32;
        return column << 40 | (g == column ? 0L : 1L) << 39 | g << 8 | (int) drawn;
    }
}
