package dev.rnb.data;

import dev.rnb.testing.Rng;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** {@link ExactModulus} against Math.floorMod, bit for bit: fresh random and edge moduli, random and edge longs. */
class ExactModulusTest {

    @Test
    void matchesFloorModEverywhereTried() {
        Rng rng = new Rng(); // fresh each run; its seed is in every message
        int[] moduli = {1, 2, 3, 5, 7, 64, 1 << 16, (1 << 16) + 37, 999_999, 1_000_000, 1_000_003, (1 << 30) - 1, 1 << 30,
                Integer.MAX_VALUE - 1, Integer.MAX_VALUE};
        long[] edges = {0, 1, -1, 2, -2, Long.MAX_VALUE, Long.MIN_VALUE, Long.MAX_VALUE - 1, Long.MIN_VALUE + 1,
                Integer.MAX_VALUE, Integer.MIN_VALUE, 1L << 32, -(1L << 32), 1L << 62, -(1L << 62)};
        for (int trial = 0; trial < moduli.length + 300; trial++) {
            int m = trial < moduli.length ? moduli[trial] : 1 + rng.nextInt(trial % 2 == 0 ? 1000 : Integer.MAX_VALUE);
            ExactModulus mod = new ExactModulus(m);
            for (long x : edges) {
                for (long near = -2; near <= 2; near++) {
                    long y = x + near * m; // around multiples of m, where the quotient's estimate is one short
                    assertEquals(Math.floorMod(y, (long) m), mod.of(y), rng + ": x = " + y + ", m = " + m);
                }
            }
            for (int i = 0; i < 20_000; i++) {
                long x = rng.nextLong();
                assertEquals(Math.floorMod(x, (long) m), mod.of(x), rng + ": x = " + x + ", m = " + m);
                long multiple = (x / m) * m; // an exact multiple and its neighbours
                for (long y = multiple - 1; y <= multiple + 1; y++) assertEquals(Math.floorMod(y, (long) m), mod.of(y), rng + ": x = " + y + ", m = " + m);
            }
        }
    }

    @Test
    void refusesAModulusBelowOne() {
        assertThrows(IllegalArgumentException.class, () -> new ExactModulus(0));
        assertThrows(IllegalArgumentException.class, () -> new ExactModulus(-3));
    }
}
