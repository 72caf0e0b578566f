package dev.rnb.bench;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** StrategyOverheadTable's statistics on inputs small enough to compute by hand. */
class RunOverheadTest {
    @Test
    void overheadIsOneTimeWorkPlusExtraStepTimeOverThePlainRun() {
        // (5 + (11 - 10) + (12 - 10) + (20 - 20)) / (10 + 10 + 20)
        RunOverhead o = new RunOverhead(new double[] {10, 10, 20}, new double[] {11, 12, 20}, new int[] {0, 0, 1}, 5);
        assertEquals(0.2, o.ratio()[0], 1e-12);
        assertEquals(40.0 / 3, o.meanPlainStep(), 1e-12);
        assertEquals(43.0 / 3, o.meanMethodStep(), 1e-12);
        assertEquals(5, o.oneTime());
        assertEquals(3, o.pairs());
    }

    @Test
    void resamplesKeepEachStratumsCount() {
        // Stratum 1 (one step) is in every resample as is; stratum 0 draws two of its steps, whose extra
        // is 1 or 2: the resample's extra is 2, 3 or 4 with probabilities 1/4, 1/2, 1/4, and its plain
        // time is always 40. So the interval is [(5 + 2) / 40, (5 + 4) / 40] = [17.5%, 22.5%]. Without
        // strata the round end (stratum 1) could be drawn twice or not at all: a plain time of 30 or 50.
        double[] r = new RunOverhead(new double[] {10, 10, 20}, new double[] {11, 12, 20}, new int[] {0, 0, 1}, 5).ratio();
        assertEquals(0.175, r[1], 1e-12);
        assertEquals(0.225, r[2], 1e-12);
    }

    @Test
    void aMethodFasterThanThePlainRunHasNegativeOverhead() {
        RunOverhead o = new RunOverhead(new double[] {10, 10}, new double[] {9, 9}, new int[] {0, 0}, 0);
        double[] r = o.ratio();
        assertEquals(-0.1, r[0], 1e-12);
        assertEquals(-0.1, r[1], 1e-12);
        assertEquals(-0.1, r[2], 1e-12);
    }

    @Test
    void mismatchedOrEmptyInputsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new RunOverhead(new double[] {1}, new double[] {1, 2}, new int[] {0}, 0));
        assertThrows(IllegalArgumentException.class, () -> new RunOverhead(new double[] {1}, new double[] {1}, new int[0], 0));
        assertThrows(IllegalArgumentException.class, () -> new RunOverhead(new double[0], new double[0], new int[0], 0));
    }
}
