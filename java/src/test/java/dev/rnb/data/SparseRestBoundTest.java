package dev.rnb.data;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The sparse table's uniform draw in [0, bound) by a multiply's high half
 * ({@link SparseMixtureTable#below}), which the rest's domain draws use:
 * every value in range for bounds from 1 to 2^31 - 1, one generator call a
 * draw (so a resumed run, restoring the state, draws the same), and
 * chi-square against uniform for a small bound and for 10^6 + 3 in 1,000
 * bins (a remainder of the wrong half of the product, or a signed
 * product, fails them).
 */
class SparseRestBoundTest {

    @Test
    void everyDrawInRangeOneGeneratorCallEach() {
        int[] bounds = {1, 2, 3, 7, 1000, MixtureSampler.SPARSE_MIN_DOMAINS + 1, 1_000_003, Integer.MAX_VALUE - 1, Integer.MAX_VALUE};
        SeededRandom rng = new SeededRandom(71), shadow = new SeededRandom(71);
        for (int bound : bounds) {
            int largest = -1;
            for (int i = 0; i < 100_000; i++) {
                int v = SparseMixtureTable.below(rng, bound);
                shadow.nextLong();
                assertEquals(shadow.state(), rng.state(), "one generator call a draw");
                assertTrue(v >= 0 && v < bound, v + " outside [0, " + bound + ")");
                largest = Math.max(largest, v);
            }
            if (bound == 1) assertEquals(0, largest);
            else assertTrue(largest >= bound - bound / 100 - 1, "bound " + bound + ": largest draw " + largest);
        }
    }

    @Test
    void theSameStateDrawsTheSameValues() {
        SeededRandom a = new SeededRandom(5), b = new SeededRandom(0);
        for (int i = 0; i < 1000; i++) a.nextLong();
        b.setState(a.state());
        for (int i = 0; i < 1000; i++) assertEquals(SparseMixtureTable.below(a, 999_983), SparseMixtureTable.below(b, 999_983));
    }

    @Test
    void uniformBySmallAndLargeBounds() {
        SeededRandom rng = new SeededRandom(73);
        long[] seven = new long[7];
        int draws = 700_000;
        for (int i = 0; i < draws; i++) seven[SparseMixtureTable.below(rng, 7)]++;
        assertUniform(seven, new double[] {1, 1, 1, 1, 1, 1, 1}, draws, "bound 7");

        int bound = 1_000_003, bins = 1000;
        long[] counts = new long[bins];
        double[] size = new double[bins]; // values v with v * bins / bound in the bin
        for (int b = 0; b < bins; b++) {
            long from = ((long) b * bound + bins - 1) / bins, to = ((long) (b + 1) * bound + bins - 1) / bins;
            size[b] = to - from;
        }
        draws = 2_000_000;
        for (int i = 0; i < draws; i++) counts[(int) ((long) SparseMixtureTable.below(rng, bound) * bins / bound)]++;
        assertUniform(counts, size, draws, "bound " + bound);
    }

    /** Chi-square of counts against draws split in proportion to weight: within 5 standard deviations of its mean. */
    private static void assertUniform(long[] counts, double[] weight, int draws, String what) {
        double total = 0, chi = 0;
        for (double w : weight) total += w;
        for (int i = 0; i < counts.length; i++) {
            double expected = draws * weight[i] / total;
            chi += (counts[i] - expected) * (counts[i] - expected) / expected;
        }
        double df = counts.length - 1;
        assertTrue(chi < df + 5 * Math.sqrt(2 * df), what + ": chi2 " + chi + " with " + df + " degrees of freedom");
    }
}
