package dev.rnb.mix;

import dev.rnb.backend.Backend;
import dev.rnb.backend.Backends;
import dev.rnb.balance.SketchSpec;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The flops R&amp;B counts for the overhead report: the end of a round is
 * charged for the domains it touched (G p's two passes over t blocks of d
 * floats: 4 t d), not for all k. At 10^5 domains a round touching 3 of them
 * once counted 4 x 10^5 d, which made the report's "counted flops" overhead
 * at 10^6 domains 389 % for a round that costs a few touched blocks.
 */
class RnbStrategyFlopsTest {
    static final int H = 4, V = 6, ROWS = 12, STEPS = 2;

    @Test
    void aRoundIsChargedForItsTouchedDomainsNotForAllOfThem() {
        SplittableRandom rng = new SplittableRandom(5);
        for (int k : new int[] {3, 7, 100_000}) {
            float[] eval = new float[k];
            Arrays.fill(eval, 1f / k);
            try (Backend b = Backends.open("cpu");
                 RnbStrategy s = new RnbStrategy(b, k, H, V, eval, 1f, SketchSpec.EXACT, STEPS, 1)) {
                int[] domains = {0, k / 2, k - 1}; // three distinct domains, four rows each
                int[] domainOfRow = new int[ROWS];
                for (int r = 0; r < ROWS; r++) domainOfRow[r] = domains[r / 4];
                for (int step = 0; step < STEPS; step++) {
                    s.accumulate(gaussian(ROWS * H, rng), gaussian(ROWS * V, rng), domainOfRow, ROWS);
                }
                s.endRound();
                double accumulate = STEPS * 2.0 * ROWS * H * V; // exact pieces formed again after backward
                double endOfRound = 4.0 * Math.min(3, k) * H * V;
                assertEquals(accumulate + endOfRound, s.extraFlops(), 1e-9, "k = " + k);
            }
        }
    }

    private static float[] gaussian(int n, SplittableRandom rng) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) rng.nextGaussian();
        return x;
    }
}
