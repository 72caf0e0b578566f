package dev.rnb.bench;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** OverheadClaimsBenchmark's statistics on inputs small enough to compute by hand. */
class PairedOverheadTest {
    @Test
    void overheadIsMedianOwnWorkPlusAmortisedEndOfRoundOverMedianPlainStep() {
        // median own 2, mean end of round 6 over K = 2 steps: (2 + 3) / median plain 20
        PairedOverhead o = new PairedOverhead(new double[] {30, 10, 20}, new double[] {3, 1, 2}, new double[] {4, 8}, 2);
        assertEquals(0.25, o.ratio()[0], 1e-12);
        assertEquals(20, o.medianPlainStep());
        assertEquals(2, o.medianOwnWork());
        assertEquals(6, o.meanEndRound());
        assertEquals(3, o.pairs());
    }

    @Test
    void withoutRoundEndsOnlyTheStepsCount() {
        // even count: the median is the mean of the middle two, (1 + 3) / 2 over (10 + 30) / 2
        PairedOverhead o = new PairedOverhead(new double[] {40, 10, 30, 5}, new double[] {3, 100, 1, 0}, new double[0], 20);
        assertEquals(2.0 / 20, o.ratio()[0], 1e-12);
        assertEquals(0, o.meanEndRound());
    }

    @Test
    void constantInputsGiveAnIntervalOfZeroWidth() {
        double[] r = new PairedOverhead(new double[] {10, 10, 10}, new double[] {1, 1, 1}, new double[] {2, 2}, 4).ratio();
        assertEquals(0.15, r[0], 1e-12);
        assertEquals(0.15, r[1], 1e-12);
        assertEquals(0.15, r[2], 1e-12);
    }

    @Test
    void theIntervalSpansTheResampledMediansAndHoldsTheEstimate() {
        // Own work 0 or 10 in a plain step of 100: a resample's median own work is one of them, so the
        // interval's ends are 0% and 10% (a resample of 5 draws three or more 10s with probability 31.7%)
        double[] plain = {100, 100, 100, 100, 100};
        double[] r = new PairedOverhead(plain, new double[] {0, 0, 0, 10, 10}, new double[0], 20).ratio();
        assertEquals(0, r[0], 1e-12);
        assertEquals(0, r[1], 1e-12);
        assertEquals(0.1, r[2], 1e-12);
        assertTrue(r[1] <= r[0] && r[0] <= r[2]);
    }

    @Test
    void rowShowsMillisecondsAndPercent() {
        PairedOverhead o = new PairedOverhead(new double[] {2e7}, new double[] {1e5}, new double[] {2e6}, 20);
        // (0.1 ms + 2 ms / 20) / 20 ms = 1%
        assertEquals("| x | 1 | 20.000 | 0.1000 | 2.0000 | 1.0000% | [1.0000%, 1.0000%] |", o.row("x"));
    }

    @Test
    void mismatchedOrEmptyPairsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new PairedOverhead(new double[] {1, 2}, new double[] {1}, new double[0], 20));
        assertThrows(IllegalArgumentException.class, () -> new PairedOverhead(new double[0], new double[0], new double[0], 20));
    }
}
